import Logging

/// The rank role that serves a ``ClientEndpoint``'s requests on the rank's MPI thread: it
/// drains the endpoint's inbox each round (the endpoint has checked each connection's
/// token before it posts anything) and routes the requests to the name server (where is
/// the broker, lookups, lists) or to the ``QueueBroker``, whichever lives on this rank.
final class ClientService: RankRole {
    /// Keys under this prefix are the farm's own and never shown to clients.
    static let privatePrefix = "farm/"

    let endpoint: ClientEndpoint
    private let nameServer: NameServer?
    private let logger: Logger
    var broker: QueueBroker?
    /// The broker of a Swift services program (``ServiceFarm``), for `call` and `shutdown`.
    var services: ServiceBroker?
    private(set) var isFinished = false

    init(endpoint: ClientEndpoint, nameServer: NameServer?, logger: Logger) {
        self.endpoint = endpoint
        self.nameServer = nameServer
        self.logger = logger
    }

    var tags: Set<MessageTag> { [] }

    func handle(_ envelope: Envelope) throws {
        guard envelope.tag == .stop else { return }
        broker?.farmStopped()
        isFinished = true
    }

    func step() throws -> Bool {
        var progress = try broker?.step() ?? false
        for call in endpoint.inbox.take() {
            progress = true
            try route(call)
        }
        return progress
    }

    private func route(_ call: ClientCall) throws {
        let request = call.request
        switch request.operation {
        case .broker, .lookup, .list, .register, .unregister:
            guard let nameServer else {
                call.connection.respond(ClientResponse(id: request.id, error: "this is the broker; ask the name server (the connection file's address) for names"))
                return
            }
            try serveName(call, nameServer: nameServer)
        case .call where services != nil, .shutdown where services != nil:
            try serveService(call, broker: services!)
        case .call where broker != nil:
            call.connection.respond(ClientResponse(id: request.id, error: "this farm (taskfarm serve) runs command tasks and offers no Swift services; submit commands instead",
                                                   errorKind: .unavailable))
        default:
            guard let broker else {
                let what = services != nil ? "this farm runs Swift services: use call (taskfarm call)"
                                           : "this is the name server; ask it where the broker is (operation broker)"
                call.connection.respond(ClientResponse(id: request.id, error: what))
                return
            }
            try broker.serve(call)
        }
    }

    private func serveService(_ call: ClientCall, broker: ServiceBroker) throws {
        let request = call.request
        if request.operation == .shutdown {
            call.connection.respond(ClientResponse(id: request.id, text: "shutting down"))
            try broker.stop()
            return
        }
        let service = request.name ?? ""
        try broker.send(service: service, payload: PayloadBytes(Array((request.value ?? "null").utf8)), batch: false,
                        format: .json) { result in
            switch result {
            case .success(let output):
                call.connection.respond(ClientResponse(id: request.id, text: String(decoding: output.base[output.range], as: UTF8.self)))
            case .failure(let error):
                call.connection.respond(ClientResponse(id: request.id, error: error.description, errorKind: Self.kind(of: error)))
            }
        }
    }

    /// The client error kind of a failed call, so `taskfarm call` exits as sysexits says:
    /// the service refused its input (threw, or could not decode it) is the input's fault,
    /// 65; no worker offering the service, or the farm stopping, is a service unavailable,
    /// 69; a bad output is the service program's own fault, 70.
    static func kind(of error: ServiceError) -> ClientError.Kind {
        switch error.kind {
        case .serviceThrew, .badInput, .invalidArgument: return .invalid
        case .noSuchService, .stopped, .notFound: return .unavailable
        case .badOutput: return .failed
        }
    }

    private func serveName(_ call: ClientCall, nameServer: NameServer) throws {
        let request = call.request
        let key = request.operation == .broker ? "broker" : request.name ?? ""
        if key.hasPrefix(Self.privatePrefix) {
            call.connection.respond(ClientResponse(id: request.id, error: "no such name: \(key)", errorKind: .invalid))
            return
        }
        if request.operation == .register || request.operation == .unregister,
           key == "broker" || key.hasPrefix("worker/") || key.hasPrefix("service/") {
            call.connection.respond(ClientResponse(id: request.id, error: "\(key) belongs to the farm's ranks; clients cannot change it", errorKind: .invalid))
            return
        }
        let operation: NameServerRequest.Operation
        switch request.operation {
        case .list: operation = .list
        case .register: operation = .register
        case .unregister: operation = .unregister
        default: operation = .lookup
        }
        let timeout = request.operation == .broker ? 60 : request.timeout ?? 0
        let lookup = NameServerRequest(id: 0, operation: operation, key: key, value: Array((request.value ?? "").utf8),
                                       timeout: max(0, timeout))
        try nameServer.serveLocally(lookup, owner: -1) { reply in
            if let error = reply.error, operation != .list {
                call.connection.respond(ClientResponse(id: request.id, error: error, errorKind: .invalid))
                return
            }
            // The farm's own entries (the secret) never leave, whatever prefix was asked for:
            // a list of "f" matches "farm/secret" too.
            let visible = reply.entries.filter { !$0.key.hasPrefix(Self.privatePrefix) }
            var entries: [String: String] = [:]
            for entry in visible { entries[entry.key] = Self.display(entry) }
            call.connection.respond(ClientResponse(id: request.id, text: visible.first.map(Self.display),
                                                   entries: operation == .list ? entries : nil))
        }
    }

    /// An entry's value for people: a worker's ad in words, anything else as UTF-8.
    static func display(_ entry: NameEntry) -> String {
        if entry.key.hasPrefix("worker/"), let ad = try? WorkerAd(decoding: entry.value) {
            return "rank \(ad.rank) on \(ad.host), \(ad.slots) slot\(ad.slots == 1 ? "" : "s")"
        }
        return String(decoding: entry.value, as: UTF8.self)
    }
}
