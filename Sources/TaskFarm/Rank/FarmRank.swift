import Foundation
import Logging
import MPI

/// One rank's wiring, the same for `taskfarm run`, `taskfarm serve` and a Swift services
/// program: the launch checked, the roles chosen once from the ``RoleLayout``, the
/// name-server client on every rank and the name server on its rank, the worker's
/// registration, and the client endpoint where the farm is served. Each front end then adds
/// its worker role and, on rank 0, its scheduler or broker, and runs the ``RankLoop``.
final class FarmRank {
    /// Where a served farm's clients reach it: the ``ConnectionFile`` the name-server rank
    /// writes (`nil`: no client endpoint), and `--listen HOST[:PORT]` (`nil`: this host's
    /// name, any free port), with the ``ClientLimits`` on connections.
    struct ClientReach {
        var connectionFile: String?
        var listen: String?
        var limits: ClientLimits = .defaults
    }

    /// This rank in the world communicator, and which rank plays which role.
    let rank: Int, layout: RoleLayout
    /// The rank's messages, and its way to the name server (on every rank).
    let transport: MPITransport, nameServer: NameServerClient
    /// The client endpoint, on rank 0 and the name-server rank of a served farm only.
    let access: ClientAccess?
    /// The rank's environment, as the launcher gave it.
    let environment: [String: String]
    private var roles: [RankRole]

    /// Ranks in the farm.
    var size: Int { layout.size }

    /// Whether this rank is rank 0: the scheduler or broker.
    var isScheduler: Bool { rank == 0 }
    /// Whether this rank runs tasks (or serves calls).
    var isWorker: Bool { layout.isWorker(rank) }
    /// Whether this rank runs the name server.
    var servesNames: Bool { rank == layout.nameServerRank }

    /// Runs `body` on this rank of the MPI world, between MPI's start and end
    /// (``RankLifecycle``), with the rank wired; returns the rank's exit status: 70 when the
    /// launch is inconsistent (``LaunchCheck``), 64 for a bad layout, `--listen` address or
    /// client limits (said on rank 0 only), otherwise `body`'s.
    static func run(logger: Logger, nameServerRank: Int?, clients: ClientReach?,
                    _ body: (FarmRank, Logger) throws -> ExitStatus) -> ExitStatus {
        RankLifecycle.run(logger: logger) { world, logger in
            let environment = ProcessInfo.processInfo.environment
            if let mismatch = LaunchCheck.mismatch(worldSize: world.size, environment: environment) {
                logger.critical("\(mismatch)")
                return .internalError
            }
            let layout: RoleLayout
            let endpoint: (reach: ClientReach, address: ListenAddress)?
            do {
                layout = try RoleLayout(size: world.size, requestedNameServerRank: nameServerRank)
                // `taskfarm serve` checks its options; a program's own ServiceFarm.Options were
                // taken as they came (no connection at all allowed, a NaN timeout never firing).
                if let problem = clients?.limits.problem { throw ClientError("client limits: \(problem)", kind: .invalid) }
                endpoint = try clients.map { ($0, try ListenAddress(parsing: $0.listen)) }
            } catch {
                if world.rank == 0 { logger.error("\(error)") }
                return .usage
            }
            let rank = try FarmRank(world: world, layout: layout, endpoint: endpoint, environment: environment,
                                    logger: logger)
            defer { rank.access?.close() }
            return try body(rank, logger)
        }
    }

    private init(world: Communicator, layout: RoleLayout, endpoint: (reach: ClientReach, address: ListenAddress)?,
                 environment: [String: String], logger: Logger) throws {
        rank = world.rank
        self.layout = layout
        self.environment = environment
        transport = MPITransport(communicator: world)
        nameServer = NameServerClient(transport: transport, serverRank: layout.nameServerRank)
        roles = [nameServer]
        let localNameServer = world.rank == layout.nameServerRank ? NameServer(transport: transport) : nil
        if let localNameServer { roles.append(localNameServer) }
        if let (reach, address) = endpoint, let connectionFile = reach.connectionFile {
            access = ClientAccess.open(rank: world.rank, layout: layout, address: address, connectionFile: connectionFile,
                                       limits: reach.limits, nameServer: localNameServer, logger: logger)
        } else {
            access = nil
        }
        if let access {
            roles.append(access.service)
            if servesNames, !isScheduler { try access.awaitSecret(through: nameServer) }
        }
    }

    /// Tells the user on stderr which rank plays which role (``RoleLayout/summary``).
    func announceLayout() {
        ConsoleOutput.standardError("taskfarm: \(layout.summary)\n")
    }

    /// Adds a role to this rank's loop.
    func add(_ role: RankRole) { roles.append(role) }

    /// The ad this rank registers as a worker: every fact of its host, its share of the
    /// host's pool (``HostResources``, overridden by `resources`) and the free disk of
    /// `workingDirectory`'s file system (HTCondor's `Disk`).
    func workerAd(resources: HostResourceOptions, workingDirectory: String) -> WorkerAd {
        let found = HostResources.found(environment: environment, options: resources)
        return WorkerAd(rank: rank, host: HostFacts.hostName, cores: HostFacts.cores, memoryBytes: found.memoryBytes,
                        slots: max(1, resources.slotsPerWorker ?? 1), diskKiB: HostFacts.freeDiskKiB(at: workingDirectory),
                        arch: HostFacts.arch, cpuIDs: found.cpus, cpuLimit: found.cpuLimit, gpuIDs: found.gpus)
    }

    /// `taskfarm run` and `taskfarm serve` on this rank: every worker rank runs tasks from
    /// its host's pool (``addTaskWorker(resources:workingDirectory:workerTimeout:)``) in the
    /// farm's working folder; rank 0 announces the layout and runs `scheduler` with the rank
    /// and that folder; the other ranks run their loop to its end and return 0.
    static func runTaskFarm(_ options: FarmOptions, clients: ClientReach?, logger: Logger,
                            scheduler: (FarmRank, _ workingDirectory: String, Logger) throws -> ExitStatus) -> ExitStatus {
        run(logger: logger, nameServerRank: options.nameServerRank, clients: clients) { rank, logger in
            let workingDirectory = options.workingDirectory.map(Farm.absolutePath) ?? FileManager.default.currentDirectoryPath
            try rank.addTaskWorker(resources: options.resources, workingDirectory: workingDirectory,
                                   workerTimeout: options.workerTimeout)
            guard rank.isScheduler else {
                try rank.runLoop()
                return .success
            }
            rank.announceLayout()
            return try scheduler(rank, workingDirectory, logger)
        }
    }

    /// On a worker rank, adds the task-running ``Worker``, which draws on its host's pool
    /// (``HostResources`` with `resources`' overrides), and registers its ad; it sends a
    /// heartbeat when silent for long enough that the scheduler, which loses a worker after
    /// `workerTimeout` seconds of silence, never loses a live one. Does nothing elsewhere.
    func addTaskWorker(resources: HostResourceOptions, workingDirectory: String, workerTimeout: Double) throws {
        guard isWorker else { return }
        let worker = Worker(transport: transport, nameServer: nameServer, schedulerRank: 0,
                            ad: workerAd(resources: resources, workingDirectory: workingDirectory), environment: environment,
                            heartbeatInterval: WorkerLiveness.heartbeatInterval(timeout: workerTimeout))
        try worker.register()
        add(worker)
    }

    /// Runs the rank's loop until every role has finished.
    func runLoop() throws {
        try RankLoop(transport: transport, roles: roles).run()
    }

    /// Rank 0 could not prepare the run: tells every rank to stop, runs the loop until they
    /// have, and returns `problem`'s status after logging its message.
    func abandon(_ problem: RunProblem, logger: Logger) throws -> ExitStatus {
        logger.error("\(problem.message)")
        for rank in 0..<size {
            try transport.send(StopMessage(reason: .finished).encode(), to: rank, tag: .stop)
        }
        try runLoop()
        return problem.status
    }
}
