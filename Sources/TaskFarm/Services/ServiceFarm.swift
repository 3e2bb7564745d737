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
        /// The bounds the TCP endpoints keep on their clients.
        public var clientLimits: ClientLimits

        /// Options; the defaults lay ranks out as `taskfarm run` does and open no TCP endpoint.
        public init(nameServerRank: Int? = nil, connectionFile: String? = nil, listen: String? = nil,
                    clientLimits: ClientLimits = .defaults) {
            self.nameServerRank = nameServerRank
            self.connectionFile = connectionFile
            self.listen = listen
            self.clientLimits = clientLimits
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
    /// (its error is logged), 64 for a bad layout, address or `clientLimits` (see
    /// ``ClientLimits/problem``), 70 for an internal error.
    public static func run(_ registry: ServiceRegistry, options: Options = Options(),
                           logger: Logger = Logger(label: "taskfarm"),
                           main: @escaping @Sendable (ServiceClient) async throws -> Void) -> ExitStatus {
        let clients = FarmRank.ClientReach(connectionFile: options.connectionFile, listen: options.listen,
                                             limits: options.clientLimits)
        return FarmRank.run(logger: logger, nameServerRank: options.nameServerRank, clients: clients) { rank, logger in
            let queue = MPIThreadQueue()
            rank.add(MPIThreadWork(queue: queue))
            var worker: ServiceWorker?
            if rank.isWorker {
                let serviceWorker = ServiceWorker(transport: rank.transport, registry: registry, queue: queue)
                let ad = rank.workerAd(resources: HostResourceOptions(), workingDirectory: FileManager.default.currentDirectoryPath)
                try serviceWorker.register(with: rank.nameServer, ad: ad)
                worker = serviceWorker
            }
            guard rank.isScheduler else {
                if let worker {
                    worker.client = ServiceClient(queue: queue, sink: worker, nameServer: rank.nameServer)
                    rank.add(worker)
                }
                try rank.runLoop()
                return .success
            }
            return try broker(rank: rank, queue: queue, localWorker: worker, logger: logger, main: main)
        }
    }

    /// Rank 0: the broker, with `main` running on its own task until it returns.
    private static func broker(rank: FarmRank, queue: MPIThreadQueue, localWorker worker: ServiceWorker?, logger: Logger,
                               main: @escaping @Sendable (ServiceClient) async throws -> Void) throws -> ExitStatus {
        let nameServer = rank.nameServer
        let broker = ServiceBroker(transport: rank.transport, nameServer: nameServer, workerRanks: rank.layout.workerRanks,
                                   localWorker: worker)
        let client = ServiceClient(queue: queue, sink: broker, nameServer: nameServer)
        worker?.client = ServiceClient(queue: queue, sink: broker.nestedSink, nameServer: nameServer)
        rank.add(broker)
        try broker.start()
        if let access = rank.access {
            access.service.services = broker
            let runID = RunIDSequence.next()
            try access.publish(runID: runID, through: nameServer, nameServerIsHere: rank.servesNames)
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
        try rank.runLoop()
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
