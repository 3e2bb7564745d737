/// The name server role: a directory of names to endpoints for the farm, the way Pyro's
/// name server or `MPI_Publish_name`/`MPI_Lookup_name` work. Workers register their ads
/// at start; the scheduler learns the worker pool from it; lookups and lists can wait,
/// with a timeout, for names that have not appeared yet.
final class NameServer: RankRole {
    private let transport: Transport
    private(set) var table = NameTable()
    private var waiting: [(source: Int, request: NameServerRequest, deadline: Double?)] = []
    private(set) var isFinished = false
    /// Callbacks of requests made on this rank (the client endpoint), by negative source.
    private var localReplies: [Int: (NameServerReply) -> Void] = [:]
    private var nextLocalSource = -1

    init(transport: Transport) {
        self.transport = transport
    }

    var tags: Set<MessageTag> { [.nameServerRequest] }

    func handle(_ envelope: Envelope) throws {
        if envelope.tag == .stop {
            isFinished = true
            return
        }
        try serve(try NameServerRequest(decoding: envelope.payload), from: envelope.source)
    }

    /// Serves a request made on this rank, such as a TCP client's lookup; `reply` runs once,
    /// when the answer is known (a lookup may wait).
    func serveLocally(_ request: NameServerRequest, owner: Int, reply: @escaping (NameServerReply) -> Void) throws {
        let source = nextLocalSource
        nextLocalSource -= 1
        localReplies[source] = reply
        try serve(request, from: source, owner: owner)
    }

    private func serve(_ request: NameServerRequest, from source: Int, owner: Int? = nil) throws {
        let envelope = (source: source, owner: owner ?? source)
        switch request.operation {
        case .register:
            table.register(request.key, value: request.value, owner: envelope.owner)
            try reply(to: envelope.source, NameServerReply(id: request.id))
            try answerWaiting()
        case .unregister:
            let removed = table.unregister(request.key)
            try reply(to: envelope.source, NameServerReply(id: request.id, error: removed ? nil : "no such name: \(request.key)"))
        case .leave:
            table.removeAll(ownedBy: envelope.owner)
            try reply(to: envelope.source, NameServerReply(id: request.id))
        case .lookup, .list:
            let deadline = request.timeout.map { Clock.monotonicSeconds() + $0 }
            if try !answer(source: envelope.source, request: request, final: request.timeout == 0) {
                waiting.append((envelope.source, request, deadline))
            }
        }
    }

    /// Answers a lookup or list if it can be answered now (or `final` says it must be).
    private func answer(source: Int, request: NameServerRequest, final: Bool) throws -> Bool {
        switch request.operation {
        case .lookup:
            if let entry = table.lookup(request.key) {
                try reply(to: source, NameServerReply(id: request.id, entries: [entry]))
                return true
            }
            if final {
                try reply(to: source, NameServerReply(id: request.id, error: "no such name: \(request.key)"))
                return true
            }
        case .list:
            let entries = table.list(prefix: request.key)
            if entries.count >= request.minimum || final {
                let error = entries.count >= request.minimum ? nil
                    : "only \(entries.count) of \(request.minimum) names under '\(request.key)' appeared in time"
                try reply(to: source, NameServerReply(id: request.id, error: error, entries: entries))
                return true
            }
        default:
            return true
        }
        return false
    }

    private func answerWaiting() throws {
        var still: [(source: Int, request: NameServerRequest, deadline: Double?)] = []
        let now = Clock.monotonicSeconds()
        for entry in waiting {
            let expired = entry.deadline.map { now >= $0 } ?? false
            if try !answer(source: entry.source, request: entry.request, final: expired) { still.append(entry) }
        }
        waiting = still
    }

    private func reply(to rank: Int, _ reply: NameServerReply) throws {
        if rank < 0 {
            localReplies.removeValue(forKey: rank)?(reply)
            return
        }
        try transport.send(reply.encode(), to: rank, tag: .nameServerReply)
    }

    func step() throws -> Bool {
        guard waiting.contains(where: { $0.deadline != nil }) else { return false }
        let before = waiting.count
        try answerWaiting()
        return waiting.count != before
    }
}
