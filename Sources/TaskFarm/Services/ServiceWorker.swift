/// A worker rank of a services program: it offers its ``ServiceRegistry`` through the name
/// server, runs each call it is sent as a task of its own (so an async service never holds
/// the MPI thread), and sends the answer back from the MPI thread. Calls its services make
/// go to the broker like any caller's.
final class ServiceWorker: RankRole, ServiceCallSink, @unchecked Sendable {
    private let transport: Transport
    private let registry: ServiceRegistry
    private let queue: MPIThreadQueue
    private let brokerRank: Int
    /// The client services are given, for their own calls; set once the rank's client exists.
    var client: ServiceClient!
    private var calls: [Int: (Result<[UInt8], ServiceError>) -> Void] = [:]
    private var nextID = 1
    private(set) var isFinished = false

    init(transport: Transport, registry: ServiceRegistry, queue: MPIThreadQueue, brokerRank: Int = 0) {
        self.transport = transport
        self.registry = registry
        self.queue = queue
        self.brokerRank = brokerRank
    }

    var tags: Set<MessageTag> { [.serviceCall, .serviceReply] }

    /// Registers each service as `service/NAME/RANK`, then the worker's ad: the broker
    /// reads the services once every ad is there, and one rank's requests arrive in order.
    func register(with nameServer: NameServerClient, ad: WorkerAd) throws {
        for name in registry.names {
            try nameServer.request(.register, key: "service/\(name)/\(transport.rank)", value: Array(name.utf8)) { _ in }
        }
        try nameServer.request(.register, key: "worker/\(ad.rank)", value: ad.encode()) { _ in }
    }

    func handle(_ envelope: Envelope) throws {
        switch envelope.tag {
        case .serviceCall:
            let message = try ServiceCallMessage(decoding: envelope.payload)
            execute(message) { [self] reply in
                try transport.send(reply.encode(), to: envelope.source, tag: .serviceReply)
            }
        case .serviceReply:
            let reply = try ServiceReplyMessage(decoding: envelope.payload)
            calls.removeValue(forKey: reply.id)?(reply.result)
        case .stop:
            for id in calls.keys.sorted() {
                calls.removeValue(forKey: id)?(.failure(ServiceError(.stopped, service: "", message: "")))
            }
            isFinished = true
        default:
            break
        }
    }

    /// Runs a call in a task of its own; `answer` runs on the MPI thread.
    func execute(_ message: ServiceCallMessage, answer: @escaping (ServiceReplyMessage) throws -> Void) {
        guard let service = registry.services[message.service] else {
            queue.post {
                try answer(ServiceReplyMessage(id: message.id, result: .failure(
                    ServiceError(.noSuchService, service: message.service, message: "rank \(self.transport.rank) does not offer it"))))
            }
            return
        }
        let client = self.client!
        let queue = self.queue
        let box = UncheckedBox(answer)
        Task.detached {
            let result = message.batch ? await service.batch(message.payload, client) : await service.single(message.payload, client)
            queue.post { try box.value(ServiceReplyMessage(id: message.id, result: result)) }
        }
    }

    func send(service: String, payload: [UInt8], batch: Bool,
              completion: @escaping (Result<[UInt8], ServiceError>) -> Void) throws {
        let id = nextID
        nextID += 1
        calls[id] = completion
        try transport.send(ServiceCallMessage(id: id, service: service, batch: batch, payload: payload).encode(),
                           to: brokerRank, tag: .serviceCall)
    }

    func step() throws -> Bool { false }
}

/// Carries a value that is only ever used on the MPI thread across a task boundary.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
