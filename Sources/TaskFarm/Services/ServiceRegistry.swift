import Foundation
import MPI

/// The services a program offers, by name: each a handler, synchronous or async, from a
/// `Codable` request to a `Codable` response. Every rank of the program builds the same
/// registry; the worker ranks serve it.
public final class ServiceRegistry: @unchecked Sendable {
    /// A handler with its types erased to coded bytes; `batch` runs it over an array of
    /// inputs. Inputs are read where they lie in the call's message; outputs are coded in
    /// the inputs' format.
    struct Erased: Sendable {
        let single: @Sendable (PayloadBytes, PayloadFormat, ServiceClient) async -> Result<[UInt8], ServiceError>
        let batch: @Sendable (PayloadBytes, PayloadFormat, ServiceClient) async -> Result<[UInt8], ServiceError>
        /// A synchronous handler's call, run to its end on the calling thread: one input, or
        /// an array of them when the `Bool` is true. `nil` for an async handler, which runs
        /// in a task of its own.
        let immediate: (@Sendable (PayloadBytes, PayloadFormat, Bool) -> Result<[UInt8], ServiceError>)?
    }

    private(set) var services: [String: Erased] = [:]

    /// An empty registry.
    public init() {}

    /// The names registered, sorted.
    public var names: [String] { services.keys.sorted() }

    /// Registers the async `handler` as the service `name`, replacing an earlier one: each
    /// call runs as a task on the worker's MPI thread. An error it throws reaches the caller
    /// as a ``ServiceError`` of kind ``ServiceError/Kind/serviceThrew``.
    public func register<Input: Codable & Sendable, Output: Codable & Sendable>(
        _ name: String, _ handler: @escaping @Sendable (Input) async throws -> Output) {
        register(name) { (input: Input, _: ServiceClient) in try await handler(input) }
    }

    /// Registers a handler that may itself call services, through the client it is given.
    public func register<Input: Codable & Sendable, Output: Codable & Sendable>(
        _ name: String, _ handler: @escaping @Sendable (Input, ServiceClient) async throws -> Output) {
        services[name] = Erased(
            single: { bytes, format, client in await Self.run(name, bytes, format, Input.self) { try await handler($0, client) } },
            batch: { bytes, format, client in
                await Self.run(name, bytes, format, [Input].self) { inputs in
                    var outputs: [Output] = []
                    outputs.reserveCapacity(inputs.count)
                    for (offset, input) in inputs.enumerated() {
                        do {
                            outputs.append(try await handler(input, client))
                        } catch {
                            throw FailedInput(offset: offset, error: error)
                        }
                    }
                    return outputs
                }
            },
            immediate: nil)
    }

    /// Registers a synchronous `handler` as the service `name`, replacing an earlier one: a
    /// closure that does not `await` (`{ (x: Int) in x * x }`) is one. The worker runs each
    /// call, or each chunk of a `map` (every input in turn), at once on its MPI thread,
    /// with no task and no `await` per input: the cheapest way to serve short calls (1.6 to
    /// 3 times the inputs a second of an async handler at 100 inputs a call on 2 cores,
    /// docs/internals.md, "Payloads and synchronous services").
    /// Messages wait while it runs, as they do while an async handler runs without awaiting.
    /// An error it throws reaches the caller as a ``ServiceError`` of kind
    /// ``ServiceError/Kind/serviceThrew``.
    @inlinable
    public func register<Input: Codable & Sendable, Output: Codable & Sendable>(
        _ name: String, _ handler: @escaping @Sendable (Input) throws -> Output) {
        // Inlinable, so that the loop over a chunk's inputs is compiled for the caller's
        // types: unspecialized, each input paid for value witnesses and metadata lookups.
        registerSynchronous(name) { bytes, format, batch in
            guard batch else { return ServiceRegistry.runNow(name, bytes, format, Input.self, handler) }
            return ServiceRegistry.runNow(name, bytes, format, [Input].self) { inputs in try ServiceRegistry.eachInput(inputs, handler) }
        }
    }

    /// A chunk's outputs, `handler` run on each input in turn, stopping at the first that
    /// throws, as Python's chunked `map` does.
    ///
    /// - Throws: ``FailedInput`` with the failing input's place in the chunk.
    @inlinable
    static func eachInput<Input, Output>(_ inputs: [Input], _ handler: (Input) throws -> Output) throws -> [Output] {
        var outputs: [Output] = []
        outputs.reserveCapacity(inputs.count)
        for (offset, input) in inputs.enumerated() {
            do {
                outputs.append(try handler(input))
            } catch {
                throw FailedInput(offset: offset, error: error)
            }
        }
        return outputs
    }

    /// An error a handler threw on the input at `offset` of a chunk: the caller learns
    /// which input of its map failed (``ServiceError/inputIndex``).
    @usableFromInline
    struct FailedInput: Error {
        @usableFromInline let offset: Int
        @usableFromInline let error: any Error
        @usableFromInline init(offset: Int, error: any Error) {
            self.offset = offset
            self.error = error
        }
    }

    /// Stores a synchronous handler, given as what its `immediate` runs.
    @usableFromInline
    func registerSynchronous(_ name: String,
                             _ immediate: @escaping @Sendable (PayloadBytes, PayloadFormat, Bool) -> Result<[UInt8], ServiceError>) {
        services[name] = Erased(single: { bytes, format, _ in immediate(bytes, format, false) },
                                batch: { bytes, format, _ in immediate(bytes, format, true) },
                                immediate: immediate)
    }

    /// Decodes the input, runs `body`, encodes the output; every failure becomes a ``ServiceError``.
    private static func run<I: Decodable, O: Encodable>(_ name: String, _ bytes: PayloadBytes, _ format: PayloadFormat,
                                                        _ decode: I.Type,
                                                        _ body: (I) async throws -> O) async -> Result<[UInt8], ServiceError> {
        let input: I
        switch decodeInput(name, bytes, format, I.self) {
        case .success(let decoded): input = decoded
        case .failure(let error): return .failure(error)
        }
        do {
            return encodeOutput(name, try await body(input), format)
        } catch {
            return .failure(thrown(error, by: name))
        }
    }

    /// ``run(_:_:_:_:_:)`` for a synchronous `body`: no suspension point at all.
    @usableFromInline
    static func runNow<I: Decodable, O: Encodable>(_ name: String, _ bytes: PayloadBytes, _ format: PayloadFormat,
                                                           _ decode: I.Type,
                                                           _ body: (I) throws -> O) -> Result<[UInt8], ServiceError> {
        let input: I
        switch decodeInput(name, bytes, format, I.self) {
        case .success(let decoded): input = decoded
        case .failure(let error): return .failure(error)
        }
        do {
            return encodeOutput(name, try body(input), format)
        } catch {
            return .failure(thrown(error, by: name))
        }
    }

    private static func decodeInput<I: Decodable>(_ name: String, _ bytes: PayloadBytes, _ format: PayloadFormat,
                                                  _ type: I.Type) -> Result<I, ServiceError> {
        do {
            return .success(try PayloadCoding.decode(I.self, from: bytes, format: format))
        } catch {
            return .failure(ServiceError(.badInput, service: name, message: "\(error)"))
        }
    }

    private static func encodeOutput<O: Encodable>(_ name: String, _ output: O, _ format: PayloadFormat) -> Result<[UInt8], ServiceError> {
        do {
            return .success(try PayloadCoding.encode(output, format: format))
        } catch {
            return .failure(ServiceError(.badOutput, service: name, message: "\(error)"))
        }
    }

    /// What the caller gets for an error the handler threw: a ``ServiceError`` as it is,
    /// anything else as ``ServiceError/Kind/serviceThrew`` with its message and type; one
    /// thrown on an input of a chunk also names that input's place in the chunk.
    private static func thrown(_ error: any Error, by name: String) -> ServiceError {
        if let failed = error as? FailedInput {
            var error = thrown(failed.error, by: name)
            error.inputIndex = failed.offset
            return error
        }
        if var error = error as? ServiceError {
            error.inputIndex = nil  // a map's the handler made itself: not an input of this call
            return error
        }
        return ServiceError(.serviceThrew, service: name, message: "\(error)", errorType: String(reflecting: type(of: error)))
    }
}
