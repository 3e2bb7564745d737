import ArgumentParser
import Foundation
import JobSpec
import Logging
import TaskFarm

/// `taskfarm run FILE`: runs a job file as a task farm.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a job file: a task list, an HTCondor submit description, a PBS or Slurm array script, or a DAG.",
        discussion: """
            Every rank of mpirun runs this same command. With one rank (no mpirun) rank 0 \
            runs the tasks itself. Output patterns take Slurm's letters: %A run id, %a task \
            index, %j run id and index, %N host, %x job name, %u user, %s attempt, %% a \
            percent sign, and zero padding such as %4a.
            """
    )

    @OptionGroup var global: GlobalOptions

    @OptionGroup var job: JobFileOptions

    @Option(name: .long, help: "The state folder (default: FILE.taskfarm beside the job file).")
    var stateDir: String?


    @Option(name: .long, help: "Write a GNU parallel joblog to this file.")
    var joblog: String?

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

    @Option(name: .customLong("chdir"), help: "The tasks' working directory.")
    var workingDirectory: String?

    @Option(name: .long, help: "Tasks a worker may hold queued per slot, beyond those running.")
    var prefetch: Int = 2

    @Option(name: .long, help: "How long the farm may run: SECONDS, MM:SS, HH:MM:SS, D-HH:MM:SS, or 90s/30m/2h/1d (default: the allocation's end, from Slurm or PBS).")
    var walltime: String?

    @Option(name: .long, help: "Expected seconds per task, for walltime draining (default: the longest task so far).")
    var taskTime: Double?

    @Option(name: .long, help: "A shell command run on rank 0 when a task with HTCondor's notification = Complete, Error or Always ends so (TASKFARM_NOTIFY_INDEX, _STATE, _EXIT_CODE, _SIGNAL, _USER); no mail is sent.")
    var notifyCommand: String?

    @Flag(name: .long, help: "On resume, also run tasks that failed, timed out or were cancelled.")
    var rerunFailed = false

    @Flag(name: .long, help: "Resume even though the expanded tasks changed: changed tasks run afresh.")
    var force = false

    func validate() throws {
        guard slotsPerWorker >= 1 else { throw ValidationError("--slots-per-worker must be at least 1") }
        guard retries >= 0 else { throw ValidationError("--retries must be 0 or more") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
        guard killGrace >= 0 else { throw ValidationError("--kill-grace must be 0 or more seconds") }
        guard prefetch >= 0 else { throw ValidationError("--prefetch must be 0 or more") }
        if let walltime, Walltime.parseDuration(walltime) == nil {
            throw ValidationError("--walltime '\(walltime)' is not a duration; expected SECONDS, HH:MM:SS, D-HH:MM:SS or 30m")
        }
    }

    func run() throws {
        let logger = global.makeLogger()
        var options = FarmOptions(
            jobPath: job.file, stateDirectory: stateDir, output: job.output, error: job.error, joblog: joblog,
            slotsPerWorker: slotsPerWorker, nameServerRank: nameServerRank, retries: retries,
            retryUnlessExit: retryUnlessExit, timeout: timeout, killGrace: killGrace,
            workingDirectory: workingDirectory, prefetchPerSlot: prefetch)
        options.rerunFailed = rerunFailed
        options.force = force
        options.walltime = walltime.flatMap(Walltime.parseDuration)
        options.taskTime = taskTime
        options.notifyCommand = notifyCommand
        var overrides = job.overrides
        overrides.retiresNewerRescues = true
        let status = Farm.run(options, logger: logger) { path, runID throws(JobSpecError) in
            try JobFiles.load(path: path, runID: runID, overrides: overrides)
        }
        if status != .success { throw ExitCode(status.rawValue) }
    }
}
