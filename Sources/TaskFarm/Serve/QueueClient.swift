import Foundation
import NIOCore
import NIOPosix

/// A client of a served farm: reads the connection file, asks the name server where the
/// broker is (as a Pyro client asks its name server), then sends the broker requests.
/// Every call blocks until its answer arrives; use it from an ordinary thread, never from
/// an event loop.
public final class QueueClient {
    /// Seconds the farm has to answer a connection's hello (the token check) before the
    /// client gives up with exit 69.
    static let helloTimeoutSeconds = 15

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
        try checkParentsFit(tasks)
        return try toBroker(.submit) { $0.tasks = tasks }.ids ?? []
    }

    /// Refuses, before it is encoded, a submission whose parent lists alone pass the
    /// farm's largest request: every parent id takes at least two bytes (`7,`), and a
    /// file of many tasks each after many parents would exhaust memory while encoding.
    ///
    /// - Throws: ``ClientError`` of kind ``ClientError/Kind-swift.enum/invalid``.
    private func checkParentsFit(_ tasks: [SubmittedTask]) throws(ClientError) {
        var parentBytes = 0
        for task in tasks {
            let parents = task.after.count + (task.afterAny?.count ?? 0) + (task.afterNotOK?.count ?? 0)
            parentBytes += 2 * parents
            if parentBytes > ClientProtocol.maximumMessageBytes {
                throw ClientError("\(tasks.count) tasks with their parents (--after) take more than the "
                                  + "\(ClientProtocol.maximumMessageBytes) bytes the farm takes in one request; "
                                  + "submit fewer tasks or parents at a time", kind: .invalid)
            }
        }
    }

    /// The task ids of `tasks`, queued as one array whose first task must get id
    /// `expectedFirst`.
    ///
    /// - Throws: ``ClientError`` of kind ``ClientError/Kind-swift.enum/tryLater`` when the
    ///   queue has moved on (nothing was queued), or as ``submit(_:)``.
    public func submit(_ tasks: [SubmittedTask], expectedFirst: Int) throws(ClientError) -> [Int] {
        try checkParentsFit(tasks)
        return try toBroker(.submit) {
            $0.tasks = tasks
            $0.expectedFirst = expectedFirst
        }.ids ?? []
    }

    /// The queue as the scheduler front ends show it: the tasks `ids` (every task when
    /// `nil`), the id the next submitted task gets, and the workers' machine ads; with
    /// `analyze`, why each pending task waits.
    ///
    /// - Throws: ``ClientError`` for an unknown id, or when the farm cannot be reached.
    public func tasks(_ ids: [Int]? = nil, analyze: Bool = false) throws(ClientError)
        -> (tasks: [QueuedTask], nextID: Int, machines: [[String: String]]) {
        let response = try toBroker(.tasks) {
            $0.ids = ids
            $0.analyze = analyze ? true : nil
        }
        return (response.tasks ?? [], response.nextID ?? 0, response.machines ?? [])
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

    /// The served farm's state folder (absolute), its journal written out: `status --task`
    /// and `output` read a task's story and files there.
    public func stateFolder() throws(ClientError) -> String {
        try toBroker(.stateFolder) { _ in }.text ?? ""
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
            throw ClientError("service \(service): cannot encode the input: \(error)", kind: .invalid)
        }
        let answer = try call(service, json: json)
        do {
            return try JSONDecoder().decode(Output.self, from: Data(answer.utf8))
        } catch {
            throw ClientError("service \(service): the output '\(answer.prefix(200))' is not a \(Output.self)", kind: .invalid)
        }
    }

    /// The value bound to `name` in the name server, waiting up to `timeout` seconds for it
    /// to appear.
    ///
    /// - Throws: ``ClientError`` ("no such name") when it has not appeared in time; of kind
    ///   ``ClientError/Kind/invalid`` for a negative, infinite or NaN `timeout`, sending nothing.
    public func lookup(_ name: String, timeout: Double = 0) throws(ClientError) -> String {
        if let problem = LookupTimeout.problem(timeout, name: "lookup timeout") { throw ClientError(problem, kind: .invalid) }
        return try toNameServer(.lookup) {
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
            throw ClientError("the name server gave no broker address ('\(text)')", kind: .unavailable)
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

    /// Sends one request on a new connection, after the hello with the token, and waits
    /// for its answer.
    private func exchange(_ operation: ClientRequest.Operation, host: String, port: Int,
                          _ fill: (inout ClientRequest) -> Void) throws(ClientError) -> ClientResponse {
        var request = ClientRequest(id: nextID, operation: operation)
        nextID += 1
        fill(&request)
        let hello: [UInt8]
        let body: [UInt8]
        do {
            hello = [UInt8](try JSONEncoder().encode(ClientHello(token: connection.token)))
            body = [UInt8](try JSONEncoder().encode(request))
        } catch {
            throw ClientError("cannot encode the request: \(error)")
        }
        guard hello.count <= ClientProtocol.maximumHelloBytes else {
            throw ClientError("the connection file's token is \(connection.token.utf8.count) bytes; a farm's is 64 hex digits",
                              kind: .invalid)
        }
        guard body.count <= ClientProtocol.maximumMessageBytes else {
            throw ClientError("the request is \(body.count) bytes; the farm takes at most \(ClientProtocol.maximumMessageBytes); \(operation.rawValue) fewer tasks at a time",
                              kind: .invalid)
        }
        let answers = ResponseHandler(expecting: 2, on: group.next(), address: "\(host):\(port)")
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(FrameDecoder(maximumBytes: ClientProtocol.maximumMessageBytes)))
                    try channel.pipeline.syncOperations.addHandler(answers)
                }
            }
        let channel: Channel
        do {
            channel = try bootstrap.connect(host: host, port: port).wait()
        } catch {
            answers.failAll(ClientError("unreachable"))
            throw ClientError("cannot reach the farm at \(host):\(port): \(ConnectFailure.reason(error)); is it still running? "
                              + "(a connection file outlives a farm that was killed)", kind: .unavailable)
        }
        defer { channel.close(promise: nil) }
        func answer(_ index: Int) throws(ClientError) -> ClientResponse {
            let response: ClientResponse
            do {
                response = try answers.futures[index].wait()
            } catch let error as ClientError {
                throw error
            } catch {
                throw ClientError("the farm at \(host):\(port): \(error)", kind: .unavailable)
            }
            if let error = response.error { throw ClientError(error, kind: response.errorKind ?? .failed) }
            return response
        }
        channel.writeAndFlush(channel.allocator.frame(hello), promise: nil)
        // A farm answers the hello at once; a program that accepts and never answers (the
        // port of a farm that ended, taken by another) must not hang the client for ever.
        let silence = channel.eventLoop.scheduleTask(in: .seconds(Int64(Self.helloTimeoutSeconds))) {
            answers.failAllIfNoneAnswered(ClientError("\(host):\(port) accepted the connection but did not answer as a taskfarm farm "
                                        + "within \(Self.helloTimeoutSeconds) s; the connection file may be left from a farm "
                                        + "that ended, or the farm is stuck", kind: .unavailable))
        }
        do {
            _ = try answer(0)
            silence.cancel()  // a request's answer may take long (a wait): only the hello is timed
        } catch {
            answers.failAll(error)  // the request is never sent: its answer will not come
            throw error
        }
        channel.writeAndFlush(channel.allocator.frame(body), promise: nil)
        return try answer(1)
    }
}

/// Completes one future per answer expected, in order, or fails those left when the
/// connection ends first.
private final class ResponseHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private let promises: [EventLoopPromise<ClientResponse>]
    private let lock = NSLock()
    private var answered = 0
    /// The answers, in order.
    var futures: [EventLoopFuture<ClientResponse>] { promises.map(\.futureResult) }

    /// The farm's address, `HOST:PORT`, for messages.
    private let address: String

    init(expecting count: Int, on eventLoop: EventLoop, address: String) {
        promises = (0..<count).map { _ in eventLoop.makePromise(of: ClientResponse.self) }
        self.address = address
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let next: EventLoopPromise<ClientResponse>? = lock.withLock {
            guard answered < promises.count else { return nil }
            answered += 1
            return promises[answered - 1]
        }
        guard let promise = next else { return }
        do {
            promise.succeed(try JSONDecoder().decode(ClientResponse.self, from: Data(frame.readableBytesView)))
        } catch {
            promise.fail(ClientError("\(address) does not answer as a taskfarm farm; the connection file may be left "
                                     + "from a farm that ended", kind: .unavailable))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(ClientError("the farm closed the connection without an answer", kind: .unavailable))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A frame too large for any answer means another program listens there: the farm
        // that wrote the connection file ended and its port was taken.
        let message = error is FrameDecoder.TooLarge
            ? "\(address) does not answer as a taskfarm farm (\(error)); the connection file may be left from a farm that ended"
            : "the farm at \(address): \(ConnectFailure.reason(error))"
        failAll(ClientError(message, kind: .unavailable))
        context.close(promise: nil)
    }

    /// ``failAll(_:)``, unless an answer has come (the hello's): then a request is out.
    func failAllIfNoneAnswered(_ error: ClientError) {
        if lock.withLock({ answered == 0 }) { failAll(error) }
    }

    /// Fails every answer not yet received with `error`.
    func failAll(_ error: ClientError) {
        let left: ArraySlice<EventLoopPromise<ClientResponse>> = lock.withLock {
            defer { answered = promises.count }
            return promises[answered...]
        }
        for promise in left { promise.fail(error) }
    }
}
