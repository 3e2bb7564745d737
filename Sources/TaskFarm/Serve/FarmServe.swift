import CTaskSpawn
import Foundation
import Logging
import MPI

extension Farm {
    /// Serves a task queue on this rank of the MPI world (`taskfarm serve`): rank 0 is the
    /// broker, the name-server rank serves names and writes the ``ConnectionFile``, the
    /// others are workers waiting for tasks. It runs until a client's shutdown, SIGTERM or
    /// SIGINT, or the walltime (drained as `taskfarm run` drains), and returns this rank's
    /// exit status: 0 after a requested shutdown, 75 after a signal or the walltime.
    public static func serve(_ options: ServeOptions, logger: Logger) -> ExitStatus {
        let clients = FarmRank.ClientReach(connectionFile: options.connectionFile, listen: options.listen,
                                             limits: options.clientLimits)
        return FarmRank.runTaskFarm(options.farm, clients: clients, logger: logger) { rank, workingDirectory, logger in
            // Rank 0 of a served farm always has the endpoint: opening it aborts the world otherwise.
            guard let access = rank.access else { return .internalError }
            return try broker(options, rank: rank, access: access, workingDirectory: workingDirectory, logger: logger)
        }
    }

    /// Rank 0 of `taskfarm serve`: reads back the queue, publishes the farm to clients,
    /// schedules what they submit until the farm ends, and writes the verdict.
    private static func broker(_ options: ServeOptions, rank: FarmRank, access: ClientAccess, workingDirectory: String,
                               logger: Logger) throws -> ExitStatus {
        let stateDirectory = options.farm.stateDirectory ?? ServeOptions.defaultStateDirectory
        let prepared: PreparedQueue
        switch QueuePreparation.prepare(stateDirectory: stateDirectory, options: options.farm) {
        case .failure(let problem): return try rank.abandon(problem, logger: logger)
        case .success(let queue): prepared = queue
        }
        for note in prepared.notes { logger.notice("\(note)") }
        try access.publish(runID: prepared.runID, through: rank.nameServer, nameServerIsHere: rank.servesNames)

        let job = prepared.job
        let policy = SchedulerPolicy(retries: options.farm.retries, retryUnlessExit: options.farm.retryUnlessExit,
                                     prefetchPerSlot: 0, maxConcurrent: nil)
        let replayed = prepared.replay
        var core = SchedulerCore(taskCount: job.taskCount, policy: policy, placement: JobPlacement(job: job),
                                 initialStates: job.taskCount == 0 ? nil : Array(replayed.states.prefix(job.taskCount)),
                                 initialAttempts: job.taskCount == 0 ? nil : Array(replayed.attempts.prefix(job.taskCount)))
        let queueStatus = QueueStatus(runID: prepared.runID, states: core.states, replay: replayed)
        let broker = QueueBroker(job: job, journal: prepared.journal, folder: prepared.folder, status: queueStatus)
        broker.restore(core: &core, replay: replayed) { logger.warning("\($0)") }
        let recorders: [RunRecorder] = [prepared.journal, LogRecorder(logger: logger, job: job), broker.inbox, queueStatus]
        let taskDefaults = TaskDefaults(outputs: prepared.outputs, timeLimit: options.farm.timeout,
                                        workingDirectory: options.farm.workingDirectory.map(absolutePath))
        var settings = Scheduler.Settings(options.farm, rank: rank, runID: prepared.runID, taskDefaults: taskDefaults,
                                          workingDirectory: workingDirectory, logger: logger)
        settings.serving = true
        let scheduler = Scheduler(transport: rank.transport, nameServer: rank.nameServer, job: job, core: core,
                                  settings: settings, recorders: recorders)
        try broker.attach(scheduler)
        access.service.broker = broker
        RunConclusion.watch(scheduler, runID: prepared.runID, folder: prepared.folder, environment: rank.environment,
                            logger: logger)
        rank.add(scheduler)
        try scheduler.start()
        try rank.runLoop()

        guard var ending = RunEnding(scheduler: scheduler, journal: prepared.journal, folder: prepared.folder,
                                     taskCount: job.taskCount, logger: logger) else {
            return .internalError
        }
        ending.result.resumeAdvice = "serving the same queue again runs the unfinished ones"
        let result = ending.result
        // A requested shutdown ends the farm with 0 whatever its tasks did (their submitters
        // learn that from `taskfarm wait`); the verdict says so in words, with the counts.
        // A journal that could not be written ends it resumable (75).
        let status: ExitStatus = ending.schedulerFailure != nil ? .internalError
            : ending.journalFailure != nil ? .interrupted : broker.shutdownRequested ? .success : .interrupted
        var message = ending.failure
        if message == nil, broker.shutdownRequested, result.exitStatus != .success || result.unfinished > 0 {
            message = "shut down on request with \(result.failed) failed, \(result.cancelled) cancelled and "
                + "\(result.unfinished) unfinished task(s); serving the same queue again runs the unfinished ones"
        }
        ending.record(status: status, message: message, journal: prepared.journal, folder: prepared.folder,
                      runID: prepared.runID, logger: logger)
        withExtendedLifetime(prepared.lock) {}
        return status
    }
}
