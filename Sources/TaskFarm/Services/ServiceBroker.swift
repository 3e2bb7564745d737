#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The broker of a services program, on rank 0: it learns from the name server which
/// worker offers which service, takes calls from every rank (and from rank 0's own code),
/// routes each to a worker through its ``ServiceRouter``, and relays the answer to the
/// caller.
final class ServiceBroker: RankRole, ServiceCallSink, @unchecked Sendable {
    private struct Pending {
        var origin: Int
        var originID: Int
        var message: ServiceCallMessage
        var worker: Int?
        var completion: ((Result<PayloadBytes, ServiceError>) -> Void)?
        /// Made by a running service, which holds its slot until this is answered.
        var nested = false
    }

    private let transport: Transport
    private let nameServer: NameServerClient
    private let workerRanks: [Int]
    /// Runs calls on rank 0 itself when it is the only worker (a one-rank run).
    private let localWorker: ServiceWorker?
    private var router = ServiceRouter()
    /// Calls taken and not yet answered, by the broker's own call id.
    private var pending = CallSlots<Pending>()

    /// Calls are out at workers: their replies should be picked up promptly.
    var expectsMessageSoon: Bool { !pending.isEmpty }
    /// Calls made before the offers were known.
    private var early: [Int] = []
    private var started = false
    private(set) var isFinished = false
    /// Why the start failed, if it did.
    private(set) var failure: String?

    init(transport: Transport, nameServer: NameServerClient, workerRanks: [Int], localWorker: ServiceWorker?) {
        self.transport = transport
        self.nameServer = nameServer
        self.workerRanks = workerRanks
        self.localWorker = localWorker
    }

    var tags: Set<MessageTag> { [.serviceCall, .serviceReply] }

    /// Waits (in the loop) for every worker, then reads the offers from the name server.
    func start(timeout: Double = 300) throws {
        try nameServer.request(.list, key: "worker/", minimum: workerRanks.count, timeout: timeout) { [self] reply in
            if let error = reply.error {
                failure = "the workers did not all register: \(error)"
                try stop()
                return
            }
            try nameServer.request(.list, key: "service/") { [self] reply in
                for entry in reply.entries {
                    router.addOffer(String(decoding: entry.value, as: UTF8.self), worker: entry.owner)
                }
                started = true
                for id in early { try route(id) }
                early = []
                try dispatch()
            }
        }
    }

    func send(service: String, payload: PayloadBytes, batch: Bool, format: PayloadFormat,
              completion: @escaping (Result<PayloadBytes, ServiceError>) -> Void) throws {
        try accept(Pending(origin: 0, originID: 0,
                           message: ServiceCallMessage(id: 0, service: service, batch: batch, format: format, payload: payload),
                           completion: completion))
    }

    /// Where services running on rank 0 itself (a one-rank run) send their own calls.
    var nestedSink: ServiceCallSink { NestedCalls(broker: self) }

    private final class NestedCalls: ServiceCallSink {
        let broker: ServiceBroker
        init(broker: ServiceBroker) { self.broker = broker }
        func send(service: String, payload: PayloadBytes, batch: Bool, format: PayloadFormat,
                  completion: @escaping (Result<PayloadBytes, ServiceError>) -> Void) throws {
            try broker.accept(Pending(origin: 0, originID: 0,
                                      message: ServiceCallMessage(id: 0, service: service, batch: batch, format: format, payload: payload),
                                      completion: completion, nested: true))
        }
    }

    func handle(_ envelope: Envelope) throws {
        switch envelope.tag {
        case .serviceCall:
            let message = try ServiceCallMessage(decoding: envelope.payload)
            try accept(Pending(origin: envelope.source, originID: message.id, message: message, nested: true))
        case .serviceReply:
            try answered(try ServiceReplyMessage(decoding: envelope.payload), by: envelope.source)
        case .stop:
            for id in pending.ids { try deliver(id, .failure(ServiceError(.stopped, service: pending[id]!.message.service, message: ""))) }
            isFinished = true
        default:
            break
        }
    }

    private func accept(_ call: Pending) throws {
        let id = pending.insert(call)
        if started { try route(id) } else { early.append(id) }
    }

    private func route(_ id: Int) throws {
        guard let call = pending[id] else { return }
        guard router.isOffered(call.message.service) else {
            try deliver(id, .failure(ServiceError(.noSuchService, service: call.message.service, message: "")))
            return
        }
        if call.nested, let worker = router.assignUrgent(id, service: call.message.service) {
            try send(id, to: worker)
        } else {
            router.enqueue(id, service: call.message.service)
        }
        try dispatch()
    }

    private func dispatch() throws {
        for (id, worker) in router.assignments() { try send(id, to: worker) }
    }

    private func send(_ id: Int, to worker: Int) throws {
        guard var call = pending[id] else { return }
        call.worker = worker
        pending[id] = call
        var message = call.message
        message.id = id
        if worker == transport.rank, let localWorker {
            localWorker.execute(message) { [self] reply in try answered(reply, by: worker) }
        } else {
            try transport.send(message.encode(), to: worker, tag: .serviceCall)
        }
    }

    private func answered(_ reply: ServiceReplyMessage, by worker: Int) throws {
        router.completed(worker: worker)
        try deliver(reply.id, reply.result)
        try dispatch()
    }

    private func deliver(_ id: Int, _ result: Result<PayloadBytes, ServiceError>) throws {
        guard let call = pending.remove(id) else { return }
        if let completion = call.completion {
            completion(result)
        } else {
            try transport.send(ServiceReplyMessage(id: call.originID, result: result).encode(), to: call.origin, tag: .serviceReply)
        }
    }

    /// Ends the program on every rank.
    func stop() throws {
        for rank in 0..<transport.size {
            try transport.send(StopMessage(reason: .finished).encode(), to: rank, tag: .stop)
        }
    }

    func signal(_ number: Int32) throws {
        if number == SIGTERM || number == SIGINT { try stop() }
    }

    func step() throws -> Bool { false }
}
