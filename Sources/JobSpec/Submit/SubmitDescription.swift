import Foundation

/// An HTCondor submit description, expanded into one task per proc.
///
/// The file is read top to bottom; each `queue` statement creates procs from the
/// commands defined so far, with macros expanded per proc (see ``SubmitMacros``). Procs
/// are numbered from 0 across all queue statements, and all share one cluster id, the
/// farm's run id.
///
/// | command | becomes |
/// |---|---|
/// | `universe` | must be `vanilla` (the default); anything else is an error |
/// | `executable` | `argv[0]`, relative to the submit directory (not `initialdir`) |
/// | `arguments`/`args` | the rest of argv (``SubmitArguments``) |
/// | `environment`/`env`, `getenv` | the environment (see below) |
/// | `output`, `error` | stdout/stderr files relative to `initialdir`; `/dev/null` when not given |
/// | `log` | the event log path, attribute `condor.log` |
/// | `initialdir` | the working directory |
/// | `request_cpus` | ``TaskSpec/slots`` |
/// | `request_memory` | ``TaskSpec/memoryMiB`` (default unit MiB; `K`, `M`, `G`, `T` suffixes) |
/// | `request_disk` | ``TaskSpec/diskKiB`` (default unit KiB; same suffixes) |
/// | `requirements`, `rank` | checked ClassAd text in ``TaskSpec/requirements``/``TaskSpec/rank`` |
/// | `max_retries` | ``TaskSpec/maxRetries`` |
/// | `allowed_job_duration` | ``TaskSpec/timeLimit`` (seconds) |
/// | `notification`, `notify_user` | attributes `condor.notification`, `condor.notify_user` (no mail is sent) |
/// | `batch_name` | the job name |
/// | `+Name`, `MY.Name` | attribute `classad.Name` |
/// | `transfer_*` and friends | one warning: the farm assumes a shared file system |
/// | any other key | a user macro; a warning if nothing uses it, naming the closest command |
///
/// Environment: only what `environment` sets, plus `getenv` (all of the worker's
/// environment when true; the named variables of the submitting environment when a
/// list), plus HTCondor's job variables: `BATCH_SYSTEM=HTCondor`, `_CONDOR_JOB_IWD`, and
/// the thread-count variables (`OMP_NUM_THREADS`, `MKL_NUM_THREADS`, ...) set to
/// `request_cpus`. `_CONDOR_SCRATCH_DIR` and `TMPDIR` are a per-task folder the runtime
/// makes (attribute `condor.scratch`).
///
/// Attributes: `condor.cluster`, `condor.proc`, and `condor.log` when `log` is given.
///
/// Source: HTCondor manual, condor_submit; "Services for Running Jobs", "Environment
/// Variables".
public struct SubmitDescription: Sendable {
    /// The file as the user named it.
    public let file: String
    /// The job name: `batch_name`, else the file's base name without extension.
    public let name: String
    /// One task per proc, in proc order.
    public let tasks: [TaskSpec]
    /// Problems that did not stop the load: unused macros, ignored commands.
    public let warnings: [JobSpecError]

    /// The variables HTCondor's starter sets to the job's cpu count.
    static let threadVariables = ["CUBACORES", "GOMAXPROCS", "JULIA_NUM_THREADS", "MKL_NUM_THREADS",
                                  "NUMEXPR_NUM_THREADS", "OMP_NUM_THREADS", "OMP_THREAD_LIMIT",
                                  "OPENBLAS_NUM_THREADS", "PYTHON_CPU_COUNT", "ROOT_MAX_THREADS",
                                  "TF_LOOP_PARALLEL_ITERATIONS", "TF_NUM_THREADS"]

    /// Reads and expands a submit description held in memory.
    ///
    /// - Throws: ``JobSpecError`` naming the file, line and (where known) column: syntax
    ///   errors, a non-vanilla universe, a missing executable, bad arguments or environment
    ///   quoting, bad numbers or sizes, bad ClassAd expressions, a bad queue statement, or
    ///   no queue statement at all.
    public init(text: String, file: String, options: JobLoadOptions) throws(JobSpecError) {
        var builder = SubmitBuilder(file: file, options: options)
        for statement in try SubmitStatement.parse(text, file: file) {
            switch statement {
            case .command(let key, let value, let location):
                builder.define(key: key, value: value, location: location)
            case .queue(let arguments, let location):
                try builder.queue(arguments, location: location)
            }
        }
        guard builder.sawQueue else {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            throw JobSpecError("no queue statement, so nothing would run; expected 'queue' (or 'queue N') after "
                               + "the commands", file: file, line: max(1, lines - (text.hasSuffix("\n") ? 1 : 0)))
        }
        self.file = file
        self.tasks = builder.tasks
        self.warnings = builder.finishWarnings()
        self.name = builder.batchName ?? TaskList.defaultName(for: file)
    }

    /// The expanded job.
    public func job() -> ExpandedJob {
        ExpandedJob(name: name, file: file, tasks: tasks, warnings: warnings)
    }
}

/// The state of a submit description being read: the commands so far and the procs made.
struct SubmitBuilder {
    let file: String
    let options: JobLoadOptions
    var macros = SubmitMacros()
    /// Where each key was last defined.
    var locations: [String: SourceLocation] = [:]
    /// Each key as written, by lowercased name (for `+Name` attribute names).
    var spellings: [String: String] = [:]
    /// User macros (keys that are not commands), by lowercased name.
    var userMacros: [String: (key: String, location: SourceLocation)] = [:]
    var referenced = Set<String>()
    var tasks: [TaskSpec] = []
    var warnings: [JobSpecError] = []
    var transferWarned = false
    var sawQueue = false
    var batchName: String?
    var warnedMatchTime = false

    init(file: String, options: JobLoadOptions) {
        self.file = file
        self.options = options
        macros.environment = options.environment
    }

    mutating func define(key: String, value: String, location: SourceLocation) {
        let lowered = key.lowercased()
        macros.definitions[lowered] = value
        locations[lowered] = location
        spellings[lowered] = key
        if SubmitCommands.isTransfer(lowered) {
            if !transferWarned {
                warnings.append(JobSpecError("'\(key)' and the other file-transfer commands are ignored: the farm "
                                             + "runs on a shared file system", at: location))
                transferWarned = true
            }
        } else if SubmitCommands.ignored.contains(lowered) {
            warnings.append(JobSpecError("'\(key)' has no effect inside the farm and is ignored", at: location))
        } else if !SubmitCommands.handled.contains(lowered), !lowered.hasPrefix("+"), !lowered.hasPrefix("my.") {
            userMacros[lowered] = (key, location)
        }
    }

    /// The expanded value of the first of `names` that is defined, with its location.
    func value(_ names: String..., referenced: inout Set<String>) throws(JobSpecError) -> (String, SourceLocation)? {
        for name in names {
            guard let raw = macros.definitions[name], let location = locations[name] else { continue }
            return (try macros.expand(raw, location: location, referenced: &referenced), location)
        }
        return nil
    }

    mutating func queue(_ arguments: String, location: SourceLocation) throws(JobSpecError) {
        sawQueue = true
        var lineMacros = macros
        lineMacros.specials = ["cluster": String(options.runID), "clusterid": String(options.runID)]
        let expanded = try lineMacros.expand(arguments, location: location, referenced: &referenced)
        let statement = try QueueStatement(parsing: expanded, location: location,
                                           directory: options.workingDirectory)
        let rows: [[String]?] = statement.items.map { $0.map(Optional.some) } ?? [nil]
        for (itemIndex, row) in rows.enumerated() {
            for step in 0 ..< statement.count {
                var specials = lineMacros.specials
                let process = String(tasks.count)
                specials["process"] = process
                specials["procid"] = process
                specials["step"] = String(step)
                specials["itemindex"] = String(itemIndex)
                specials["row"] = String(itemIndex)
                if let row {
                    for (variable, value) in zip(statement.variables, row) { specials[variable.lowercased()] = value }
                }
                tasks.append(try makeTask(specials: specials, queueLocation: location))
            }
        }
    }

    mutating func makeTask(specials: [String: String], queueLocation: SourceLocation) throws(JobSpecError) -> TaskSpec {
        var procMacros = macros
        procMacros.specials = specials
        let builder = SubmitBuilder.withMacros(self, procMacros)
        var seen = referenced
        defer { referenced = seen }
        let proc = Int(specials["process"]!)!

        if let (universe, at) = try builder.value("universe", referenced: &seen), universe.lowercased() != "vanilla" {
            throw JobSpecError("universe '\(universe)' is not supported; the farm runs vanilla-universe jobs only",
                               at: at)
        }
        guard let (executable, _) = try builder.value("executable", referenced: &seen), !executable.isEmpty else {
            throw JobSpecError("no executable; expected 'executable = PROGRAM' before this queue statement",
                               at: queueLocation)
        }
        var argv = [Paths.resolve(executable, in: options.workingDirectory)]
        if let (arguments, at) = try builder.value("arguments", "args", referenced: &seen) {
            argv += try SubmitArguments.parse(arguments, location: at)
        }
        var directory = options.workingDirectory
        if let (initial, _) = try builder.value("initialdir", "initial_dir", "iwd", referenced: &seen), !initial.isEmpty {
            directory = Paths.resolve(initial, in: options.workingDirectory)
        }
        func file(_ path: String) -> String { OutputPattern.literal(Paths.resolve(path, in: directory)) }
        let stdout = try builder.value("output", referenced: &seen).map { file($0.0) } ?? "/dev/null"
        let stderr = try builder.value("error", referenced: &seen).map { file($0.0) } ?? "/dev/null"

        var slots = 1
        if let (text, at) = try builder.value("request_cpus", "requestcpus", referenced: &seen) {
            guard let count = Int(text.trimmingBlanks), count >= 1 else {
                throw JobSpecError("request_cpus '\(text)': expected a whole number of at least 1", at: at)
            }
            slots = count
        }
        var memory: Int?
        if let (text, at) = try builder.value("request_memory", "requestmemory", referenced: &seen) {
            memory = try Self.size(text, defaultUnit: 1024 * 1024, resultUnit: 1024 * 1024, command: "request_memory", at: at)
        }
        var disk: Int?
        if let (text, at) = try builder.value("request_disk", "requestdisk", referenced: &seen) {
            disk = try Self.size(text, defaultUnit: 1024, resultUnit: 1024, command: "request_disk", at: at)
        }
        var requirements: String?
        if let (text, at) = try builder.value("requirements", referenced: &seen), !text.isEmpty {
            requirements = try ClassAdExpression(parsing: text, location: at).text
        }
        var rank: String?
        if let (text, at) = try builder.value("rank", referenced: &seen), !text.isEmpty {
            rank = try ClassAdExpression(parsing: text, location: at).text
        }
        var retries: Int?
        if let (text, at) = try builder.value("max_retries", referenced: &seen) {
            guard let count = Int(text.trimmingBlanks), count >= 0 else {
                throw JobSpecError("max_retries '\(text)': expected a whole number of at least 0", at: at)
            }
            retries = count
        }
        var timeLimit: Double?
        if let (text, at) = try builder.value("allowed_job_duration", "allowed_execute_duration", referenced: &seen) {
            guard let seconds = Double(text.trimmingBlanks), seconds > 0 else {
                throw JobSpecError("'\(text)': expected a duration in seconds", at: at)
            }
            timeLimit = seconds
        }
        var attributes = ["condor.cluster": String(options.runID), "condor.proc": String(proc),
                          "condor.scratch": "1"]
        if let (log, _) = try builder.value("log", referenced: &seen), !log.isEmpty {
            attributes["condor.log"] = Paths.resolve(log, in: directory)
        }
        if let (notification, at) = try builder.value("notification", referenced: &seen) {
            let known = ["never", "always", "complete", "error"]
            guard known.contains(notification.lowercased()) else {
                throw JobSpecError("notification '\(notification)': expected Never, Always, Complete or Error", at: at)
            }
            attributes["condor.notification"] = notification.capitalized
        }
        if let (user, _) = try builder.value("notify_user", referenced: &seen) {
            attributes["condor.notify_user"] = user
        }
        if let (name, _) = try builder.value("batch_name", referenced: &seen), !name.isEmpty {
            batchName = name
        }
        for key in macros.definitions.keys.sorted() where key.hasPrefix("+") || key.hasPrefix("my.") {
            let location = locations[key]!
            let expanded = try procMacros.expand(macros.definitions[key]!, location: location, referenced: &seen)
            let spelled = spellings[key] ?? key
            attributes["classad." + String(spelled.dropFirst(key.hasPrefix("+") ? 1 : 3))] = expanded
        }

        let environment = try builder.environment(slots: slots, directory: directory, referenced: &seen)
        for value in [argv.joined(separator: " "), stdout, stderr] where value.contains("$$(") && !warnedMatchTime {
            warnings.append(JobSpecError("'$$(...)' is filled in by HTCondor at match time; the farm leaves it as "
                                         + "written", at: queueLocation))
            warnedMatchTime = true
        }
        return TaskSpec(position: proc, arrayIndex: proc, command: .argv(argv), environment: environment,
                        workingDirectory: directory, stdout: stdout, stderr: stderr, slots: slots, memoryMiB: memory,
                        diskKiB: disk, requirements: requirements, rank: rank, timeLimit: timeLimit,
                        maxRetries: retries, source: queueLocation, attributes: attributes)
    }

    static func withMacros(_ builder: SubmitBuilder, _ macros: SubmitMacros) -> SubmitBuilder {
        var copy = builder
        copy.macros = macros
        return copy
    }

    /// The task environment: `getenv`, then `environment`, over HTCondor's job variables.
    func environment(slots: Int, directory: String,
                     referenced: inout Set<String>) throws(JobSpecError) -> TaskEnvironment {
        var set: [String: String] = ["BATCH_SYSTEM": "HTCondor", "_CONDOR_JOB_IWD": directory]
        for variable in SubmitDescription.threadVariables { set[variable] = String(slots) }
        var inheritAll = false
        if let (getenv, _) = try value("getenv", referenced: &referenced) {
            switch getenv.lowercased() {
            case "true", "yes", "t", "y", "1": inheritAll = true
            case "false", "no", "f", "n", "0", "": break
            default:
                let patterns = getenv.split(whereSeparator: { ", \t".contains($0) }).map(String.init)
                for (name, value) in options.environment
                where patterns.contains(where: { fnmatch($0, name, 0) == 0 || $0.lowercased() == name.lowercased() }) {
                    set[name] = value
                }
            }
        }
        if let (text, at) = try value("environment", "env", referenced: &referenced) {
            for (name, value) in try SubmitArguments.parseEnvironment(text, location: at) { set[name] = value }
        }
        return inheritAll ? .inherit(set: set) : .clean(set: set)
    }

    /// A size command's value in `resultUnit` bytes, rounded up: a number with an optional
    /// `K`, `M`, `G`, `T` (or `KB`, `MB`, ...) suffix, else `defaultUnit`.
    static func size(_ text: String, defaultUnit: Double, resultUnit: Double, command: String,
                     at location: SourceLocation) throws(JobSpecError) -> Int {
        let trimmed = text.trimmingBlanks
        let digits = trimmed.prefix(while: { $0.isNumber || $0 == "." })
        let suffix = trimmed.dropFirst(digits.count).trimmingBlanks.uppercased()
        let kibi = 1024.0
        let units: [String: Double] = ["": defaultUnit, "K": kibi, "KB": kibi, "M": kibi * kibi, "MB": kibi * kibi,
                                       "G": kibi * kibi * kibi, "GB": kibi * kibi * kibi,
                                       "T": kibi * kibi * kibi * kibi, "TB": kibi * kibi * kibi * kibi]
        guard let number = Double(digits), let unit = units[suffix] else {
            throw JobSpecError("\(command) '\(text)': expected a number with an optional unit K, M, G or T",
                               at: location)
        }
        return Int((number * unit / resultUnit).rounded(.up))
    }

    /// The warnings, with unused user macros added.
    func finishWarnings() -> [JobSpecError] {
        var result = warnings
        for (lowered, macro) in userMacros.sorted(by: { $0.value.location.line < $1.value.location.line })
        where !referenced.contains(lowered) {
            var message = "'\(macro.key)' is not a submit command and nothing uses it as a macro"
            if let guess = SubmitCommands.closest(to: lowered) { message += "; did you mean '\(guess)'?" }
            result.append(JobSpecError(message, at: macro.location))
        }
        return result
    }
}
