import ArgumentParser
import TaskFarm

/// How the farm runs its tasks: the options `run` and `serve` share.
struct FarmSettingsOptions: ParsableArguments {
    @Option(name: .long, help: "Task slots each worker offers.")
    var slotsPerWorker: Int = 1

    @Option(name: .long, help: "The name server's rank (0 runs it beside the scheduler).")
    var nameServerRank: Int?

    @Option(name: .long, help: "Retries after the first attempt of a failed task.")
    var retries: Int = 0

    @Option(name: .long, help: "Never retry a task that exits with this code.")
    var retryUnlessExit: Int?

    @Option(name: .long, help: "Per-task time limit, in seconds.")
    var timeout: Double?

    @Option(name: .long, help: "Seconds between SIGTERM and SIGKILL when a task is stopped.")
    var killGrace: Double = 1.0

    @Option(name: .customLong("chdir"), help: "The working directory of tasks that name none.")
    var workingDirectory: String?

    @Option(name: .long, help: "How long the farm may run: SECONDS, MM:SS, HH:MM:SS, D-HH:MM:SS, or 90s/30m/2h/1d (default: the allocation's end, from Slurm or PBS).")
    var walltime: String?

    @Option(name: .long, help: "Expected seconds per task, for walltime draining (default: the longest task so far).")
    var taskTime: Double?

    @Option(name: .long, help: "Seconds without word from a worker after which it is lost and its tasks run elsewhere (default 10).")
    var workerTimeout: Double = WorkerLiveness.defaultTimeout

    @Option(name: .long, help: "Fail a task once it has lost this many workers (its rank died or its host went silent while it ran; default 3).")
    var crashLimit: Int = 3

    func validate() throws {
        guard slotsPerWorker >= 1 else { throw ValidationError("--slots-per-worker must be at least 1") }
        guard retries >= 0 else { throw ValidationError("--retries must be 0 or more") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
        guard workerTimeout >= 1, workerTimeout.isFinite else { throw ValidationError("--worker-timeout must be at least 1 second") }
        guard crashLimit >= 1 else { throw ValidationError("--crash-limit must be at least 1") }
        guard killGrace >= 0 else { throw ValidationError("--kill-grace must be 0 or more seconds") }
        if let walltime, Walltime.parseDuration(walltime) == nil {
            throw ValidationError("--walltime '\(walltime)' is not a duration; expected SECONDS, HH:MM:SS, D-HH:MM:SS or 30m")
        }
    }

    /// The farm's options for a job file (or `(queue)`), with these settings.
    func farmOptions(jobPath: String, stateDirectory: String?, output: String?, error: String?) -> FarmOptions {
        var options = FarmOptions(jobPath: jobPath, stateDirectory: stateDirectory, output: output, error: error,
                                  slotsPerWorker: slotsPerWorker, nameServerRank: nameServerRank, retries: retries,
                                  retryUnlessExit: retryUnlessExit, timeout: timeout, killGrace: killGrace,
                                  workingDirectory: workingDirectory)
        options.walltime = walltime.flatMap(Walltime.parseDuration)
        options.taskTime = taskTime
        options.workerTimeout = workerTimeout
        options.crashLimit = crashLimit
        return options
    }
}
