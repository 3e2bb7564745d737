import Foundation
import MPI

/// The services a program offers, by name: each an async handler from a `Codable` request
/// to a `Codable` response. Every rank of the program builds the same registry; the worker
/// ranks serve it.
public final class ServiceRegistry: @unchecked Sendable {
    /// A handler with its types erased to coded bytes; `batch` runs it over an array of
    /// inputs. Outputs are coded in the inputs' format.
    struct Erased: Sendable {
        let single: @Sendable ([UInt8], PayloadFormat, ServiceClient) async -> Result<[UInt8], ServiceError>
        let batch: @Sendable ([UInt8], PayloadFormat, ServiceClient) async -> Result<[UInt8], ServiceError>
    }

    private(set) var services: [String: Erased] = [:]

    /// An empty registry.
    public init() {}

    /// The names registered, sorted.
    public var names: [String] { services.keys.sorted() }

    /// Registers `handler` as the service `name`, replacing an earlier one. An error it
    /// throws reaches the caller as a ``ServiceError`` of kind ``ServiceError/Kind/serviceThrew``.
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
                    for input in inputs { outputs.append(try await handler(input, client)) }
                    return outputs
                }
            })
    }

    /// Decodes the input, runs `body`, encodes the output; every failure becomes a ``ServiceError``.
    private static func run<I: Decodable, O: Encodable>(_ name: String, _ bytes: [UInt8], _ format: PayloadFormat,
                                                        _ decode: I.Type,
                                                        _ body: (I) async throws -> O) async -> Result<[UInt8], ServiceError> {
        let input: I
        do {
            input = try PayloadCoding.decode(I.self, from: bytes, format: format)
        } catch {
            return .failure(ServiceError(.badInput, service: name, message: "\(error)"))
        }
        let output: O
        do {
            output = try await body(input)
        } catch let error as ServiceError {
            return .failure(error)
        } catch {
            return .failure(ServiceError(.serviceThrew, service: name, message: "\(error)",
                                         errorType: String(reflecting: type(of: error))))
        }
        do {
            return .success(try PayloadCoding.encode(output, format: format))
        } catch {
            return .failure(ServiceError(.badOutput, service: name, message: "\(error)"))
        }
    }
}
