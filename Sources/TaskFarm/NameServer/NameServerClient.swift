/// Sends requests to the name server and routes each reply to the callback of its request.
final class NameServerClient: RankRole {
    private let transport: Transport
    private let serverRank: Int
    private var nextID = 1
    private var callbacks: [Int: (NameServerReply) throws -> Void] = [:]

    init(transport: Transport, serverRank: Int) {
        self.transport = transport
        self.serverRank = serverRank
    }

    var tags: Set<MessageTag> { [.nameServerReply] }
    var isFinished: Bool { true }

    /// Sends `operation` on `key`; `callback` runs when the reply arrives.
    func request(_ operation: NameServerRequest.Operation, key: String, value: [UInt8] = [], minimum: Int = 0,
                 timeout: Double? = nil, callback: @escaping (NameServerReply) throws -> Void) throws {
        let id = nextID
        nextID += 1
        callbacks[id] = callback
        let request = NameServerRequest(id: id, operation: operation, key: key, value: value, minimum: minimum,
                                        timeout: timeout)
        try transport.send(request.encode(), to: serverRank, tag: .nameServerRequest)
    }

    /// Registers a worker's ad as `worker/RANK`, the one key the scheduler and the broker
    /// list the pool under. No answer is awaited: one rank's requests arrive in order.
    func registerWorker(_ ad: WorkerAd) throws {
        try request(.register, key: "worker/\(ad.rank)", value: ad.encode()) { _ in }
    }

    /// Tells the name server that this rank leaves the farm, so that every name it
    /// registered (its worker ad, its services) disappears. No answer is awaited.
    func leave() throws {
        try request(.leave, key: "") { _ in }
    }

    func handle(_ envelope: Envelope) throws {
        guard envelope.tag == .nameServerReply else { return }
        let reply = try NameServerReply(decoding: envelope.payload)
        if let callback = callbacks.removeValue(forKey: reply.id) { try callback(reply) }
    }

    func step() throws -> Bool { false }
}
