import Foundation
import MPI

/// Codes service inputs and outputs: the MPI module's compact `BinaryEncoder` between the
/// program's own ranks, JSON for calls from outside (`taskfarm call`), where people type them.
enum PayloadCoding {
    /// - Throws: the coder's error when `value` cannot be coded.
    static func encode<Value: Encodable>(_ value: Value, format: PayloadFormat) throws -> [UInt8] {
        switch format {
        case .binary: return try BinaryEncoder().encode(value)
        case .json: return [UInt8](try JSONEncoder().encode(value))
        }
    }

    /// - Throws: the coder's error when `bytes` do not hold a `Value`.
    static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8], format: PayloadFormat) throws -> Value {
        try decode(Value.self, from: PayloadBytes(bytes), format: format)
    }

    /// Decodes `payload` where it lies, in its message's bytes.
    /// - Throws: the coder's error when the payload does not hold a `Value`.
    static func decode<Value: Decodable>(_ type: Value.Type, from payload: PayloadBytes, format: PayloadFormat) throws -> Value {
        switch format {
        case .binary: return try BinaryDecoder().decode(Value.self, from: payload.base, in: payload.range)
        case .json: return try JSONDecoder().decode(Value.self, from: Data(payload.base[payload.range]))
        }
    }
}
