/// A worker rank of a services program: it offers its ``ServiceRegistry`` through the name
/// server, runs each call it is sent on the rank's MPI thread (a synchronous handler at
/// once; an async one as a task of its own, through ``MPIThreadExecutor``: a service that
/// awaits lets the thread go on with messages meanwhile), and sends the answer back. Calls its services make go to the broker like
/// any caller's.
final class ServiceWorker: RankRole, ServiceCallSink, @unchecked Sendable {
    private let transport: Transport
    private let registry: ServiceRegistry
    private let queue: MPIThreadQueue
    private let executor: MPIThreadExecutor
    private let brokerRank: Int
    /// The client services are given, for their own calls; set once the rank's client exists.
    var client: ServiceClient!
    private var calls: [Int: (Result<PayloadBytes, ServiceError>) -> Void] = [:]
    private var nextID = 1
    /// The name server it registered with, told when the worker leaves.
    private var nameServer: NameServerClient?
    /// When the last call arrived (monotonic seconds).
    private var lastCallArrival = -Double.infinity

    /// How long after a call the worker keeps its idle sleeps short, in seconds: calls come
    /// in bursts, and a worker that has slept into its longest backoff adds up to that
    /// sleep to the next call's latency. Costs a few percent of a core during the window.
    static let burstWindow = 0.02

    /// Calls of its own are out, or a call came in lately: the next message should come soon.
    var expectsMessageSoon: Bool {
        !calls.isEmpty || Clock.monotonicSeconds() - lastCallArrival < Self.burstWindow
    }
    private(set) var isFinished = false

    init(transport: Transport, registry: ServiceRegistry, queue: MPIThreadQueue, brokerRank: Int = 0) {
        self.transport = transport
        self.registry = registry
        self.queue = queue
        executor = MPIThreadExecutor(queue: queue)
        self.brokerRank = brokerRank
    }

    var tags: Set<MessageTag> { [.serviceCall, .serviceReply] }

    /// Registers each service as `service/NAME/RANK`, then the worker's ad: the broker
    /// reads the services once every ad is there, and one rank's requests arrive in order.
    func register(with nameServer: NameServerClient, ad: WorkerAd) throws {
        self.nameServer = nameServer
        for name in registry.names {
            try nameServer.request(.register, key: "service/\(name)/\(transport.rank)", value: Array(name.utf8)) { _ in }
        }
        try nameServer.registerWorker(ad)
    }

    func handle(_ envelope: Envelope) throws {
        switch envelope.tag {
        case .serviceCall:
            lastCallArrival = Clock.monotonicSeconds()
            let message = try ServiceCallMessage(decoding: envelope.payload)
            if let reply = answerAtOnce(message) {  // answered in this same round: no task, no post
                return try transport.send(reply.encode(), to: envelope.source, tag: .serviceReply)
            }
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
            try nameServer?.leave()
            isFinished = true
        default:
            break
        }
    }

    /// Runs a call on the MPI thread, a synchronous handler at once and an async one in a
    /// task of its own; `answer` runs there too, posted.
    func execute(_ message: ServiceCallMessage, answer: @escaping (ServiceReplyMessage) throws -> Void) {
        guard let service = registry.services[message.service] else {
            queue.post {
                try answer(ServiceReplyMessage(id: message.id, result: .failure(
                    ServiceError(.noSuchService, service: message.service, message: "rank \(self.transport.rank) does not offer it"))))
            }
            return
        }
        if let reply = answerAtOnce(message) {
            // Posted, not given here: the broker's own worker (a one-rank farm) calls this
            // from its dispatch, which an answer would enter again, one level deeper per
            // queued call.
            queue.post { try answer(reply) }
            return
        }
        let client = self.client!
        let queue = self.queue
        let box = UncheckedBox(answer)
        Task(executorPreference: executor) {
            let result = message.batch ? await service.batch(message.payload, message.format, client)
                : await service.single(message.payload, message.format, client)
            queue.post { try box.value(ServiceReplyMessage(id: message.id, result: result.map(PayloadBytes.init))) }
        }
    }

    /// The answer of a synchronous handler, run here and now: no task to make and resume,
    /// no await per input. `nil` when the service is async or not offered here.
    private func answerAtOnce(_ message: ServiceCallMessage) -> ServiceReplyMessage? {
        guard let immediate = registry.services[message.service]?.immediate else { return nil }
        return ServiceReplyMessage(id: message.id,
                                   result: immediate(message.payload, message.format, message.batch).map(PayloadBytes.init))
    }

    func send(service: String, payload: PayloadBytes, batch: Bool, format: PayloadFormat,
              completion: @escaping (Result<PayloadBytes, ServiceError>) -> Void) throws {
        let id = nextID
        nextID += 1
        calls[id] = completion
        try transport.send(ServiceCallMessage(id: id, service: service, batch: batch, format: format, payload: payload).encode(),
                           to: brokerRank, tag: .serviceCall)
    }

    func step() throws -> Bool { false }
}

/// Carries a value that is only ever used on the MPI thread across a task boundary.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
