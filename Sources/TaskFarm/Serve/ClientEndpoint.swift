import Foundation
import Logging
import NIOCore
import NIOPosix

/// One request from an authenticated TCP client, waiting in a ``ClientInbox`` for the
/// rank's MPI thread.
struct ClientCall: Sendable {
    let request: ClientRequest
    /// The client's address, for the log.
    let peer: String
    let connection: ClientConnection
}

/// The way back to a client: answers are written from any thread (NIO hops to the
/// connection's event loop).
struct ClientConnection: Sendable {
    let channel: Channel
    let pendingWrites: PendingWrites
    /// The connection's requests not yet answered, so that it is never closed as idle
    /// while a `wait` is open.
    let openRequests: PendingWrites

    /// Sends `response`, the answer to one request; with `close`, then closes the connection.
    func respond(_ response: ClientResponse, close: Bool = false) {
        openRequests.add(-1)
        Self.write(response, on: channel, pendingWrites: pendingWrites, close: close)
    }

    /// Closes the connection without an answer.
    func close() { channel.close(promise: nil) }

    /// Writes `response` as one frame on `channel`, counted in `pendingWrites` until it is out.
    static func write(_ response: ClientResponse, on channel: Channel, pendingWrites: PendingWrites, close: Bool) {
        let body = (try? JSONEncoder().encode(response)).map { [UInt8]($0) } ?? []
        pendingWrites.add(1)
        let written = channel.writeAndFlush(channel.allocator.frame(body))
        written.whenComplete { [pendingWrites, channel] _ in
            pendingWrites.add(-1)
            if close { channel.close(promise: nil) }
        }
    }
}

/// A count shared between threads: answers not yet written, so a shutdown waits for them,
/// or a connection's requests not yet answered.
final class PendingWrites: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ delta: Int) { lock.withLock { count += delta } }
    var value: Int { lock.withLock { count } }
}

/// The hand-over from the NIO event loop thread to the rank's single MPI thread, which
/// drains it once per round of its ``RankLoop``.
final class ClientInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [ClientCall] = []

    func post(_ call: ClientCall) { lock.withLock { calls.append(call) } }

    /// Every call posted since the last take, oldest first.
    func take() -> [ClientCall] {
        lock.withLock {
            let taken = calls
            calls.removeAll(keepingCapacity: true)
            return taken
        }
    }
}

/// What every connection of one endpoint shares: the farm's token, the connection table,
/// the limits and the rate-limited log of refusals.
final class ClientGate: @unchecked Sendable {
    let limits: ClientLimits
    let table: ConnectionTable<any Channel>
    let refusals: RefusalLog
    let logger: Logger
    private let lock = NSLock()
    private var secret: String?

    init(limits: ClientLimits, logger: Logger) {
        self.limits = limits
        table = ConnectionTable(maximum: limits.maximumConnections)
        refusals = RefusalLog { logger.warning("\($0)") }
        self.logger = logger
    }

    /// The farm's token; until it is known, every hello is answered "not ready".
    var token: String? {
        get { lock.withLock { secret } }
        set { lock.withLock { secret = newValue } }
    }
}

/// A TCP endpoint for clients, on SwiftNIO with one event-loop thread of its own. Each
/// connection must first authenticate with a small ``ClientHello``; only then are its
/// frames decoded into ``ClientRequest``s and posted to the ``ClientInbox``. The endpoint
/// keeps the ``ClientLimits``; a frame that is too long or not a request closes that
/// connection and nothing else.
final class ClientEndpoint: @unchecked Sendable {
    /// The bound address and port, as clients should dial them.
    let host: String
    let port: Int
    let inbox = ClientInbox()
    let gate: ClientGate
    private let group: MultiThreadedEventLoopGroup
    private let serverChannel: Channel
    private let pendingWrites = PendingWrites()

    /// Binds to `host` (a name or address) and `port` (0: any free port).
    ///
    /// - Throws: ``ClientError`` naming the address when it cannot be bound.
    init(host: String, port: Int, limits: ClientLimits, logger: Logger) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let inbox = self.inbox
        let pendingWrites = self.pendingWrites
        let gate = ClientGate(limits: limits, logger: logger)
        self.gate = gate
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let idle = TimeAmount.nanoseconds(Int64(limits.idleTimeout * 1e9))
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(FrameDecoder(maximumBytes: ClientProtocol.maximumMessageBytes,
                                                          maximumFirstBytes: ClientProtocol.maximumHelloBytes)))
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionHandler(inbox: inbox, pendingWrites: pendingWrites, gate: gate))
                }
            }
        do {
            serverChannel = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw ClientError("cannot listen on \(host):\(port): \(error)")
        }
        self.host = serverChannel.localAddress?.ipAddress ?? host
        self.port = serverChannel.localAddress?.port ?? port
    }

    /// Stops listening, gives answers already sent up to `grace` seconds to go out, and
    /// closes every connection.
    func close(grace: Double = 2) {
        try? serverChannel.close().wait()
        let deadline = Date().addingTimeInterval(grace)
        while pendingWrites.value > 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        try? group.syncShutdownGracefully()
        gate.refusals.flush()
    }
}

/// One client connection: admitted by the ``ConnectionTable``, given
/// ``ClientLimits/authenticationTimeout`` seconds to send a hello with the token, then
/// turning each frame into a ``ClientCall``; closed on anything else, and when idle.
private final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private enum Phase { case awaitingHello, authenticated, closing }

    private let inbox: ClientInbox
    private let pendingWrites: PendingWrites
    private let gate: ClientGate
    private let openRequests = PendingWrites()
    private var phase = Phase.awaitingHello
    private var deadline: Scheduled<Void>?
    private var peer = "unknown peer"

    init(inbox: ClientInbox, pendingWrites: PendingWrites, gate: ClientGate) {
        self.inbox = inbox
        self.pendingWrites = pendingWrites
        self.gate = gate
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.channel.remoteAddress?.description ?? "unknown peer"
        switch gate.table.admit(context.channel, id: ObjectIdentifier(context.channel)) {
        case .refused:
            refuse(context, "\(gate.table.maximum) connections are open, all authenticated (--max-connections)")
            return
        case .admitted(evicting: let evicted?):
            gate.refusals.refused(evicted.remoteAddress?.description ?? "unknown peer",
                                  "made way for a newer connection: \(gate.table.maximum) connections are open and it had not authenticated")
            evicted.close(promise: nil)
        case .admitted(evicting: nil):
            break
        }
        let seconds = gate.limits.authenticationTimeout
        let channel = context.channel
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(seconds * 1e9))) {
            let this = handler.value
            guard this.phase == .awaitingHello else { return }
            this.phase = .closing
            this.gate.refusals.refused(this.peer, "sent no valid hello with the token within \(seconds) s")
            channel.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        gate.table.remove(ObjectIdentifier(context.channel))
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch phase {
        case .closing:
            return
        case .awaitingHello:
            authenticate(context, frame)
        case .authenticated:
            guard let request = try? JSONDecoder().decode(ClientRequest.self, from: Data(frame.readableBytesView)) else {
                gate.logger.warning("client \(peer): not a taskfarm request; closing the connection")
                phase = .closing
                context.close(promise: nil)
                return
            }
            openRequests.add(1)
            let connection = ClientConnection(channel: context.channel, pendingWrites: pendingWrites, openRequests: openRequests)
            inbox.post(ClientCall(request: request, peer: peer, connection: connection))
        }
    }

    /// Checks the hello (at most ``ClientProtocol/maximumHelloBytes``, enforced by the frame
    /// decoder): the version, then the token, compared in constant time.
    private func authenticate(_ context: ChannelHandlerContext, _ frame: ByteBuffer) {
        guard let hello = try? JSONDecoder().decode(ClientHello.self, from: Data(frame.readableBytesView)) else {
            refuse(context, "not a taskfarm hello")
            return
        }
        guard hello.version == ClientProtocol.version else {
            refuse(context, "protocol version \(hello.version); this farm speaks \(ClientProtocol.version)",
                   answer: ClientResponse(id: 0, error: "protocol version \(hello.version) is not supported; this farm speaks version \(ClientProtocol.version) (use the taskfarm that serves it)",
                                          errorKind: .invalid))
            return
        }
        guard let token = gate.token else {
            refuse(context, "arrived before the farm was ready",
                   answer: ClientResponse(id: 0, error: "the farm is still starting; try again", errorKind: .unavailable))
            return
        }
        guard ConnectionFile.tokensMatch(expected: token, given: hello.token) else {
            refuse(context, "wrong or missing token",
                   answer: ClientResponse(id: 0, error: "refused: wrong or missing token (read it from the farm's connection file)",
                                          errorKind: .notPermitted))
            return
        }
        phase = .authenticated
        deadline?.cancel()
        gate.table.authenticated(ObjectIdentifier(context.channel))
        ClientConnection.write(ClientResponse(id: 0), on: context.channel, pendingWrites: pendingWrites, close: false)
    }

    /// Logs the refusal (rate-limited), sends `answer` if any, and closes the connection.
    private func refuse(_ context: ChannelHandlerContext, _ reason: String, answer: ClientResponse? = nil) {
        phase = .closing
        gate.refusals.refused(peer, reason)
        if let answer {
            ClientConnection.write(answer, on: context.channel, pendingWrites: pendingWrites, close: true)
        } else {
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read, phase == .authenticated,
           openRequests.value <= 0 {
            gate.logger.info("client \(peer): idle for \(gate.limits.idleTimeout) s; closing the connection")
            phase = .closing
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if phase == .authenticated {
            gate.logger.warning("client \(peer): \(error); closing the connection")
        } else if phase == .awaitingHello {
            gate.refusals.refused(peer, "\(error)")
        }
        phase = .closing
        context.close(promise: nil)
    }
}
