import CTaskSpawn
import Foundation
import Logging
import MPI

/// A Swift program as a farm of services, launched the SPMD way: `mpirun -np N ./my-farm`.
/// Every rank calls ``run(_:nameServerRank:logger:main:)`` with the same registry: rank 0
/// is the broker and runs `main`, one rank is the name server, the others serve the
/// registry's services. When `main` returns, every rank leaves.
///
/// ```swift
/// let services = ServiceRegistry()
/// services.register("square") { (x: Int) async throws -> Int in x * x }
/// exit(ServiceFarm.run(services) { client in
///     let squares: [Int] = try await client.map("square", Array(1...1000), chunkSize: 50)
///     print(squares.reduce(0, +))
/// }.rawValue)
/// ```
public enum ServiceFarm {
    /// How the farm is laid out and reached.
    public struct Options: Sendable {
        /// The name server's rank; `nil` for the default layout (see ``RoleLayout``).
        public var nameServerRank: Int?
        /// Where the name-server rank writes the ``ConnectionFile`` for clients outside
        /// the allocation (`taskfarm call`); `nil` opens no TCP endpoint.
        public var connectionFile: String?
        /// `HOST[:PORT]` for the TCP endpoints; `nil` for this host's name, any free port.
        public var listen: String?

        /// Options; the defaults lay ranks out as `taskfarm run` does and open no TCP endpoint.
        public init(nameServerRank: Int? = nil, connectionFile: String? = nil, listen: String? = nil) {
            self.nameServerRank = nameServerRank
            self.connectionFile = connectionFile
            self.listen = listen
        }
    }

    /// Serves the registry until a client's `taskfarm shutdown`, SIGTERM or SIGINT, for
    /// clients that call through the connection file (`options.connectionFile`, by default
    /// ``ConnectionFile/defaultPath``). Returns this rank's exit status.
    public static func serve(_ registry: ServiceRegistry, options: Options = Options(connectionFile: ConnectionFile.defaultPath),
                             logger: Logger = Logger(label: "taskfarm")) -> ExitStatus {
        run(registry, options: options, logger: logger) { _ in
            while true { try await Task.sleep(nanoseconds: 3_600_000_000_000) }
        }
    }

    /// Runs this rank's part and returns its exit status: 0, or 1 on rank 0 when `main` threw
    /// (its error is logged), 64 for a bad layout or address, 70 for an internal error.
    public static func run(_ registry: ServiceRegistry, options: Options = Options(),
                           logger: Logger = Logger(label: "taskfarm"),
                           main: @escaping @Sendable (ServiceClient) async throws -> Void) -> ExitStatus {
        RankLifecycle.run(logger: logger) { world, logger in
            try runRank(registry, world: world, options: options, logger: logger, main: main)
        }
    }

    private static func runRank(_ registry: ServiceRegistry, world: Communicator, options: Options, logger: Logger,
                                main: @escaping @Sendable (ServiceClient) async throws -> Void) throws -> ExitStatus {
        let layout: RoleLayout
        let address: ListenAddress
        do {
            layout = try RoleLayout(size: world.size, requestedNameServerRank: options.nameServerRank)
            address = try ListenAddress(parsing: options.listen)
        } catch {
            if world.rank == 0 { logger.error("\(error)") }
            return .usage
        }
        let transport = MPITransport(communicator: world)
        let nameServer = NameServerClient(transport: transport, serverRank: layout.nameServerRank)
        let queue = MPIThreadQueue()
        var roles: [RankRole] = [nameServer, MPIThreadWork(queue: queue)]
        let isNameServer = world.rank == layout.nameServerRank
        let localNameServer = isNameServer ? NameServer(transport: transport) : nil
        if let localNameServer { roles.append(localNameServer) }
        let access = options.connectionFile.flatMap {
            ClientAccess.open(rank: world.rank, layout: layout, address: address, connectionFile: $0,
                              nameServer: localNameServer, logger: logger)
        }
        defer { access?.close() }
        if let access {
            roles.append(access.service)
            if isNameServer, world.rank != 0 { try access.awaitSecret(through: nameServer) }
        }
        var worker: ServiceWorker?
        if layout.isWorker(world.rank) {
            let serviceWorker = ServiceWorker(transport: transport, registry: registry, queue: queue)
            let ad = WorkerAd(rank: world.rank, host: HostFacts.hostName, cores: HostFacts.cores,
                              memoryBytes: HostFacts.memoryBytes, slots: 1)
            try serviceWorker.register(with: nameServer, ad: ad)
            worker = serviceWorker
        }
        guard world.rank == 0 else {
            if let worker {
                worker.client = ServiceClient(queue: queue, sink: worker, nameServer: nameServer)
                roles.append(worker)
            }
            try RankLoop(transport: transport, roles: roles).run()
            return .success
        }
        let broker = ServiceBroker(transport: transport, nameServer: nameServer, workerRanks: layout.workerRanks,
                                   localWorker: worker)
        let client = ServiceClient(queue: queue, sink: broker, nameServer: nameServer)
        worker?.client = ServiceClient(queue: queue, sink: broker.nestedSink, nameServer: nameServer)
        roles.append(broker)
        try broker.start()
        if let access {
            access.service.services = broker
            let runID = RunIDSequence.next()
            try access.publish(runID: runID, through: nameServer, nameServerIsHere: isNameServer)
        }
        let outcome = Outcome()
        Task.detached {
            do {
                try await main(client)
            } catch {
                logger.error("\(error)")
                outcome.failed = true
            }
            queue.post { try broker.stop() }
        }
        try RankLoop(transport: transport, roles: roles).run()
        if let failure = broker.failure {
            logger.error("\(failure)")
            return .internalError
        }
        return outcome.failed ? .taskFailed : .success
    }
}

/// Whether rank 0's `main` threw; written by its task, read after the loop.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var failed: Bool {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
