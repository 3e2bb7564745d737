import ArgumentParser
import JobSpec
import TaskFarm

/// How the farm runs its tasks: the options `run` and `serve` share.
///
/// Numeric, duration and size options throughout the command line read their value with `parsing: .unconditional`,
/// as getopt reads an option's argument: `--retries -1` reaches the range check and its
/// message, instead of argument-parser taking `-1` for an option ("Missing value").
struct FarmSettingsOptions: ParsableArguments {
    @OptionGroup var hosts: HostResourceArguments

    @Flag(name: .long, help: "Stop a task whose resident set passes its memory request (--mem, request_memory, mem=, --memory-per-task); it ends 'memory exceeded', as Slurm's OUT_OF_MEMORY.")
    var enforceMemory = false

    @Flag(inversion: .prefixedNo, help: "Pin each task to the cores it holds (default; measured faster, see docs/resources.md). --no-bind lets every task use every CPU of its host; OMP_NUM_THREADS is the task's cores either way.")
    var bind = true

    @Option(name: .long, parsing: .unconditional, help: "The older way to size hosts: each worker adds S cores to its host's pool (use --cpus-per-host instead).")
    var slotsPerWorker: Int?

    @Option(name: .long, parsing: .unconditional, help: "The name server's rank (0 runs it beside the scheduler).")
    var nameServerRank: Int?

    @Option(name: .long, parsing: .unconditional, help: "Retries after the first attempt of a failed task.")
    var retries: Int = 0

    @Option(name: .long, parsing: .unconditional, help: "Never retry a task that exits with this code.")
    var retryUnlessExit: Int?

    @Option(name: .long, parsing: .unconditional, help: "Per-task time limit: SECONDS, HH:MM:SS or 90s/5m/2h, as --walltime.")
    var timeout: String?

    @Option(name: .long, parsing: .unconditional, help: "Seconds between SIGTERM and SIGKILL when a task is stopped.")
    var killGrace: Double = 1.0

    @Option(name: .customLong("chdir"), help: "The working directory of tasks that name none.")
    var workingDirectory: String?

    @Option(name: .long, parsing: .unconditional, help: "How long the farm may run: SECONDS, MM:SS, HH:MM:SS, D-HH:MM:SS, or 90s/30m/2h/1d (default: the allocation's end, from Slurm or PBS).")
    var walltime: String?

    @Option(name: .long, parsing: .unconditional, help: "Expected seconds per task, for walltime draining (default: the longest task so far).")
    var taskTime: Double?

    @Option(name: .long, parsing: .unconditional, help: "Seconds without word from a worker after which it is lost and its tasks run elsewhere (default 10).")
    var workerTimeout: Double = WorkerLiveness.defaultTimeout

    @Option(name: .long, parsing: .unconditional, help: "Fail a task once it has lost this many workers (its rank died or its host went silent while it ran; default 3).")
    var crashLimit: Int = 3

    /// Every duration and count is checked against ``FarmLimits``, so that no value the
    /// command line accepts can overflow a conversion on a worker.
    func validate() throws {
        if let slotsPerWorker, let expected = FarmLimits.slotsProblem(slotsPerWorker) {
            throw ValidationError("--slots-per-worker \(slotsPerWorker): expected \(expected)")
        }
        if slotsPerWorker != nil, hosts.cpusPerHost != nil {
            throw ValidationError("--slots-per-worker and --cpus-per-host both size the hosts' pools; give only --cpus-per-host")
        }
        if let expected = FarmLimits.retriesProblem(retries) {
            throw ValidationError("--retries \(retries): expected \(expected)")
        }
        if let timeout, Walltime.parseDuration(timeout) == nil {
            throw ValidationError("--timeout '\(timeout)' is not a duration; expected SECONDS, HH:MM:SS or 90s/5m/2h")
        }
        // Each value is named as it was typed (`--timeout 400d`), not as the seconds it means.
        let durations: [(String, typed: String?, Double?, allowsZero: Bool)] = [
            ("--timeout", timeout, timeout.flatMap(Walltime.parseDuration), false),
            ("--kill-grace", nil, killGrace, true),
            ("--task-time", nil, taskTime, true),
        ]
        for case let (option, typed, value?, allowsZero) in durations {
            if let expected = FarmLimits.durationProblem(value, allowsZero: allowsZero) {
                throw ValidationError("\(option) \(typed ?? Self.shown(value)): expected \(expected)")
            }
        }
        guard workerTimeout >= 1, FarmLimits.durationProblem(workerTimeout) == nil else {
            throw ValidationError("--worker-timeout \(workerTimeout): expected a number of seconds from 1 to \(Int(FarmLimits.maximumDurationSeconds))")
        }
        guard (1...FarmLimits.maximumRetries).contains(crashLimit) else {
            throw ValidationError("--crash-limit \(crashLimit): expected 1 to \(FarmLimits.maximumRetries) lost workers")
        }
        if let walltime {
            guard let seconds = Walltime.parseDuration(walltime) else {
                throw ValidationError("--walltime '\(walltime)' is not a duration; expected SECONDS, HH:MM:SS, D-HH:MM:SS or 30m")
            }
            if let expected = FarmLimits.durationProblem(seconds) {
                throw ValidationError("--walltime '\(walltime)': expected \(expected)")
            }
        }
    }

    /// `value` as a user would type it: `-2`, not `-2.0`; `1e+300` as Swift prints it.
    private static func shown(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }

    /// The farm's options for a job file (or `(queue)`), with these settings.
    func farmOptions(jobPath: String, stateDirectory: String?, output: String?, error: String?) -> FarmOptions {
        var options = FarmOptions(jobPath: jobPath, stateDirectory: stateDirectory, output: output, error: error,
                                  nameServerRank: nameServerRank, retries: retries,
                                  retryUnlessExit: retryUnlessExit, timeout: timeout.flatMap(Walltime.parseDuration), killGrace: killGrace,
                                  workingDirectory: workingDirectory)
        options.walltime = walltime.flatMap(Walltime.parseDuration)
        options.taskTime = taskTime
        options.workerTimeout = workerTimeout
        options.crashLimit = crashLimit
        options.resources = hosts.options
        options.resources.slotsPerWorker = slotsPerWorker
        options.resources.bind = bind
        options.enforceMemory = enforceMemory
        return options
    }
}
