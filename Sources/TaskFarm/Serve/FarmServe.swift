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
        RankLifecycle.run(logger: logger) { world, logger in
            try serveRank(options, world: world, logger: logger)
        }
    }

    private static func serveRank(_ options: ServeOptions, world: Communicator, logger: Logger) throws -> ExitStatus {
        let environment = ProcessInfo.processInfo.environment
        if let mismatch = LaunchCheck.mismatch(worldSize: world.size, environment: environment) {
            logger.critical("\(mismatch)")
            return .internalError
        }
        let layout: RoleLayout
        let address: ListenAddress
        do {
            layout = try RoleLayout(size: world.size, requestedNameServerRank: options.farm.nameServerRank)
            address = try ListenAddress(parsing: options.listen)
        } catch {
            if world.rank == 0 { logger.error("\(error)") }
            return .usage
        }
        let transport = MPITransport(communicator: world)
        let client = NameServerClient(transport: transport, serverRank: layout.nameServerRank)
        var roles: [RankRole] = [client]
        let isNameServer = world.rank == layout.nameServerRank
        let nameServer = isNameServer ? NameServer(transport: transport) : nil
        if let nameServer { roles.append(nameServer) }
        if layout.isWorker(world.rank) {
            let ad = WorkerAd(rank: world.rank, host: HostFacts.hostName, cores: HostFacts.cores,
                              memoryBytes: HostFacts.memoryBytes, slots: max(1, options.farm.slotsPerWorker))
            let worker = Worker(transport: transport, nameServer: client, schedulerRank: 0, ad: ad, environment: environment,
                                heartbeatInterval: WorkerLiveness.heartbeatInterval(timeout: options.farm.workerTimeout))
            try worker.register()
            roles.append(worker)
        }
        let access = ClientAccess.open(rank: world.rank, layout: layout, address: address,
                                       connectionFile: options.connectionFile, nameServer: nameServer, logger: logger)
        defer { access?.close() }
        if let access {
            roles.append(access.service)
            if isNameServer, world.rank != 0 { try access.awaitSecret(through: client) }
        }
        guard world.rank == 0, let access else {
            try RankLoop(transport: transport, roles: roles).run()
            return .success
        }

        let stateDirectory = options.farm.stateDirectory ?? ServeOptions.defaultStateDirectory
        let prepared: PreparedQueue
        switch QueuePreparation.prepare(stateDirectory: stateDirectory) {
        case .failure(let problem):
            logger.error("\(problem.message)")
            for rank in 0..<world.size {
                try transport.send(StopMessage(reason: .finished).encode(), to: rank, tag: .stop)
            }
            try RankLoop(transport: transport, roles: roles).run()
            return problem.status
        case .success(let queue):
            prepared = queue
        }
        for note in prepared.notes { logger.notice("\(note)") }
        try access.publish(runID: prepared.runID, through: client, nameServerIsHere: isNameServer)

        let job = prepared.job
        let broker = QueueBroker(job: job, journal: prepared.journal, folder: prepared.folder)
        let recorders: [RunRecorder] = [prepared.journal, LogRecorder(logger: logger, job: job), broker]
        let policy = SchedulerPolicy(retries: options.farm.retries, retryUnlessExit: options.farm.retryUnlessExit,
                                     prefetchPerSlot: 0, maxConcurrent: nil)
        let replayed = prepared.replay
        var core = SchedulerCore(taskCount: job.taskCount, policy: policy,
                                 initialStates: job.taskCount == 0 ? nil : Array(replayed.states.prefix(job.taskCount)),
                                 initialAttempts: job.taskCount == 0 ? nil : Array(replayed.attempts.prefix(job.taskCount)),
                                 slotsOf: { job.task(at: $0).slots },
                                 retriesOf: { job.task(at: $0).maxRetries })
        broker.restore(core: &core, replay: replayed)
        let workingDirectory = options.farm.workingDirectory.map(absolutePath) ?? FileManager.default.currentDirectoryPath
        let outputs = OutputDefaults(output: options.farm.output, error: options.farm.error,
                                     defaultOutput: prepared.folder.outputFolder + "/%a.out",
                                     defaultError: prepared.folder.outputFolder + "/%a.err")
        var settings = Scheduler.Settings(
            runID: prepared.runID, workerRanks: layout.workerRanks, allRanks: Array(0..<world.size),
            outputs: outputs, defaultTimeLimit: options.farm.timeout, killGrace: options.farm.killGrace,
            workingDirectory: workingDirectory, startupTimeout: 300,
            walltimeEnd: walltimeEnd(options.farm, environment: environment, logger: logger), taskTime: options.farm.taskTime)
        settings.serving = true
        settings.workerTimeout = options.farm.workerTimeout
        settings.crashLimit = options.farm.crashLimit
        let scheduler = Scheduler(transport: transport, nameServer: client, job: job, core: core, settings: settings,
                                  recorders: recorders)
        try broker.attach(scheduler)
        WorkerRecovery.attach(to: scheduler, environment: environment, logger: logger)
        access.service.broker = broker
        roles.append(scheduler)
        try scheduler.start()
        try RankLoop(transport: transport, roles: roles).run()

        if let note = scheduler.stopNote { logger.notice("\(note)") }
        var failure = scheduler.failure
        if failure == nil, let journalError = prepared.journal.writeError { failure = journalError }
        if let failure { logger.error("\(failure)") }
        guard let result = scheduler.result else { return .internalError }
        // A requested shutdown ends the farm with 0 whatever its tasks did (their submitters
        // learn that from `taskfarm wait`); the verdict says so in words, with the counts.
        let status: ExitStatus = failure != nil ? .internalError : broker.shutdownRequested ? .success : .interrupted
        var message = failure
        if message == nil, broker.shutdownRequested, result.exitStatus != .success || result.unfinished > 0 {
            message = "shut down on request with \(result.failed) failed, \(result.cancelled) cancelled and "
                + "\(result.unfinished) unfinished task(s); serving the same queue again runs the unfinished ones"
        }
        prepared.journal.append(.runEnded(time: Clock.epochSeconds(), status: Int(status.rawValue)), durableNow: true)
        try prepared.folder.writeVerdict(Verdict(status: status, runID: prepared.runID, result: result, message: message))
        FileHandle.standardOutput.write(Data((result.summaryLine + "\n").utf8))
        withExtendedLifetime(prepared.lock) {}
        return status
    }
}
