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

    @Option(name: .long, help: "The state folder (default: FILE.taskfarm beside the job file; stdin.taskfarm here for -, the job on standard input).")
    var stateDir: String?


    @Option(name: .long, help: "Write a GNU parallel joblog to this file.")
    var joblog: String?

    @OptionGroup var settings: FarmSettingsOptions

    @Option(name: .long, parsing: .unconditional, help: "Tasks a worker may hold queued per slot, beyond those running.")
    var prefetch: Int = 2

    @Option(name: .long, help: "A shell command run on rank 0 when a task with HTCondor's notification = Complete, Error or Always ends so (TASKFARM_NOTIFY_INDEX, _STATE, _EXIT_CODE, _SIGNAL, _USER); no mail is sent.")
    var notifyCommand: String?

    @Flag(name: .long, help: "On resume, also run tasks that failed, timed out or were cancelled.")
    var rerunFailed = false

    @Flag(name: .long, help: "Resume even though the expanded tasks changed: changed tasks run afresh.")
    var force = false

    @Flag(inversion: .prefixedNo, help: "Show a progress line on standard error, redrawn each second (default: when it is a terminal); --no-progress shows no progress at all.")
    var progress: Bool?

    @Option(name: .long, parsing: .unconditional, help: "Seconds between one-line progress summaries when no progress line is shown, as in batch logs (0: none).")
    var progressInterval: Double = 60

    @Option(name: .long, parsing: .unconditional, help: "After N tasks failed, start no new task; the run ends with exit 1 (GNU parallel --halt soon,fail=N).")
    var maxFailures: Int?

    func validate() throws {
        guard (0...FarmLimits.maximumPrefetch).contains(prefetch) else {
            throw ValidationError("--prefetch \(prefetch): expected 0 to \(FarmLimits.maximumPrefetch) tasks per slot")
        }
        if let expected = FarmLimits.durationProblem(progressInterval, allowsZero: true) {
            throw ValidationError("--progress-interval \(progressInterval): expected \(expected) (0: none)")
        }
        if let maxFailures, maxFailures < 1 { throw ValidationError("--max-failures \(maxFailures): expected 1 or more tasks") }
    }

    func run() throws {
        let logger = global.makeLogger()
        var options = settings.farmOptions(jobPath: job.file, stateDirectory: stateDir, output: job.output, error: job.error)
        options.joblog = joblog
        options.prefetchPerSlot = prefetch
        options.rerunFailed = rerunFailed
        options.force = force
        options.notifyCommand = notifyCommand
        options.progressLine = progress
        options.progressInterval = progressInterval
        options.maxFailures = maxFailures
        options.jobOverrides = job.overrides
        var overrides = job.overrides
        overrides.retiresNewerRescues = true
        overrides.chdir = settings.workingDirectory
        let readsStandardInput = job.file == StateFolder.standardInput
        let status = Farm.run(options, logger: logger) { path, runID throws(JobSpecError) in
            // With -, `path` is the state folder's copy of standard input: loaded as `check -`
            // loads it (a task list's messages name standard input; a DAG is refused).
            if readsStandardInput, let data = FileManager.default.contents(atPath: path) {
                return try JobFiles.load(standardInput: data, keptAt: path, runID: runID, overrides: overrides)
            }
            return try JobFiles.load(path: path, runID: runID, overrides: overrides)
        }
        if status != .success { throw ExitCode(status.rawValue) }
    }
}
