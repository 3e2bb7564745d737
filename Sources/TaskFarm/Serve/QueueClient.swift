import Foundation
import NIOCore
import NIOPosix

/// A client of a served farm: reads the connection file, asks the name server where the
/// broker is (as a Pyro client asks its name server), then sends the broker requests.
/// Every call blocks until its answer arrives; use it from an ordinary thread, never from
/// an event loop.
public final class QueueClient {
    /// The connection file read at ``init(connectionFile:)``.
    public let connection: ConnectionFile
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var broker: (host: String, port: Int)?
    private var nextID = 1

    /// - Throws: ``ClientError`` naming the file when it is missing or malformed.
    public init(connectionFile path: String) throws(ClientError) {
        connection = try ConnectionFile(path: path)
    }

    deinit { try? group.syncShutdownGracefully() }

    /// The task ids of `tasks`, queued as one array.
    ///
    /// - Throws: ``ClientError`` when the farm cannot be reached or refuses (a parent that
    ///   does not exist, a farm shutting down).
    public func submit(_ tasks: [SubmittedTask]) throws(ClientError) -> [Int] {
        try toBroker(.submit) { $0.tasks = tasks }.ids ?? []
    }

    /// Blocks until every task in `ids` has ended; returns how each ended, in order.
    ///
    /// - Throws: ``ClientError`` for an unknown id, or when the farm stops first.
    public func wait(for ids: [Int]) throws(ClientError) -> [TaskResult] {
        try toBroker(.wait) { $0.ids = ids }.results ?? []
    }

    /// The live status report: the text (or JSON) of `taskfarm status STATE_DIR`.
    public func status(json: Bool) throws(ClientError) -> String {
        try toBroker(.status) { $0.json = json }.text ?? ""
    }

    /// Cancels `ids`; returns those cancelled (or being stopped) and a note on the others.
    public func cancel(_ ids: [Int]) throws(ClientError) -> (cancelled: [Int], note: String?) {
        let response = try toBroker(.cancel) { $0.ids = ids }
        return (response.ids ?? [], response.text)
    }

    /// Ends the farm; `drain` lets running tasks finish first. Returns the broker's answer.
    public func shutdown(drain: Bool) throws(ClientError) -> String {
        try toBroker(.shutdown) { $0.drain = drain }.text ?? ""
    }

    /// Calls the Swift service `service` of a ``ServiceFarm`` program with the JSON input
    /// `json`; returns its JSON output.
    ///
    /// - Throws: ``ClientError`` with the service's error (its type and message) when it threw.
    public func call(_ service: String, json: String) throws(ClientError) -> String {
        try toBroker(.call) {
            $0.name = service
            $0.value = json
        }.text ?? ""
    }

    /// Calls the Swift service `service` with `input`, as ``ServiceClient/call(_:_:as:)``
    /// does inside the allocation, and decodes its output.
    ///
    /// - Throws: ``ClientError`` with the service's error, or when the input or output
    ///   does not code as JSON.
    public func call<Input: Encodable, Output: Decodable>(_ service: String, _ input: Input,
                                                          as output: Output.Type = Output.self) throws(ClientError) -> Output {
        let json: String
        do {
            json = String(decoding: try JSONEncoder().encode(input), as: UTF8.self)
        } catch {
            throw ClientError("service \(service): cannot encode the input: \(error)")
        }
        let answer = try call(service, json: json)
        do {
            return try JSONDecoder().decode(Output.self, from: Data(answer.utf8))
        } catch {
            throw ClientError("service \(service): the output '\(answer.prefix(200))' is not a \(Output.self)")
        }
    }

    /// The value bound to `name` in the name server, waiting up to `timeout` seconds for it
    /// to appear.
    ///
    /// - Throws: ``ClientError`` ("no such name") when it has not appeared in time.
    public func lookup(_ name: String, timeout: Double = 0) throws(ClientError) -> String {
        try toNameServer(.lookup) {
            $0.name = name
            $0.timeout = timeout
        }.text ?? ""
    }

    /// Binds `name` to `value` in the name server, replacing an earlier binding; lookups
    /// waiting for it answer.
    ///
    /// - Throws: ``ClientError`` for a name under `farm/` (the farm's own).
    public func register(_ name: String, value: String) throws(ClientError) {
        _ = try toNameServer(.register) {
            $0.name = name
            $0.value = value
        }
    }

    /// Removes `name` from the name server.
    ///
    /// - Throws: ``ClientError`` ("no such name") when it is not bound.
    public func unregister(_ name: String) throws(ClientError) {
        _ = try toNameServer(.unregister) { $0.name = name }
    }

    /// The name server's names starting with `prefix`, with their values for people.
    public func list(prefix: String = "") throws(ClientError) -> [String: String] {
        try toNameServer(.list) { $0.name = prefix }.entries ?? [:]
    }

    /// The broker's address, from the name server.
    public func brokerAddress() throws(ClientError) -> (host: String, port: Int) {
        if let broker { return broker }
        let text = try toNameServer(.broker) { _ in }.text ?? ""
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            throw ClientError("the name server gave no broker address ('\(text)')")
        }
        broker = (String(text[..<colon]), port)
        return broker!
    }

    private func toNameServer(_ operation: ClientRequest.Operation,
                              _ fill: (inout ClientRequest) -> Void) throws(ClientError) -> ClientResponse {
        try exchange(operation, host: connection.host, port: connection.port, fill)
    }

    private func toBroker(_ operation: ClientRequest.Operation,
                          _ fill: (inout ClientRequest) -> Void) throws(ClientError) -> ClientResponse {
        let address = try brokerAddress()
        return try exchange(operation, host: address.host, port: address.port, fill)
    }

    /// Sends one request on a new connection and waits for its answer.
    private func exchange(_ operation: ClientRequest.Operation, host: String, port: Int,
                          _ fill: (inout ClientRequest) -> Void) throws(ClientError) -> ClientResponse {
        var request = ClientRequest(token: connection.token, id: nextID, operation: operation)
        nextID += 1
        fill(&request)
        let body: [UInt8]
        do {
            body = [UInt8](try JSONEncoder().encode(request))
        } catch {
            throw ClientError("cannot encode the request: \(error)")
        }
        guard body.count <= ClientProtocol.maximumMessageBytes else {
            throw ClientError("the request is \(body.count) bytes; the farm takes at most \(ClientProtocol.maximumMessageBytes); submit in smaller parts")
        }
        let promise = group.next().makePromise(of: ClientResponse.self)
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(FrameDecoder(maximumBytes: ClientProtocol.maximumMessageBytes)))
                    try channel.pipeline.syncOperations.addHandler(ResponseHandler(promise: promise))
                }
            }
        let channel: Channel
        do {
            channel = try bootstrap.connect(host: host, port: port).wait()
        } catch {
            promise.fail(error)
            throw ClientError("cannot reach the farm at \(host):\(port) (\(error)); is it still running?")
        }
        channel.writeAndFlush(channel.allocator.frame(body), promise: nil)
        let response: ClientResponse
        do {
            response = try promise.futureResult.wait()
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError("the farm at \(host):\(port): \(error)")
        }
        channel.close(promise: nil)
        if let error = response.error { throw ClientError(error) }
        return response
    }
}

/// Completes the exchange's promise with the first answer, or fails it if the connection
/// ends first.
private final class ResponseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let promise: EventLoopPromise<ClientResponse>
    private var done = false

    init(promise: EventLoopPromise<ClientResponse>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        done = true
        let frame = unwrapInboundIn(data)
        do {
            promise.succeed(try JSONDecoder().decode(ClientResponse.self, from: Data(frame.readableBytesView)))
        } catch {
            promise.fail(ClientError("the farm's answer is not a taskfarm response"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        promise.fail(ClientError("the farm closed the connection without an answer"))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if !done {
            done = true
            promise.fail(ClientError("\(error)"))
        }
        context.close(promise: nil)
    }
}
