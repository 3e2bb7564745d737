/// What sbatch's options ask for, read from `#SBATCH` directives or from the command line
/// by the same code (`sbatch [options] script`): one parser, so that a front end taking
/// sbatch's command line later shares it. Where both give an option, the command line
/// wins (``overridden(by:)``), as with sbatch.
///
/// Every option sbatch knows is classified (Slurm sbatch manual, "OPTIONS"):
/// - honoured: `--array`/`-a`, `--job-name`/`-J`, `--output`/`-o`, `--error`/`-e`,
///   `--input`/`-i`, `--time`/`-t`, `--cpus-per-task`/`-c`, `--mem`, `--mem-per-cpu`,
///   `--chdir`/`-D`, `--export`, and GPUs: `--gres=gpu[:type]:N`, `--gpus`/`-G` and
///   `--gpus-per-task` (`[type:]N`), each the task's own GPUs (inside the farm a task is
///   one job's work);
/// - per-task resources the farm does not count, each warned at its line:
///   `--gpus-per-node`, `--mem-per-gpu`, `--cpus-per-gpu`, `--tmp`;
/// - about the allocation only (`--account`, `--partition`, `--qos`, `--mail-*`, ...):
///   no effect inside the farm, warned once together (``allocationWarning``);
/// - everything else that would change what runs (`--ntasks`, `--nodes`, `--dependency`,
///   `--begin`, `--signal`, `--exclusive`, ...): warned at its line as ignored;
/// - a near miss of an honoured long option (`--arary`) is refused, as sbatch refuses
///   an unknown option; another unknown option is warned.
///
/// Source: Slurm sbatch manual.
struct SbatchOptions {
    var array: ArrayRange?
    var jobName: String?
    var output: String?
    var error: String?
    var input: String?
    /// `--time` in seconds; `.some(nil)` for an explicit "no limit".
    var timeLimit: Double??
    var cpusPerTask: Int?
    /// `--mem` in MiB (per node: the task's whole request inside the farm).
    var memoryMiB: Int?
    /// `--mem-per-cpu` in MiB.
    var memoryPerCPUMiB: Int?
    var chdir: String?
    var export: Export?
    /// `--gres` entries as `name[:type][:count]` (Slurm sbatch: --gres); the `gpu` ones
    /// are the task's GPUs.
    var gres: [GenericResource] = []
    /// `--gpus`/`-G`/`--gpus-per-task` count, which wins over `--gres=gpu`.
    var gpus: Int?
    /// Where `-c`, `--mem`/`--mem-per-cpu` and the GPU options were given, for refusals.
    var requestLines = RequestLines()

    /// The task's GPUs: `--gpus`/`--gpus-per-task`, else the sum of the `gpu` entries of `--gres`.
    var gpuCount: Int? {
        if let gpus { return gpus }
        let fromGres = gres.filter { $0.name == "gpu" }
        return fromGres.isEmpty ? nil : fromGres.reduce(0) { $0 + $1.count }
    }
    /// `--partition`, recorded as `SLURM_JOB_PARTITION`.
    var partition: String?
    /// `--account`, recorded as `SLURM_JOB_ACCOUNT`.
    var account: String?
    /// `--qos`, recorded as `SLURM_JOB_QOS`.
    var qos: String?
    /// `--dependency`/`-d`, read when the caller applies dependencies (the `sbatch` front end).
    var dependencies: [JobDependency]?
    /// Warnings at the lines of options that change what runs and are not honoured.
    var warnings: [JobSpecError] = []
    /// Allocation-only options seen, with the first place one was given.
    var allocationOnly: [String] = []
    var allocationOnlyLocation: SourceLocation?

    /// One `--gres` entry: `gpu:a100:2` is name `gpu`, type `a100`, count 2.
    struct GenericResource: Equatable {
        var name: String
        var type: String?
        var count: Int
    }

    /// Short options that take a value when written as separate words.
    static let shortWithValue: Set<String> = ["-a", "-A", "-b", "-c", "-d", "-D", "-e", "-i", "-J", "-L", "-m", "-M",
                                              "-n", "-N", "-o", "-p", "-q", "-S", "-t", "-w", "-x", "-B", "-C", "-F",
                                              "-G"]
    /// Long options that are flags (everything else long takes a value).
    static let longFlags: Set<String> = ["--exclusive", "--hold", "--parsable", "--quiet", "--requeue", "--no-requeue",
                                         "--overcommit", "--oversubscribe", "--contiguous", "--wait", "--verbose",
                                         "--spread-job", "--test-only", "--use-min-nodes", "--ignore-pbs",
                                         "--no-kill", "--get-user-env", "--reboot", "--exact", "--usage", "--help",
                                         "--wait-all-nodes", "--x11", "--kill-on-invalid-dep", "--nice",
                                         "--mem-bind", "--stepmgr"]

    /// Whether `name` takes a value when not written `--name=value`.
    static func takesValue(_ name: String) -> Bool {
        name.hasPrefix("--") ? !longFlags.contains(name) : shortWithValue.contains(name)
    }

    /// The long options the farm acts on (for near-miss detection).
    static let honouredLong = ["--array", "--job-name", "--output", "--error", "--input", "--time",
                               "--cpus-per-task", "--mem", "--mem-per-cpu", "--chdir", "--export"]

    /// Options about the allocation only: the farm runs inside one already.
    static let allocationOptions: Set<String> = [
        "-A", "--account", "-p", "--partition", "-q", "--qos", "--mail-type", "--mail-user", "--reservation",
        "--comment", "--wckey", "-M", "--clusters", "--parsable", "--quiet", "-Q", "--verbose", "-v", "--priority",
        "--nice", "--acctg-freq", "--profile", "--cluster-constraint", "--test-only", "--usage", "--help",
        "--requeue", "--no-requeue", "--uid", "--gid", "--deadline", "--delay-boot", "--power", "--prefer",
        "--ignore-pbs", "--wait", "-W", "--get-user-env", "--container", "--container-id", "--bb", "--bbf",
        "--burst-buffer", "--network", "--switches", "--reboot", "--kill-on-invalid-dep", "--time-min",
        "--export-file", "--propagate", "--x11", "--stepmgr", "--segment", "--resv-ports",
    ]

    /// Options that change what runs, where or when, and are not honoured inside the
    /// farm; each is warned at its line, with the reason: option name to reason.
    static let notHonoured: [String: String] = Dictionary(uniqueKeysWithValues: notHonouredByReason.flatMap { reason, names in
        names.map { ($0, reason) }
    })

    /// ``notHonoured`` written once per reason, since many options share one.
    private static let notHonouredByReason: [(reason: String, names: [String])] = [
        ("each array element runs as one task (one process) on one worker", ["-n", "--ntasks"]),
        ("each array element runs on one node, one worker", ["-N", "--nodes"]),
        ("each array element runs as one task on one worker",
         ["--ntasks-per-node", "--ntasks-per-core", "--ntasks-per-socket", "--ntasks-per-gpu"]),
        ("elements start as workers free up; use a DAG for dependencies", ["-d", "--dependency"]),
        ("elements start at once", ["-b", "--begin", "-H", "--hold"]),
        ("a task is sent SIGTERM only when it is stopped", ["--signal"]),
        ("workers are shared by the tasks their slots allow", ["--exclusive"]),
        ("the farm picks the worker",
         ["-w", "--nodelist", "-x", "--exclude", "-C", "--constraint", "-F", "--nodefile", "--mincpus", "-B",
          "--extra-node-info", "--sockets-per-node", "--cores-per-socket", "--threads-per-core", "--core-spec", "-S",
          "--thread-spec", "--batch"]),
        ("each element runs on one node", ["--contiguous", "--spread-job", "--use-min-nodes", "--wait-all-nodes"]),
        ("tasks are not bound to cores", ["--hint", "--cpu-bind", "--distribution", "-m"]),
        ("tasks are not bound to memory", ["--mem-bind"]),
        ("tasks are not bound to GPUs", ["--gpu-bind"]),
        ("the worker's CPU frequency is left alone", ["--cpu-freq"]),
        ("the GPU frequency is left alone", ["--gpu-freq"]),
        ("a task's output file is replaced each time it runs", ["--open-mode"]),
        ("a task takes its cpus-per-task slots", ["--overcommit", "-O"]),
        ("a worker runs as many tasks as its slots", ["--oversubscribe", "-s"]),
        ("a lost worker's tasks run again elsewhere", ["--no-kill", "-k"]),
        ("licences are not counted", ["--licenses", "-L"]),
        ("the farm runs the script file it is given", ["--wrap"]),
        ("each element is one task", ["--het-group"]),
        ("per-task trackable resources are not counted yet", ["--tres-per-task"]),
        ("tasks are not bound to resources", ["--tres-bind"]),
        ("give the task's cores with --cpus-per-task", ["--cpus-per-gpu"]),
        ("give the task's memory with --mem", ["--mem-per-gpu"]),
        ("give the task's GPUs with --gpus-per-task or --gres=gpu:N", ["--gpus-per-node", "--gpus-per-socket"]),
        ("local disk is not counted per task", ["--tmp"]),
    ]

    init() {}

    /// Reads `options` in order (a later option wins over an earlier one, as in sbatch).
    ///
    /// - Parameters:
    ///   - environment: the submitting environment, for `--export=NAME` without a value.
    /// - Throws: ``JobSpecError`` at the option for a bad value, or a near miss of an
    ///   honoured option.
    ///   - honoursDependencies: read `--dependency` for the caller to apply, instead of
    ///     warning that it is ignored.
    init(_ options: [BatchOption], environment: [String: String], honoursDependencies: Bool = false) throws(JobSpecError) {
        for option in options {
            if honoursDependencies, option.name == "-d" || option.name == "--dependency" {
                do {
                    dependencies = (dependencies ?? []) + (try JobDependency.parseSlurm(option.value ?? ""))
                } catch {
                    throw JobSpecError(error.message, at: option.location)
                }
                continue
            }
            try apply(option, environment: environment)
        }
    }

    private mutating func apply(_ option: BatchOption, environment: [String: String]) throws(JobSpecError) {
        let value = option.value ?? ""
        func bad(_ expected: String) -> JobSpecError {
            JobSpecError("bad \(option.name) '\(value)': expected \(expected)", at: option.location)
        }
        func count(_ text: String, minimum: Int = 1) throws(JobSpecError) -> Int {
            guard let number = Int(text), number >= minimum else { throw bad("a whole number of at least \(minimum)") }
            return number
        }
        switch option.name {
        case "-a", "--array":
            array = try ArrayRange(parsing: value, dialect: .slurm, location: option.valueLocation)
        case "-J", "--job-name": jobName = value
        case "-o", "--output": output = try OutputPattern(value, location: option.valueLocation).text
        case "-e", "--error": error = try OutputPattern(value, location: option.valueLocation).text
        case "-i", "--input": input = try OutputPattern(value, location: option.valueLocation).text
        case "-t", "--time":
            guard let limit = ResourceValues.slurmTime(value) else {
                throw bad("minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S")
            }
            if let seconds = limit, FarmLimits.durationProblem(seconds) != nil {
                throw bad("a time limit of at most 365-00:00:00 (365 days, as Slurm caps it), or UNLIMITED")
            }
            timeLimit = .some(limit)
        case "-c", "--cpus-per-task":
            guard let number = Int(value), FarmLimits.slotsProblem(number) == nil else { throw bad(FarmLimits.slotsExpectation) }
            cpusPerTask = number
            requestLines.cores = option.location
        case "--mem":
            guard let mib = ResourceValues.slurmMemoryMiB(value) else { throw bad("a size such as 4000, 500M or 4G") }
            memoryMiB = mib
            memoryPerCPUMiB = nil
            requestLines.memory = option.location
        case "--mem-per-cpu":
            guard let mib = ResourceValues.slurmMemoryMiB(value) else { throw bad("a size such as 4000, 500M or 4G") }
            memoryPerCPUMiB = mib
            memoryMiB = nil
            requestLines.memory = option.location
        case "-D", "--chdir": chdir = value
        case "--export":
            export = try Export(parsing: value, environment: environment, location: option.valueLocation)
        case "--gres":
            gres = []
            for entry in value.split(separator: ",") where entry.lowercased() != "none" {
                var parts = entry.split(separator: ":").map(String.init)
                var number = 1
                if parts.count > 1, let last = Int(parts[parts.count - 1]) {
                    guard last >= 0 else { throw bad("name[:type][:count],...") }
                    number = last
                    parts.removeLast()
                }
                guard let name = parts.first, !name.isEmpty, parts.count <= 2 else { throw bad("name[:type][:count],...") }
                gres.append(GenericResource(name: name, type: parts.count == 2 ? parts[1] : nil, count: number))
            }
            if gres.contains(where: { $0.name == "gpu" }) { requestLines.gpus = option.location }
            if let other = gres.first(where: { $0.name != "gpu" }) {
                warnings.append(JobSpecError("--gres \(other.name) is not counted inside the farm: only gpu is",
                                             at: option.location))
            }
        case "-G", "--gpus", "--gpus-per-task":
            // `[type:]count`
            let number = value.split(separator: ":").last.map(String.init) ?? value
            gpus = try count(number, minimum: 0)
            requestLines.gpus = option.location
        case "-p", "--partition":
            partition = value
            noteAllocation(option)
        case "-A", "--account":
            account = value
            noteAllocation(option)
        case "-q", "--qos":
            qos = value
            noteAllocation(option)
        default:
            if Self.allocationOptions.contains(option.name) {
                noteAllocation(option)
            } else if let why = Self.notHonoured[option.name] {
                warnings.append(JobSpecError("\(option.name) is not honoured inside the farm and is ignored: \(why)",
                                             at: option.location))
            } else if option.name.hasPrefix("--"),
                      let meant = Self.honouredLong.first(where: { SubmitCommands.editDistance(option.name, $0) <= 2 }) {
                // A near miss of an option the farm acts on would silently change the job
                // (`--arary=0-3` runs one task, not four): sbatch refuses it, and so do we.
                throw JobSpecError("\(option.name) is not an sbatch option (sbatch refuses it); did you mean \(meant)?",
                                   at: option.location)
            } else {
                warnings.append(JobSpecError("\(option.name) is not an sbatch option and is ignored",
                                             at: option.location))
            }
        }
    }

    private mutating func noteAllocation(_ option: BatchOption) {
        if !allocationOnly.contains(option.name) { allocationOnly.append(option.name) }
        if allocationOnlyLocation == nil { allocationOnlyLocation = option.location }
    }

    /// One warning for every allocation-only option seen (`--account`, `--partition`,
    /// `--mail-type`, ...), at the first one's line, or `nil` when there were none.
    var allocationWarning: JobSpecError? {
        guard let location = allocationOnlyLocation else { return nil }
        return JobSpecError("\(allocationOnly.joined(separator: ", ")) "
                            + "\(allocationOnly.count == 1 ? "is" : "are") about the allocation, which the farm "
                            + "already runs in, and \(allocationOnly.count == 1 ? "has" : "have") no effect", at: location)
    }

    /// These options with every option `commandLine` gives replacing this one's, as
    /// sbatch's command line wins over the script's directives.
    func overridden(by commandLine: SbatchOptions) -> SbatchOptions {
        var result = self
        if let value = commandLine.array { result.array = value }
        if let value = commandLine.jobName { result.jobName = value }
        if let value = commandLine.output { result.output = value }
        if let value = commandLine.error { result.error = value }
        if let value = commandLine.input { result.input = value }
        if let value = commandLine.timeLimit { result.timeLimit = value }
        if let value = commandLine.cpusPerTask {
            result.cpusPerTask = value
            result.requestLines.cores = commandLine.requestLines.cores
        }
        if commandLine.memoryMiB != nil || commandLine.memoryPerCPUMiB != nil {
            result.memoryMiB = commandLine.memoryMiB
            result.memoryPerCPUMiB = commandLine.memoryPerCPUMiB
            result.requestLines.memory = commandLine.requestLines.memory
        }
        if let value = commandLine.chdir { result.chdir = value }
        if let value = commandLine.export { result.export = value }
        if !commandLine.gres.isEmpty { result.gres = commandLine.gres }
        if let value = commandLine.gpus { result.gpus = value }
        if commandLine.gpuCount != nil { result.requestLines.gpus = commandLine.requestLines.gpus }
        if let value = commandLine.partition { result.partition = value }
        if let value = commandLine.account { result.account = value }
        if let value = commandLine.qos { result.qos = value }
        if let value = commandLine.dependencies { result.dependencies = value }
        result.warnings += commandLine.warnings
        for name in commandLine.allocationOnly where !result.allocationOnly.contains(name) {
            result.allocationOnly.append(name)
        }
        result.allocationOnlyLocation = result.allocationOnlyLocation ?? commandLine.allocationOnlyLocation
        return result
    }

    /// What `--export` passes: everything (`ALL`, the default), or only the named
    /// variables and `SLURM_*` (sbatch's rule for `NONE` and lists), plus `NAME=value`s.
    struct Export: Equatable {
        var all = true
        var names: [String] = []
        var set: [String: String] = [:]
        /// The value as given, for `SLURM_EXPORT_ENV`.
        var text = "ALL"

        init() {}

        /// Parses `ALL`, `NONE`, `NIL`, or `[ALL,]NAME[=value],...`.
        ///
        /// - Throws: ``JobSpecError`` at `location` for an entry that is not a name.
        init(parsing value: String, environment: [String: String], location: SourceLocation) throws(JobSpecError) {
            all = false
            text = value
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
