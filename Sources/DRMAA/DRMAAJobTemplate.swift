import Foundation
import JobSpec

/// A DRMAA job template: attribute values set by `drmaa_set_attribute` and
/// `drmaa_set_vector_attribute`, turned into a queue task for each bulk index.
///
/// Source: OGF GFD.133, "Job template attributes" and "Placeholders".
final class DRMAAJobTemplate {
    /// The scalar attributes the farm honours.
    static let scalarNames = ["drmaa_remote_command", "drmaa_js_state", "drmaa_wd", "drmaa_job_name",
                              "drmaa_input_path", "drmaa_output_path", "drmaa_error_path", "drmaa_join_files",
                              "drmaa_native_specification", "drmaa_wct_hlimit", "drmaa_block_email"]
    /// The vector attributes the farm honours.
    static let vectorNames = ["drmaa_v_argv", "drmaa_v_env", "drmaa_v_email"]

    var scalars: [String: String] = [:]
    var vectors: [String: [String]] = [:]

    /// Sets a scalar attribute, checking its value.
    ///
    /// - Throws: ``DRMAAFailure`` with `DRMAA_ERRNO_INVALID_ARGUMENT` for a name the farm
    ///   does not have, `DRMAA_ERRNO_INVALID_ATTRIBUTE_VALUE` for a value it cannot honour
    ///   (`drmaa_hold`: the farm has no release), `DRMAA_ERRNO_INVALID_ATTRIBUTE_FORMAT` for
    ///   a malformed one.
    func set(_ name: String, _ value: String) throws(DRMAAFailure) {
        guard Self.scalarNames.contains(name) else {
            if Self.vectorNames.contains(name) { throw DRMAAFailure(.invalidArgument, "\(name) is a vector attribute") }
            throw DRMAAFailure(.invalidArgument, "the farm does not support the attribute \(name)")
        }
        switch name {
        case "drmaa_js_state":
            guard value == "drmaa_active" else {
                throw DRMAAFailure(.invalidAttributeValue, "drmaa_js_state '\(value)': the farm submits jobs active only (it has no release)")
            }
        case "drmaa_join_files", "drmaa_block_email":
            guard value == "y" || value == "n" else { throw DRMAAFailure(.invalidAttributeFormat, "\(name) is y or n") }
        case "drmaa_wct_hlimit":
            guard Self.seconds(value) != nil else {
                throw DRMAAFailure(.invalidAttributeFormat, "drmaa_wct_hlimit '\(value)': expected [[hours:]minutes:]seconds")
            }
        default: break
        }
        scalars[name] = value
    }

    /// Sets a vector attribute.
    ///
    /// - Throws: ``DRMAAFailure`` for a name the farm does not have, or an environment
    ///   entry that is not `NAME=value`.
    func setVector(_ name: String, _ values: [String]) throws(DRMAAFailure) {
        guard Self.vectorNames.contains(name) else {
            throw DRMAAFailure(.invalidArgument, "the farm does not support the vector attribute \(name)")
        }
        if name == "drmaa_v_env", let bad = values.first(where: { !$0.contains("=") || $0.hasPrefix("=") }) {
            throw DRMAAFailure(.invalidAttributeFormat, "drmaa_v_env entry '\(bad)': expected NAME=value")
        }
        vectors[name] = values
    }

    /// DRMAA's time format `[[h:]m:]s` in seconds.
    static func seconds(_ text: String) -> Double? {
        var total = 0.0
        for part in text.split(separator: ":", omittingEmptySubsequences: false) {
            guard let value = Double(part), value >= 0 else { return nil }
            total = total * 60 + value
        }
        return total > 0 ? total : nil
    }

    /// The task of bulk index `index` (`nil` outside a bulk submission): placeholders
    /// replaced, paths without their `host:` part, the native specification read as
    /// sbatch options by the Slurm script parser (`-c`, `--mem`, `--time`).
    ///
    /// - Throws: ``DRMAAFailure`` when there is no remote command, or the native
    ///   specification does not parse.
    func task(index: Int?, home: String, native: (String) throws(DRMAAFailure) -> TaskSpec?) throws(DRMAAFailure) -> TaskSpec {
        guard let command = scalars["drmaa_remote_command"], !command.isEmpty else {
            throw DRMAAFailure(.conflictingAttributeValues, "the job template has no drmaa_remote_command")
        }
        func expand(_ text: String, workingDirectory: String?) -> String {
            var text = text
            if let index { text = text.replacingOccurrences(of: DRMAANames.incrementPlaceholder, with: String(index)) }
            text = text.replacingOccurrences(of: DRMAANames.homePlaceholder, with: home)
            if let workingDirectory {
                text = text.replacingOccurrences(of: DRMAANames.workingDirectoryPlaceholder, with: workingDirectory)
            }
            return text
        }
        let directory = scalars["drmaa_wd"].map { expand($0, workingDirectory: nil) } ?? home
        func path(_ name: String) -> String? {
            guard var text = scalars[name] else { return nil }
            // `[hostname]:path`: on a shared file system only the path matters.
            if let colon = text.firstIndex(of: ":") { text = String(text[text.index(after: colon)...]) }
            text = expand(text, workingDirectory: directory)
            if !text.hasPrefix("/") { text = directory + "/" + text }
            return OutputPattern.literal(text)
        }
        var environment: [String: String] = [:]
        for entry in vectors["drmaa_v_env"] ?? [] {
            let pair = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            environment[String(pair[0])] = pair.count == 2 ? String(pair[1]) : ""
        }
        let argv = [command] + (vectors["drmaa_v_argv"] ?? []).map { expand($0, workingDirectory: directory) }
        var spec = TaskSpec(position: 0, arrayIndex: index ?? 0, command: .argv(argv),
                            environment: .inherit(set: environment), workingDirectory: directory,
                            source: SourceLocation(file: "drmaa_run_job", line: 0),
                            label: scalars["drmaa_job_name"] ?? (command as NSString).lastPathComponent)
        spec.stdout = path("drmaa_output_path")
        spec.stderr = scalars["drmaa_join_files"] == "y" ? spec.stdout : path("drmaa_error_path")
        spec.stdin = path("drmaa_input_path")
        if let limit = scalars["drmaa_wct_hlimit"].flatMap(Self.seconds) { spec.timeLimit = limit }
        if let text = scalars["drmaa_native_specification"], let request = try native(text) {
            spec.slots = request.slots
            spec.memoryMiB = request.memoryMiB
            if let limit = request.timeLimit { spec.timeLimit = limit }
        }
        return spec
    }
}

/// A list handed to the caller (`drmaa_attr_names_t`, `drmaa_attr_values_t`,
/// `drmaa_job_ids_t`): read one element at a time, then released.
final class DRMAAStringList {
    let items: [String]
    var next = 0
    init(_ items: [String]) { self.items = items }
}
