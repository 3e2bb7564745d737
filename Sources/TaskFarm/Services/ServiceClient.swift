import Foundation

/// Calls services by name, from any rank of a services program: rank 0's `main`, or a
/// service calling another. Each call goes through the broker, which balances the load
/// among the workers that offer the service. Safe to use from any task or thread: the MPI
/// work happens on the rank's MPI thread.
public final class ServiceClient: @unchecked Sendable {
    private let queue: MPIThreadQueue
    private let sink: ServiceCallSink
    private let nameServer: NameServerClient

    init(queue: MPIThreadQueue, sink: ServiceCallSink, nameServer: NameServerClient) {
        self.queue = queue
        self.sink = sink
        self.nameServer = nameServer
    }

    /// Calls `service` with `input` and returns its output.
    ///
    /// - Throws: ``ServiceError``: the service threw (its message and type cross the wire),
    ///   no worker offers it, the input or output does not code, or the farm stopped.
    public func call<Input: Encodable & Sendable, Output: Decodable & Sendable>(
        _ service: String, _ input: Input, as output: Output.Type = Output.self) async throws(ServiceError) -> Output {
        let payload = try encode(input, service: service)
        return try decode(Output.self, from: try await callRaw(service, payload: payload, batch: false).get(), service: service)
    }

    /// Calls `service` on every input, across the workers, and returns the outputs in input
    /// order, as mpi4py.futures' `MPIPoolExecutor.map` does. Inputs travel in chunks of
    /// `chunkSize`: one message and one answer per chunk, which pays off when each call is short.
    ///
    /// - Throws: the first ``ServiceError`` of any chunk; the message names the input's index.
    public func map<Input: Encodable & Sendable, Output: Decodable & Sendable>(
        _ service: String, _ inputs: [Input], chunkSize: Int = 1, as output: Output.Type = Output.self)
        async throws(ServiceError) -> [Output] {
        let chunks = Self.chunks(inputs.count, size: chunkSize)
        let payloads = try encodeChunks(service, inputs, chunks)
        // The answers are gathered on the MPI thread and this task resumes once, at the end
        // or at the first failure: a resumption per chunk wakes a thread of the cooperative
        // pool per chunk, which was a third of rank 0's time at chunk size 1 (issue 18).
        let answers: ChunkAnswers = await withCheckedContinuation { continuation in
            var results = [[UInt8]](repeating: [], count: payloads.count)
            var remaining = payloads.count
            guard remaining > 0 else { return continuation.resume(returning: .all(results)) }
            sendChunks(service, payloads) { index, result in
                guard remaining > 0 else { return }  // already resumed with a failure
                switch result {
                case .success(let bytes):
                    results[index] = bytes
                    remaining -= 1
                    if remaining == 0 { continuation.resume(returning: .all(results)) }
                case .failure(let error):
                    remaining = 0
                    continuation.resume(returning: .failed(index, error))
                }
            }
        }
        switch answers {
        case .all(let results):
            var outputs: [Output] = []
            outputs.reserveCapacity(inputs.count)
            for (index, bytes) in results.enumerated() {
                outputs += try decodeChunk(.success(bytes), chunk: chunks[index], service: service, as: Output.self)
            }
            return outputs
        case .failed(let index, let error):
            throw Self.naming(chunks[index], in: error)
        }
    }

    /// What a `map` gets back from the MPI thread: every chunk's coded outputs in input
    /// order, or the first chunk that failed.
    private enum ChunkAnswers {
        case all([[UInt8]])
        case failed(Int, ServiceError)
    }

    /// Like ``map(_:_:chunkSize:as:)``, but yields each output as soon as its chunk is
    /// answered, with its input's index: the order in which they complete.
    public func mapAsCompleted<Input: Encodable & Sendable, Output: Decodable & Sendable>(
        _ service: String, _ inputs: [Input], chunkSize: Int = 1, as output: Output.Type = Output.self)
        -> AsyncThrowingStream<(index: Int, output: Output), Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let chunks = Self.chunks(inputs.count, size: chunkSize)
                    for await (index, result) in try await self.callChunks(service, inputs, chunks) {
                        let outputs = try self.decodeChunk(result, chunk: chunks[index], service: service, as: Output.self)
                        for (offset, output) in outputs.enumerated() {
                            continuation.yield((chunks[index].lowerBound + offset, output))
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The value bound to `name` in the name server, waiting up to `timeout` seconds for it
    /// to appear (`nil`: as long as it takes).
    ///
    /// - Throws: ``ServiceError`` of kind ``ServiceError/Kind/notFound`` when it did not appear in time.
    public func lookup(_ name: String, timeout: Double? = 0) async throws(ServiceError) -> [UInt8] {
        let reply = await nameServerRequest(.lookup, key: name, timeout: timeout)
        guard reply.error == nil, let entry = reply.entries.first else {
            throw ServiceError(.notFound, service: name, message: reply.error ?? "no such name: \(name)")
        }
        return entry.value
    }

    /// Binds `name` to `value` in the name server; waiting lookups answer.
    public func register(_ name: String, value: [UInt8]) async {
        _ = await nameServerRequest(.register, key: name, value: value)
    }

    /// Removes `name` from the name server; returns whether it was bound.
    @discardableResult
    public func unregister(_ name: String) async -> Bool {
        await nameServerRequest(.unregister, key: name).error == nil
    }

    /// The names that start with `prefix`, sorted.
    public func list(prefix: String = "") async -> [String] {
        await nameServerRequest(.list, key: prefix).entries.map(\.key)
    }

    /// The services offered, each with the ranks that offer it.
    public func services() async -> [String: [Int]] {
        var offers: [String: [Int]] = [:]
        for entry in await nameServerRequest(.list, key: "service/").entries {
            offers[String(decoding: entry.value, as: UTF8.self), default: []].append(entry.owner)
        }
        return offers
    }

    // MARK: Plumbing

    func callRaw(_ service: String, payload: [UInt8], batch: Bool) async -> Result<[UInt8], ServiceError> {
        await withCheckedContinuation { continuation in
            queue.post { [sink] in
                do {
                    try sink.send(service: service, payload: payload, batch: batch, format: .binary) {
                        continuation.resume(returning: $0)
                    }
                } catch {
                    continuation.resume(returning: .failure(ServiceError(.stopped, service: service, message: "\(error)")))
                }
            }
        }
    }

    private func nameServerRequest(_ operation: NameServerRequest.Operation, key: String, value: [UInt8] = [],
                                   timeout: Double? = 0) async -> NameServerReply {
        await withCheckedContinuation { continuation in
            queue.post { [nameServer] in
                do {
                    try nameServer.request(operation, key: key, value: value, timeout: timeout) { continuation.resume(returning: $0) }
                } catch {
                    continuation.resume(returning: NameServerReply(id: 0, error: "\(error)"))
                }
            }
        }
    }

    static func chunks(_ count: Int, size: Int) -> [Range<Int>] {
        let size = max(1, size)
        return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }

    /// Each chunk's inputs, coded.
    private func encodeChunks<Input: Encodable & Sendable>(_ service: String, _ inputs: [Input], _ chunks: [Range<Int>])
        throws(ServiceError) -> [[UInt8]] {
        var payloads: [[UInt8]] = []
        payloads.reserveCapacity(chunks.count)
        for chunk in chunks { payloads.append(try encode(Array(inputs[chunk]), service: service)) }
        return payloads
    }

    /// Sends every chunk in one post to the MPI thread; `answered` runs there with each
    /// chunk's index and answer, as it comes: no task, continuation or thread wake-up per chunk.
    private func sendChunks(_ service: String, _ payloads: [[UInt8]],
                            answered: @escaping (Int, Result<[UInt8], ServiceError>) -> Void) {
        queue.post { [sink] in
            for (index, payload) in payloads.enumerated() {
                do {
                    try sink.send(service: service, payload: payload, batch: true, format: .binary) { answered(index, $0) }
                } catch {
                    answered(index, .failure(ServiceError(.stopped, service: service, message: "\(error)")))
                }
            }
        }
    }

    /// The answers of every chunk, in the order they come, through a stream.
    private func callChunks<Input: Encodable & Sendable>(_ service: String, _ inputs: [Input], _ chunks: [Range<Int>])
        async throws(ServiceError) -> AsyncStream<(Int, Result<[UInt8], ServiceError>)> {
        let payloads = try encodeChunks(service, inputs, chunks)
        let (stream, continuation) = AsyncStream.makeStream(of: (Int, Result<[UInt8], ServiceError>).self)
        guard !payloads.isEmpty else {
            continuation.finish()
            return stream
        }
        // Answers arrive on the MPI thread only, so the count needs no lock.
        var remaining = payloads.count
        sendChunks(service, payloads) { index, result in
            continuation.yield((index, result))
            remaining -= 1
            if remaining == 0 { continuation.finish() }
        }
        return stream
    }

    private func decodeChunk<Output: Decodable>(_ result: Result<[UInt8], ServiceError>, chunk: Range<Int>, service: String,
                                                as type: Output.Type) throws(ServiceError) -> [Output] {
        switch result {
        case .success(let bytes):
            let outputs = try decode([Output].self, from: bytes, service: service)
            guard outputs.count == chunk.count else {
                throw ServiceError(.badOutput, service: service, message: "\(outputs.count) outputs for \(chunk.count) inputs")
            }
            return outputs
        case .failure(let error):
            throw Self.naming(chunk, in: error)
        }
    }

    /// A chunk's error, its message prefixed with the chunk's input indexes.
    private static func naming(_ chunk: Range<Int>, in error: ServiceError) -> ServiceError {
        var error = error
        error.message = "inputs \(chunk.lowerBound)..<\(chunk.upperBound): " + error.message
        return error
    }

    private func encode<Value: Encodable>(_ value: Value, service: String) throws(ServiceError) -> [UInt8] {
        do {
            return try PayloadCoding.encode(value, format: .binary)
        } catch {
            throw ServiceError(.badInput, service: service, message: "\(error)")
        }
    }

    private func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8], service: String) throws(ServiceError) -> Value {
        do {
            return try PayloadCoding.decode(Value.self, from: bytes, format: .binary)
        } catch {
            throw ServiceError(.badOutput, service: service, message: "\(error)")
        }
    }
}
