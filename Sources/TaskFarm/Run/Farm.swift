import CTaskSpawn
import Foundation
import JobSpec
import Logging
import MPI

/// Runs a job as a task farm on every rank of the MPI world: rank 0 schedules, one rank
/// serves names, the others run tasks. Every rank of `mpirun` calls ``run(_:logger:loadJob:)``
/// with the same options.
public enum Farm {
    /// Loads the job file on rank 0, once the run id (which some formats expand into
    /// names, such as HTCondor's `$(Cluster)`) is known.
    public typealias JobLoader = (_ path: String, _ runID: Int) throws(JobSpecError) -> any Job

    /// Runs the farm on this rank and returns this rank's exit status (see ``ExitStatus``).
    ///
    /// Signal handlers are installed before MPI starts, so a SIGUSR1 forwarded by
    /// `mpirun` never kills a rank.
    public static func run(_ options: FarmOptions, logger: Logger, loadJob: JobLoader) -> ExitStatus {
        FarmRank.runTaskFarm(options, clients: nil, logger: logger) { rank, workingDirectory, logger in
            try schedule(options, rank: rank, workingDirectory: workingDirectory, logger: logger, loadJob: loadJob)
        }
    }

    /// Rank 0 of `taskfarm run`: prepares the run, schedules it to the end and writes the verdict.
    private static func schedule(_ options: FarmOptions, rank: FarmRank, workingDirectory: String, logger: Logger,
                                 loadJob: JobLoader) throws -> ExitStatus {
        let prepared: PreparedRun
        switch RunPreparation.prepare(options, workingDirectory: workingDirectory, loadJob: loadJob) {
        case .failure(let problem):
            if let folder = problem.folder {
                RunConclusion.writeVerdict(Verdict(status: problem.status, runID: problem.runID ?? 0, message: problem.message),
                                           to: folder, logger: logger)
            }
            return try rank.abandon(problem, logger: logger)
        case .success(let run):
            prepared = run
        }
        let job = prepared.job
        for warning in job.warnings { logger.warning("\(warning.warningDescription)") }
        // Resume notes go to the user whatever the log level: a resume that skips everything
        // must not look like a run that did nothing.
        for note in prepared.notes { ConsoleOutput.standardError("taskfarm: \(note)\n") }
        if job.taskCount == 0 {
            logger.warning("\(options.jobPath): no tasks in the file; nothing to run")
        }
        let notifier = options.notifyCommand.map { NotifyRecorder(command: $0, job: job, environment: rank.environment) }
        let dagDriver = DAGDriver.make(for: job, prepared: prepared, options: options, workingDirectory: workingDirectory,
                                       environment: rank.environment, logger: logger)
        let recorders = recorders(prepared, notifier: notifier, dagDriver: dagDriver, logger: logger)
        let progress = ProgressReporter.mode(forced: options.progressLine, interval: options.progressInterval) {
            TerminalCheck.standardErrorIsTerminal(environment: rank.environment)
        }.map { mode in
            let states = prepared.plan.initialStates ?? []
            return ProgressReporter(mode: mode, total: job.taskCount, done: states.count(where: { $0 == .succeeded }),
                                    failed: states.count(where: \.isUnsuccessfulEnd),
                                    now: Clock.monotonicSeconds())
        }
        let policy = SchedulerPolicy(retries: options.retries, retryUnlessExit: options.retryUnlessExit,
                                     prefetchPerSlot: options.prefetchPerSlot, maxConcurrent: job.maxConcurrent)
        var core = SchedulerCore(taskCount: job.taskCount, policy: policy, placement: JobPlacement(job: job),
                                 initialStates: prepared.plan.initialStates,
                                 initialAttempts: prepared.plan.initialAttempts)
        if dagDriver != nil { core.useExternalFeed() }
        let settings = Scheduler.Settings(options, rank: rank, runID: prepared.runID, taskDefaults: prepared.taskDefaults,
                                          workingDirectory: workingDirectory, logger: logger)
        let scheduler = Scheduler(transport: rank.transport, nameServer: rank.nameServer, job: job, core: core,
                                  settings: settings, recorders: recorders + (progress.map { [$0] } ?? []))
        RunConclusion.watch(scheduler, runID: prepared.runID, folder: prepared.folder, environment: rank.environment,
                            logger: logger)
        rank.add(scheduler)
        if let progress { rank.add(progress) }
        if let dagDriver {
            dagDriver.attach(to: scheduler)
            rank.add(dagDriver)
        }
        try scheduler.start()
        try rank.runLoop()
        progress?.finish()

        // Notifications get a few seconds at the end, none after an interruption: mpirun
        // kills the ranks about 2 s after it forwards SIGTERM.
        notifier?.waitForAll(timeout: scheduler.result?.exitStatus == .interrupted ? 0 : 10)
        for problem in notifier?.problems ?? [] { logger.warning("\(problem)") }
        guard let ending = RunEnding(scheduler: scheduler, journal: prepared.journal, folder: prepared.folder,
                                     taskCount: job.taskCount, logger: logger) else {
            return .internalError
        }
        var status = ending.status
        var dagSummary: String?
        if let dagDriver {
            let dag = dagDriver.conclude(ending.result)
            if ending.failure == nil { status = dag.status }
            dagSummary = dag.summary
        }
        let halted = ending.result.haltedAtFailures != nil ? scheduler.stopNote : nil
        ending.record(status: status, message: ending.failure ?? dagSummary ?? halted, extraSummary: dagSummary,
                      journal: prepared.journal, folder: prepared.folder, runID: prepared.runID, logger: logger)
        withExtendedLifetime(prepared.lock) {}
        return status
    }

    /// The run's recorders: the journal, the log, and those the options and the job ask
    /// for (the joblog, an HTCondor event log, notifications, a DAG's driver).
    private static func recorders(_ prepared: PreparedRun, notifier: NotifyRecorder?, dagDriver: DAGDriver?,
                                  logger: Logger) -> [RunRecorder] {
        let job = prepared.job
        var recorders: [RunRecorder] = [prepared.journal, LogRecorder(logger: logger, job: job)]
        if let joblog = prepared.joblog { recorders.append(JoblogRecorder(joblog: joblog, job: job)) }
        if let eventLog = EventLogRecorder(job: job, initialStates: prepared.plan.initialStates,
                                           submitHost: HostFacts.hostName) {
            for problem in eventLog.problems { logger.warning("\(problem)") }
            recorders.append(eventLog)
        }
        if let notifier { recorders.append(notifier) }
        if let dagDriver { recorders.append(dagDriver.inbox) }
        return recorders
    }

    /// The allocation's end on the monotonic clock, from `--walltime` or the batch system.
    static func walltimeEnd(_ options: FarmOptions, environment: [String: String], logger: Logger) -> Double? {
        let now = Clock.monotonicSeconds()
        if let walltime = options.walltime { return now + walltime }
        let epoch = Clock.epochSeconds()
        guard let end = Walltime.allocationEnd(environment: environment, now: epoch) else { return nil }
        logger.notice("the allocation ends in \(Int(saturating: end - epoch)) s; tasks that cannot finish by then will not start")
        return now + (end - epoch)
    }

    /// `path` made absolute against the current directory, as the state folder is named.
    public static func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
