import Foundation
import Logging
import NIOCore
import NIOPosix

/// One request from a TCP client, waiting in a ``ClientInbox`` for the rank's MPI thread.
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

    /// Sends `response`; with `close`, then closes the connection.
    func respond(_ response: ClientResponse, close: Bool = false) {
        let body = (try? JSONEncoder().encode(response)).map { [UInt8]($0) } ?? []
        pendingWrites.add(1)
        let written = channel.writeAndFlush(channel.allocator.frame(body))
        written.whenComplete { [pendingWrites, channel] _ in
            pendingWrites.add(-1)
            if close { channel.close(promise: nil) }
        }
    }

    /// Closes the connection without an answer.
    func close() { channel.close(promise: nil) }
}

/// A count of answers not yet written, so a shutdown waits for them.
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

/// A TCP endpoint for clients, on SwiftNIO with one event-loop thread of its own. It
/// decodes frames into ``ClientRequest``s and posts them to its ``ClientInbox``; a frame
/// that is too long or not a request closes that connection and nothing else.
final class ClientEndpoint: @unchecked Sendable {
    /// The bound address and port, as clients should dial them.
    let host: String
    let port: Int
    let inbox = ClientInbox()
    private let group: MultiThreadedEventLoopGroup
    private let serverChannel: Channel
    private let pendingWrites = PendingWrites()

    /// Binds to `host` (a name or address) and `port` (0: any free port).
    ///
    /// - Throws: ``ClientError`` naming the address when it cannot be bound.
    init(host: String, port: Int, logger: Logger) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let inbox = self.inbox
        let pendingWrites = self.pendingWrites
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(FrameDecoder(maximumBytes: ClientProtocol.maximumMessageBytes)))
                    try channel.pipeline.syncOperations.addHandler(
                        RequestHandler(inbox: inbox, pendingWrites: pendingWrites, logger: logger))
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
    }
}

/// Turns each frame into a ``ClientCall``; closes the connection on anything else.
private final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let inbox: ClientInbox
    private let pendingWrites: PendingWrites
    private let logger: Logger

    init(inbox: ClientInbox, pendingWrites: PendingWrites, logger: Logger) {
        self.inbox = inbox
        self.pendingWrites = pendingWrites
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let peer = context.channel.remoteAddress?.description ?? "unknown peer"
        guard let request = try? JSONDecoder().decode(ClientRequest.self, from: Data(frame.readableBytesView)) else {
            logger.warning("client \(peer): not a taskfarm request; closing the connection")
            context.close(promise: nil)
            return
        }
        let connection = ClientConnection(channel: context.channel, pendingWrites: pendingWrites)
        guard request.version == ClientProtocol.version else {
            logger.warning("client \(peer): protocol version \(request.version); this farm speaks \(ClientProtocol.version)")
            connection.respond(ClientResponse(id: request.id, error: "protocol version \(request.version) is not supported; this farm speaks version \(ClientProtocol.version)"), close: true)
            return
        }
        inbox.post(ClientCall(request: request, peer: peer, connection: connection))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let peer = context.channel.remoteAddress?.description ?? "unknown peer"
        logger.warning("client \(peer): \(error); closing the connection")
        context.close(promise: nil)
    }
}
