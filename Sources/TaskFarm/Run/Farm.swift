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
        RankLifecycle.run(logger: logger) { world, logger in
            try runRank(options, world: world, logger: logger, loadJob: loadJob)
        }
    }

    private static func runRank(_ options: FarmOptions, world: Communicator, logger: Logger,
                                loadJob: JobLoader) throws -> ExitStatus {
        let environment = ProcessInfo.processInfo.environment
        if let mismatch = LaunchCheck.mismatch(worldSize: world.size, environment: environment) {
            logger.critical("\(mismatch)")
            return .internalError
        }
        let layout: RoleLayout
        do {
            layout = try RoleLayout(size: world.size, requestedNameServerRank: options.nameServerRank)
        } catch {
            if world.rank == 0 { logger.error("\(error)") }
            return .usage
        }
        let transport = MPITransport(communicator: world)
        let client = NameServerClient(transport: transport, serverRank: layout.nameServerRank)
        var roles: [RankRole] = [client]
        if world.rank == layout.nameServerRank { roles.append(NameServer(transport: transport)) }
        if layout.isWorker(world.rank) {
            let taskDirectory = options.workingDirectory.map(absolutePath) ?? FileManager.default.currentDirectoryPath
            let ad = WorkerAd(rank: world.rank, host: HostFacts.hostName, cores: HostFacts.cores,
                              memoryBytes: HostFacts.memoryBytes, slots: max(1, options.slotsPerWorker),
                              diskKiB: HostFacts.freeDiskKiB(at: taskDirectory), arch: HostFacts.arch)
            let worker = Worker(transport: transport, nameServer: client, schedulerRank: 0, ad: ad,
                                environment: environment,
                                heartbeatInterval: WorkerLiveness.heartbeatInterval(timeout: options.workerTimeout))
            try worker.register()
            roles.append(worker)
        }
        guard world.rank == 0 else {
            try RankLoop(transport: transport, roles: roles).run()
            return .success
        }

        let workingDirectory = options.workingDirectory.map(absolutePath) ?? FileManager.default.currentDirectoryPath
        let prepared: PreparedRun
        switch RunPreparation.prepare(options, workingDirectory: workingDirectory, loadJob: loadJob) {
        case .failure(let problem):
            logger.error("\(problem.message)")
            if let folder = problem.folder {
                try? folder.writeVerdict(Verdict(status: problem.status, runID: problem.runID ?? 0, message: problem.message))
            }
            for rank in 0..<world.size {
                try transport.send(StopMessage(reason: .finished).encode(), to: rank, tag: .stop)
            }
            try RankLoop(transport: transport, roles: roles).run()
            return problem.status
        case .success(let run):
            prepared = run
        }
        let job = prepared.job
        for warning in job.warnings { logger.warning("\(warning.warningDescription)") }
        // Resume notes go to the user whatever the log level: a resume that skips everything
        // must not look like a run that did nothing.
        for note in prepared.notes { FileHandle.standardError.write(Data("taskfarm: \(note)\n".utf8)) }
        if job.taskCount == 0 {
            logger.warning("\(options.jobPath): no tasks in the file; nothing to run")
        }

        var hostByRank: [Int: String] = [:]
        var recorders: [RunRecorder] = [
            HostRecorder { hostByRank[$0] = $1 },
            prepared.journal,
            LogRecorder(logger: logger, job: job),
        ]
        if let joblog = prepared.joblog {
            recorders.append(JoblogRecorder(joblog: joblog, job: job) { hostByRank[$0] ?? "rank\($0)" })
        }
        if let eventLog = EventLogRecorder(job: job, initialStates: prepared.plan.initialStates,
                                           submitHost: HostFacts.hostName) {
            for problem in eventLog.problems { logger.warning("\(problem)") }
            recorders.append(eventLog)
        }
        let notifier = options.notifyCommand.map { NotifyRecorder(command: $0, job: job, environment: environment) }
        if let notifier { recorders.append(notifier) }
        let matcher = WorkerMatcher.make(for: job)

        let policy = SchedulerPolicy(retries: options.retries, retryUnlessExit: options.retryUnlessExit,
                                     prefetchPerSlot: options.prefetchPerSlot, maxConcurrent: job.maxConcurrent)
        let dagDriver = DAGDriver.make(for: job, prepared: prepared, options: options, workingDirectory: workingDirectory,
                                       environment: environment, logger: logger)
        if let dagDriver { recorders.append(dagDriver) }
        var core = SchedulerCore(taskCount: job.taskCount, policy: policy,
                                 initialStates: prepared.plan.initialStates,
                                 initialAttempts: prepared.plan.initialAttempts,
                                 slotsOf: { job.task(at: $0).slots },
                                 retriesOf: { job.task(at: $0).maxRetries },
                                 prerequisitesOf: { job.prerequisites(of: $0) },
                                 matches: matcher.map { matcher in { matcher.matches($0, $1) } } ?? { _, _ in true },
                                 rankOf: matcher.flatMap { matcher in matcher.hasRank ? { matcher.rank($0, $1) } : nil },
                                 whyUnmatched: matcher.map { matcher in { matcher.whyUnmatched($0, workers: $1) } })
        if dagDriver != nil { core.useExternalFeed() }
        var settings = Scheduler.Settings(
            runID: prepared.runID, workerRanks: layout.workerRanks, allRanks: Array(0..<world.size),
            outputs: prepared.outputs, defaultTimeLimit: options.timeout, killGrace: options.killGrace,
            workingDirectory: workingDirectory, startupTimeout: 300,
            walltimeEnd: walltimeEnd(options, environment: environment, logger: logger), taskTime: options.taskTime)
        settings.workerTimeout = options.workerTimeout
        settings.crashLimit = options.crashLimit
        if let matcher {
            settings.unmatchable = { workers, isPending in
                matcher.unmatchable(workers: workers, taskCount: job.taskCount, isPending: isPending)
            }
        }
        let scheduler = Scheduler(transport: transport, nameServer: client, job: job, core: core, settings: settings,
                                  recorders: recorders)
        WorkerRecovery.attach(to: scheduler, environment: environment, logger: logger)
        scheduler.onInterrupt = { reason in
            // Replaced by the final verdict if the rank lives that long (mpirun ends a job
            // whose rank died with SIGTERM, then SIGKILL 1 s later).
            try? prepared.folder.writeVerdict(Verdict(
                status: .interrupted, runID: prepared.runID,
                message: "\(reason); the run was stopped before it could count its tasks: run again to resume"
                    + (WorkerRecovery.isEnabled(environment: environment) ? ""
                        : " (if mpirun stopped it because a rank died: \(WorkerRecovery.howToEnable))")))
        }
        roles.append(scheduler)
        if let dagDriver {
            dagDriver.attach(to: scheduler)
            roles.append(dagDriver)
        }
        try scheduler.start()
        try RankLoop(transport: transport, roles: roles).run()

        // Notifications get a few seconds at the end, none after an interruption: mpirun
        // kills the ranks about 2 s after it forwards SIGTERM.
        notifier?.waitForAll(timeout: scheduler.result?.exitStatus == .interrupted ? 0 : 10)
        for problem in notifier?.problems ?? [] { logger.warning("\(problem)") }
        if let note = scheduler.stopNote { logger.notice("\(note)") }
        var failure = scheduler.failure
        if failure == nil, let journalError = prepared.journal.writeError { failure = journalError }
        if let failure { logger.error("\(failure)") }
        guard let result = scheduler.result else { return .internalError }
        FileHandle.standardOutput.write(Data((result.summaryLine + "\n").utf8))
        var status = failure != nil ? ExitStatus.internalError : result.exitStatus
        var dagSummary: String?
        if let dagDriver {
            let dag = dagDriver.conclude(result)
            FileHandle.standardOutput.write(Data((dag.summary + "\n").utf8))
            if failure == nil { status = dag.status }
            dagSummary = dag.summary
        }
        prepared.journal.append(.runEnded(time: Clock.epochSeconds(), status: Int(status.rawValue)), durableNow: true)
        try prepared.folder.writeVerdict(Verdict(status: status, runID: prepared.runID, result: result, message: failure ?? dagSummary))
        withExtendedLifetime(prepared.lock) {}
        return status
    }

    /// The allocation's end on the monotonic clock, from `--walltime` or the batch system.
    static func walltimeEnd(_ options: FarmOptions, environment: [String: String], logger: Logger) -> Double? {
        let now = Clock.monotonicSeconds()
        if let walltime = options.walltime { return now + walltime }
        let epoch = Clock.epochSeconds()
        guard let end = Walltime.allocationEnd(environment: environment, now: epoch) else { return nil }
        logger.notice("the allocation ends in \(Int(end - epoch)) s; tasks that cannot finish by then will not start")
        return now + (end - epoch)
    }

    static func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

/// Learns each worker's host as tasks start, for the joblog's Host column.
final class HostRecorder: RunRecorder {
    private let note: (Int, String) -> Void
    private var known = Set<Int>()

    init(note: @escaping (Int, String) -> Void) { self.note = note }

    func taskStarted(position: Int, attempt: Int, worker: WorkerAd, time: Double) {
        if known.insert(worker.rank).inserted { note(worker.rank, worker.host) }
    }

    func taskEnded(position: Int, state: TaskState, completion: TaskCompletion) {}
}
