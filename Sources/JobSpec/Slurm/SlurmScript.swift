/// A Slurm batch script, run as a job array inside the farm.
///
/// Read: `--array`/`-a` (see ``ArrayRange``), `--job-name`/`-J`, `--output`/`-o`,
/// `--error`/`-e` (Slurm filename patterns, ``OutputPattern``), `--time`/`-t` (the
/// per-task limit, ``TaskSpec/timeLimit``), `--cpus-per-task`/`-c` (slots), `--mem` and
/// `--mem-per-cpu` (MiB), `--chdir`/`-D`, `--export`. Options about the allocation
/// (`--nodes`, `--partition`, `--account`, `--qos`, `--mail-*`, ...) are accepted and
/// have no effect inside the farm; unknown options give a warning.
///
/// Each task gets `SLURM_ARRAY_JOB_ID` (the farm's run id), `SLURM_ARRAY_TASK_ID`,
/// `SLURM_ARRAY_TASK_COUNT`, `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_MAX`,
/// `SLURM_ARRAY_TASK_STEP` and `SLURM_JOB_NAME`, on top of the whole environment
/// (`--export=ALL`, sbatch's default). A real allocation's `SLURM_JOB_ID`, node lists and
/// so on pass through unchanged. The default output is `slurm-%A_%a.out` for arrays and
/// `slurm-RUNID.out` otherwise, in the working directory.
///
/// Source: Slurm sbatch manual (options, "OUTPUT ENVIRONMENT VARIABLES", "filename pattern").
public struct SlurmScript: Sendable {
    /// The job name: `--job-name`, else the script's file name.
    public let name: String
    /// The array, or `nil` for a script without `--array` (one task, index 0).
    public let array: ArrayRange?
    /// The file as the user named it.
    public let file: String
    /// Directive problems that did not stop the load.
    public let warnings: [JobSpecError]
    /// The expanded job.
    public let job: ArrayJob

    /// Options that take a value when written as separate words.
    static let shortWithValue: Set<String> = ["-a", "-A", "-b", "-c", "-d", "-D", "-e", "-i", "-J", "-L", "-m", "-M",
                                              "-n", "-N", "-o", "-p", "-q", "-S", "-t", "-w", "-x", "-B", "-C", "-F", "-G"]
    static let longFlags: Set<String> = ["--exclusive", "--hold", "--parsable", "--quiet", "--requeue", "--no-requeue",
                                         "--overcommit", "--oversubscribe", "--contiguous", "--wait", "--verbose",
                                         "--spread-job", "--test-only", "--use-min-nodes", "--ignore-pbs", "--no-kill",
                                         "--get-user-env", "--nice", "--reboot", "--exact", "--usage", "--help"]
    /// The long options the farm acts on.
    static let handledLongOptions = ["--array", "--job-name", "--output", "--error", "--time", "--cpus-per-task",
                                     "--mem", "--mem-per-cpu", "--chdir", "--export"]

    static let ignored: Set<String> = ["-A", "--account", "-p", "--partition", "-N", "--nodes", "-n", "--ntasks",
                                       "--ntasks-per-node", "-q", "--qos", "--mail-type", "--mail-user", "-C",
                                       "--constraint", "--exclusive", "-w", "--nodelist", "-x", "--exclude",
                                       "--gres", "--gpus", "-G", "--requeue", "--no-requeue", "--signal", "--begin",
                                       "-d", "--dependency", "--mem-bind", "--hint", "--reservation", "--comment",
                                       "-M", "--clusters", "--wckey", "--licenses", "-L", "--nice", "--open-mode",
                                       "-i", "--input", "--parsable", "--quiet", "--verbose", "--kill-on-invalid-dep",
                                       "--distribution", "-m", "--threads-per-core", "--ntasks-per-core", "--tmp"]

    /// Reads a script held in memory.
    ///
    /// - Parameters:
    ///   - text: the script.
    ///   - file: its path as the user named it (made absolute to run it).
    ///   - options: ids, environment and command-line overrides.
    /// - Throws: ``JobSpecError`` naming the line for a script without a `#!` first line
    ///   (sbatch refuses those), a bad `--array`, `--time`, `--cpus-per-task`, `--mem`,
    ///   `--export` or filename pattern.
    public init(text: String, file: String, options: JobLoadOptions) throws(JobSpecError) {
        self.file = file
        let directives = try BatchDirectives(text: text, file: file, prefix: "#SBATCH") { name in
            name.hasPrefix("--") ? !Self.longFlags.contains(name) : Self.shortWithValue.contains(name)
        }
        guard directives.shebang != nil else {
            throw JobSpecError("a Slurm batch script must start with #! and an interpreter (sbatch refuses it "
                               + "otherwise); add '#!/bin/sh' as line 1", file: file, line: 1, column: 1)
        }
        var warnings = directives.warnings
        var name = options.jobName
        var array: ArrayRange?
        var output: String?
        var error: String?
        var timeLimit: Double?
        var cpus = 1
        var cpusGiven = false
        var memoryMiB: Int?
        var memoryPerCPU: Int?
        var directory: String?
        var export = Export()
        for option in directives.options {
            let value = option.value ?? ""
            func bad(_ expected: String) -> JobSpecError {
                JobSpecError("bad \(option.name) '\(value)': expected \(expected)", at: option.location)
            }
            switch option.name {
            case "-a", "--array":
                array = try ArrayRange(parsing: value, dialect: .slurm, location: option.valueLocation)
            case "-J", "--job-name":
                if options.jobName == nil { name = value }
            case "-o", "--output":
                output = try OutputPattern(value, location: option.valueLocation).text
            case "-e", "--error":
                error = try OutputPattern(value, location: option.valueLocation).text
            case "-t", "--time":
                guard let limit = ResourceValues.slurmTime(value) else {
                    throw bad("minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S")
                }
                if let seconds = limit, FarmLimits.durationProblem(seconds) != nil {
                    throw bad("a time limit of at most 365-00:00:00 (365 days, as Slurm caps it), or UNLIMITED")
                }
                timeLimit = limit
            case "-c", "--cpus-per-task":
                guard let count = Int(value), FarmLimits.slotsProblem(count) == nil else {
                    throw bad(FarmLimits.slotsExpectation)
                }
                cpus = count
                cpusGiven = true
            case "--mem":
                guard let mib = ResourceValues.slurmMemoryMiB(value) else { throw bad("a size such as 4000, 500M or 4G") }
                memoryMiB = mib
            case "--mem-per-cpu":
                guard let mib = ResourceValues.slurmMemoryMiB(value) else { throw bad("a size such as 4000, 500M or 4G") }
                memoryPerCPU = mib
            case "-D", "--chdir":
                directory = value
            case "--export":
                export = try Export(parsing: value, environment: options.environment, location: option.valueLocation)
            default:
                guard !Self.ignored.contains(option.name) else { break }
                // A near miss of an option the farm acts on would silently change the job
                // (`--arary=0-3` runs one task, not four): sbatch refuses it, and so do we.
                if let meant = Self.handledLongOptions.first(where: {
                    option.name.hasPrefix("--") && SubmitCommands.editDistance(option.name, $0) <= 2
                }) {
                    throw JobSpecError("#SBATCH \(option.name) is not an sbatch option (sbatch refuses the script); "
                                       + "did you mean \(meant)?", at: option.location)
                }
                warnings.append(JobSpecError("#SBATCH \(option.name) is not used inside the farm and is ignored",
                                             at: option.location))
            }
        }
        let jobName = name ?? Paths.lastComponent(file)
        self.name = jobName
        self.array = array
        self.warnings = warnings

        let workingDirectory = directory.map(options.absolute) ?? options.workingDirectory
        func resolve(_ pattern: String) -> String {
            Paths.resolve(pattern, in: OutputPattern.literal(workingDirectory))
        }
        let defaultOutput = array == nil ? "slurm-\(options.runID).out" : "slurm-%A_%a.out"
        let stdoutPattern = options.output ?? output ?? defaultOutput
        let stderrPattern = options.error ?? error
        for pattern in [options.output, options.error].compactMap({ $0 }) {
            _ = try OutputPattern(pattern, location: SourceLocation(file: "<command line>", line: 0))
        }
        let script = options.absolute(file)
        let argv = ScriptCommand.argv(script: script, shebang: directives.shebang, shell: nil,
                                      arguments: options.scriptArguments)
        var common = export.set
        common["SLURM_JOB_NAME"] = jobName
        if let array {
            common["SLURM_ARRAY_JOB_ID"] = String(options.runID)
            common["SLURM_ARRAY_TASK_COUNT"] = String(array.indices.count)
            common["SLURM_ARRAY_TASK_MIN"] = String(array.indices.first ?? 0)
            common["SLURM_ARRAY_TASK_MAX"] = String(array.indices.last ?? 0)
            common["SLURM_ARRAY_TASK_STEP"] = String(array.step)
        }
        if cpusGiven { common["SLURM_CPUS_PER_TASK"] = String(cpus) }
        let stdoutPath = resolve(stdoutPattern)
        let stderrPath = resolve(stderrPattern ?? stdoutPattern)
        var totalMemory = memoryMiB
        if totalMemory == nil, let perCPU = memoryPerCPU {
            let (total, overflow) = perCPU.multipliedReportingOverflow(by: cpus)
            guard !overflow else {
                throw JobSpecError("--mem-per-cpu times --cpus-per-task is more memory than any machine has", file: file)
            }
            totalMemory = total
        }
        let memory = totalMemory
        let isArray = array != nil
        let runID = String(options.runID)
        let exportAll = export.all
        let exportNames = export.names
        job = ArrayJob(name: jobName, file: file, indices: array?.indices ?? [0], warnings: warnings,
                       maxConcurrent: array?.maxConcurrent) { [common, cpus, timeLimit] position, index in
            var set = common
            if isArray { set["SLURM_ARRAY_TASK_ID"] = String(index) }
            return TaskSpec(
                position: position, arrayIndex: index, command: .argv(argv),
                environment: exportAll ? .inherit(set: set) : .inheritOnly(names: exportNames, set: set),
                workingDirectory: workingDirectory, stdout: stdoutPath, stderr: stderrPath, slots: cpus,
                memoryMiB: memory, timeLimit: timeLimit, source: SourceLocation(file: file, line: 1),
                label: isArray ? "\(jobName)[\(index)]" : jobName, attributes: ["slurm.array_job_id": runID])
        }
    }

    /// What `--export` passes: everything (`ALL`, the default), or only the named
    /// variables and `SLURM_*` (sbatch's rule for `NONE` and lists), plus `NAME=value`s.
    struct Export {
        var all = true
        var names: [String] = []
        var set: [String: String] = [:]

        init() {}

        /// Parses `ALL`, `NONE`, `NIL`, or `[ALL,]NAME[=value],...`.
        ///
        /// - Throws: ``JobSpecError`` at `location` for an entry that is not a name.
        init(parsing value: String, environment: [String: String], location: SourceLocation) throws(JobSpecError) {
            all = false
            for item in value.split(separator: ",") {
                switch item.uppercased() {
                case "ALL": all = true
                case "NONE", "NIL": break
                default:
                    if let equals = item.firstIndex(of: "=") {
                        set[String(item[..<equals])] = String(item[item.index(after: equals)...])
                    } else if item.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                        names.append(String(item))
                    } else {
                        throw JobSpecError("bad --export '\(value)': expected ALL, NONE or NAME[=value],...",
                                           at: location)
                    }
                }
            }
            names += environment.keys.filter { $0.hasPrefix("SLURM_") }.sorted()
        }
    }
}
