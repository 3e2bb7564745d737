import Foundation

/// What `taskfarm check FILE` prints: the expanded tasks, without running anything.
///
/// Both renderings list, per task: its position and array index, the argv that is
/// executed (``TaskCommand/executedArgv``), the environment differences (the base, and
/// the variables set on top of it), the output files, and the requirements.
public enum JobCheck {
    /// Rows that set the column widths: the first rows of a large job; a later, longer cell
    /// widens only its own row. Keeps `check` of a million-task array streaming.
    static let widthRows = 1000

    /// A text table: a header with the job, the environment shared by every task, then one
    /// row per task with `POS`, `INDEX`, `ARGV` (shell-quoted), `STDOUT`, `STDERR`, the
    /// variables that differ between tasks (`ENV`) and `REQUIREMENTS`.
    ///
    /// - Parameters:
    ///   - runID: expands `%A`/`%j` in output patterns.
    ///   - user: expands `%u`. `%N` (the worker's host) is shown as `%N`.
    public static func table(_ job: any Job, runID: Int = 1, user: String = "") -> String {
        var text = ""
        writeTable(job, runID: runID, user: user) { text += $0 }
        return text
    }

    /// ``table(_:runID:user:)`` handed to `write` piece by piece, holding one task at a
    /// time (and the first ``widthRows`` rows), so a large array costs little memory.
    public static func writeTable(_ job: any Job, runID: Int = 1, user: String = "", to write: (String) -> Void) {
        let shared = sharedEnvironment(job)
        var header = "job \(job.name) (\(job.file)): \(job.taskCount) task\(job.taskCount == 1 ? "" : "s")"
        if let limit = job.maxConcurrent { header += ", at most \(limit) at once" }
        header += "\n"
        if job.taskCount > 0 {
            header += "environment: \(baseDescription(job.task(at: 0).environment))"
            if !shared.isEmpty {
                header += "; every task sets " + shared.sorted(by: { $0.key < $1.key })
                    .map { "\($0.key)=\(ShellQuoting.quote($0.value))" }.joined(separator: " ")
            }
            header += "\n"
        }
        write(header)
        var patterns: [String: OutputPattern?] = [:]
        func row(_ position: Int) -> [String] {
            let task = job.task(at: position)
            let own = task.environment.overrides.filter { shared[$0.key] != $0.value }
                .sorted(by: { $0.key < $1.key }).map { "\($0.key)=\(ShellQuoting.quote($0.value))" }
            return [String(task.position), String(task.arrayIndex),
                    task.command.executedArgv.map(ShellQuoting.quote).joined(separator: " "),
                    outputFile(task.stdout, task: task, job: job, runID: runID, user: user, patterns: &patterns) ?? "-",
                    outputFile(task.stderr, task: task, job: job, runID: runID, user: user, patterns: &patterns) ?? "-",
                    own.isEmpty ? "-" : own.joined(separator: " "),
                    task.requirements ?? "-"]
        }
        let first = [["POS", "INDEX", "ARGV", "STDOUT", "STDERR", "ENV", "REQUIREMENTS"]]
            + (0 ..< min(job.taskCount, widthRows)).map(row)
        let widths = (0 ..< first[0].count).map { column in first.map { $0[column].count }.max() ?? 0 }
        // The blanks that pad a cell, by their count: made once each, not per cell.
        var blanks: [Int: String] = [:]
        func line(_ cells: [String]) -> String {
            // Appended in place: a million rows make no array of padded cells each.
            var text = ""
            for (column, cell) in cells.enumerated() {
                if column > 0 { text += "  " }
                text += cell
                if column < cells.count - 1 {
                    let padding = widths[column] - cell.count
                    if padding > 0 {
                        if blanks[padding] == nil { blanks[padding] = String(repeating: " ", count: padding) }
                        text += blanks[padding]!
                    }
                }
            }
            return text.trimmingBlanks + "\n"
        }
        for cells in first { write(line(cells)) }
        for position in min(job.taskCount, widthRows) ..< job.taskCount { write(line(row(position))) }
    }

    /// JSON: `{"name", "file", "taskCount", "maxConcurrent", "warnings": [...], "tasks":
    /// [{"position", "index", "argv", "environment": {"base", "names", "set"},
    /// "workingDirectory", "stdout", "stderr", "slots", "memoryMiB", "gpus", "diskKiB",
    /// "timeLimit", "maxRetries", "requirements", "rank", "attributes"}]}`, keys sorted.
    public static func json(_ job: any Job, runID: Int = 1, user: String = "") -> String {
        var text = ""
        writeJSON(job, runID: runID, user: user) { text += $0 }
        return text
    }

    /// ``json(_:runID:user:)`` handed to `write` piece by piece, one task at a time.
    public static func writeJSON(_ job: any Job, runID: Int = 1, user: String = "", to write: (String) -> Void) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        func encoded<Value: Encodable>(_ value: Value) -> String {
            (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        }
        // Keys in sorted order, as the encoder would write them.
        var head = "{\n  \"file\" : \(encoded(job.file)),\n"
        if let limit = job.maxConcurrent { head += "  \"maxConcurrent\" : \(limit),\n" }
        head += "  \"name\" : \(encoded(job.name)),\n  \"taskCount\" : \(job.taskCount),\n  \"tasks\" : ["
        write(head)
        var patterns: [String: OutputPattern?] = [:]
        for position in 0 ..< job.taskCount {
            let task = job.task(at: position)
            var names: [String]?
            if case .inheritOnly(let only, _) = task.environment { names = only }
            let report = TaskReport(
                position: task.position, index: task.arrayIndex, argv: task.command.executedArgv,
                environment: EnvironmentReport(base: baseName(task.environment), names: names,
                                               set: task.environment.overrides),
                workingDirectory: task.workingDirectory,
                stdout: outputFile(task.stdout, task: task, job: job, runID: runID, user: user, patterns: &patterns),
                stderr: outputFile(task.stderr, task: task, job: job, runID: runID, user: user, patterns: &patterns),
                slots: task.slots, memoryMiB: task.memoryMiB, gpus: task.gpus, diskKiB: task.diskKiB, timeLimit: task.timeLimit,
                maxRetries: task.maxRetries, requirements: task.requirements, rank: task.rank,
                attributes: task.attributes)
            let indented = encoded(report).split(separator: "\n", omittingEmptySubsequences: false)
                .map { "    " + $0 }.joined(separator: "\n")
            write((position == 0 ? "\n" : ",\n") + indented)
        }
        let warnings = job.warnings.isEmpty ? "[]" : encoded(job.warnings.map(\.warningDescription))
            .split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n  ")
        write((job.taskCount == 0 ? "" : "\n  ") + "],\n  \"warnings\" : \(warnings)\n}\n")
    }

    struct EnvironmentReport: Encodable {
        var base: String
        var names: [String]?
        var set: [String: String]
    }

    struct TaskReport: Encodable {
        var position: Int
        var index: Int
        var argv: [String]
        var environment: EnvironmentReport
        var workingDirectory: String?
        var stdout: String?
        var stderr: String?
        var slots: Int
        var memoryMiB: Int?
        var gpus: Int?
        var diskKiB: Int?
        var timeLimit: Double?
        var maxRetries: Int?
        var requirements: String?
        var rank: String?
        var attributes: [String: String]
    }

    /// An output pattern expanded for `task`; `%N` stays `%N` (known only on the worker).
    /// `patterns` keeps the job's few patterns parsed across its tasks.
    static func outputFile(_ pattern: String?, task: TaskSpec, job: any Job, runID: Int, user: String,
                           patterns: inout [String: OutputPattern?]) -> String? {
        guard let pattern else { return nil }
        // No `%`, nothing to expand: each proc of a submit description names its own file,
        // which would be parsed anew for every row.
        guard pattern.utf8.contains(UInt8(ascii: "%")) else { return pattern }
        let values = OutputPattern.Values(runID: runID, arrayIndex: task.arrayIndex, host: "%N",
                                          jobName: job.name, user: user)
        if patterns[pattern] == nil {
            // A job whose tasks each name their own file (PBS's ^array_index^) gains nothing.
            if patterns.count >= 16 { patterns.removeAll(keepingCapacity: true) }
            patterns[pattern] = .some(try? OutputPattern(pattern, location: SourceLocation(file: job.file, line: 0)))
        }
        return patterns[pattern]!?.expand(values) ?? pattern
    }

    /// The variables every task sets to the same value: the job's ``Job/survey`` when it
    /// gathered one, else one task at a time.
    static func sharedEnvironment(_ job: any Job) -> [String: String] {
        guard job.taskCount > 0 else { return [:] }
        if let survey = job.survey { return survey.sharedEnvironment }
        var shared = job.task(at: 0).environment.overrides
        for position in 1 ..< job.taskCount where !shared.isEmpty {
            let overrides = job.task(at: position).environment.overrides
            shared = shared.filter { overrides[$0.key] == $0.value }
        }
        return shared
    }

    static func baseName(_ environment: TaskEnvironment) -> String {
        switch environment {
        case .inherit: return "inherit"
        case .clean: return "clean"
        case .inheritOnly: return "inheritOnly"
        }
    }

    static func baseDescription(_ environment: TaskEnvironment) -> String {
        switch environment {
        case .inherit: return "the worker's environment"
        case .clean: return "empty (only what is set)"
        case .inheritOnly(let names, _): return "only " + names.joined(separator: " ") + " from the worker"
        }
    }
}
