/// Encodes any `Encodable` value into a compact binary form, the payload format of
/// ``Communicator/send(encoding:to:tag:)``. Not JSON: no quoting, no field separators,
/// integers as varints.
///
/// The format (all of it; there is no header or version byte):
/// - `Bool`: one byte, 0 or 1. `Int8`, `UInt8`: one byte.
/// - Other unsigned integers: LEB128 varint (7 bits a byte, low group first).
/// - Other signed integers: zigzag, then LEB128 varint (so -1 is one byte).
/// - `Float`, `Double`: IEEE 754, little-endian, 4 or 8 bytes.
/// - `String`: varint byte count, then UTF-8.
/// - Unkeyed containers (arrays, sets): varint element count, then the elements back to back.
/// - Keyed containers (structs, classes, enums, dictionaries with `String`/`Int` keys):
///   varint entry count, then per entry the key as a string, a varint byte length and the
///   value. Entries are self-delimiting, so decoding by key works in any order; a `nil`
///   optional property is simply absent.
/// - An `Optional` in an unkeyed or single-value position: `0` for `nil`, or `1` and the value.
///
/// A `Codable` struct of five `Int`/`Double`/`String` fields costs its values plus about
/// `2 + key length` bytes per field.
public struct BinaryEncoder: Sendable {
    /// A new encoder; it has no options.
    public init() {}

    /// Encodes `value`.
    ///
    /// - Returns: the encoded bytes.
    /// - Throws: whatever the value's `encode(to:)` throws (`EncodingError`).
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let node = EncodingNode()
        try node.encodeValue(value, codingPath: [])
        var output: [UInt8] = []
        node.write(to: &output)
        return output
    }
}

/// One value under construction: raw bytes, or a keyed or unkeyed container of children.
final class EncodingNode {
    enum Content {
        case bytes([UInt8])
        case keyed([(key: String, value: EncodingNode)])
        case unkeyed([EncodingNode])
    }

    var content: Content = .bytes([])

    func append(_ body: (inout [UInt8]) -> Void) {
        guard case .bytes(var bytes) = content else {
            preconditionFailure("binary encoding: a single value was written into a container")
        }
        content = .bytes([])
        body(&bytes)
        content = .bytes(bytes)
    }

    func appendEntry(_ key: String) -> EncodingNode {
        let child = EncodingNode()
        if case .keyed(var entries) = content {
            content = .bytes([])
            entries.append((key, child))
            content = .keyed(entries)
        } else {
            content = .keyed([(key, child)])
        }
        return child
    }

    func appendElement() -> EncodingNode {
        let child = EncodingNode()
        if case .unkeyed(var elements) = content {
            content = .bytes([])
            elements.append(child)
            content = .unkeyed(elements)
        } else {
            content = .unkeyed([child])
        }
        return child
    }

    func makeKeyed() {
        if case .bytes(let bytes) = content, bytes.isEmpty { content = .keyed([]) }
    }

    func makeUnkeyed() {
        if case .bytes(let bytes) = content, bytes.isEmpty { content = .unkeyed([]) }
    }

    func write(to output: inout [UInt8]) {
        switch content {
        case .bytes(let bytes):
            output.append(contentsOf: bytes)
        case .unkeyed(let elements):
            output.appendVarint(UInt64(elements.count))
            for element in elements { element.write(to: &output) }
        case .keyed(let entries):
            output.appendVarint(UInt64(entries.count))
            var scratch: [UInt8] = []
            for (key, value) in entries {
                output.appendString(key)
                scratch.removeAll(keepingCapacity: true)
                value.write(to: &scratch)
                output.appendVarint(UInt64(scratch.count))
                output.append(contentsOf: scratch)
            }
        }
    }

    /// The one path every generic value takes: fast paths for strings and byte arrays,
    /// the optional flag, and otherwise the value's own `encode(to:)`.
    func encodeValue<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        if let string = value as? String {
            append { $0.appendString(string) }
        } else if let bytes = value as? [UInt8] {
            append { $0.appendVarint(UInt64(bytes.count)); $0.append(contentsOf: bytes) }
        } else if let optional = value as? any OptionalEncodable {
            if let wrapped = optional.wrappedEncodable {
                append { $0.append(1) }
                try encodeValue(wrapped, codingPath: codingPath)
            } else {
                append { $0.append(0) }
            }
        } else {
            try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
        }
    }
}

/// Lets the encoder see through `Optional` to write its presence flag.
protocol OptionalEncodable {
    var wrappedEncodable: (any Encodable)? { get }
}

extension Optional: OptionalEncodable where Wrapped: Encodable {
    var wrappedEncodable: (any Encodable)? { self.map { $0 } }
}

struct NodeEncoder: Encoder {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeKeyed()
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeUnkeyed()
        return UnkeyedNodeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueNodeContainer(node: node, codingPath: codingPath)
    }
}

struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {}  // absent key means nil

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try node.appendEntry(key.stringValue).encodeValue(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                        forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.appendEntry(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.appendEntry(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.appendEntry("super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.appendEntry(key.stringValue), codingPath: codingPath + [key])
    }
}

struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var count: Int {
        if case .unkeyed(let elements) = node.content { return elements.count }
        return 0
    }

    mutating func encodeNil() throws {
        node.appendElement().append { $0.append(0) }
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try node.appendElement().encodeValue(value, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.appendElement(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.appendElement(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.appendElement(), codingPath: codingPath)
    }
}

struct SingleValueNodeContainer: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.append { $0.append(0) } }
    mutating func encode(_ value: Bool) throws { node.append { $0.append(value ? 1 : 0) } }
    mutating func encode(_ value: String) throws { node.append { $0.appendString(value) } }
    mutating func encode(_ value: Double) throws { node.append { $0.appendLittleEndian(value.bitPattern) } }
    mutating func encode(_ value: Float) throws { node.append { $0.appendLittleEndian(value.bitPattern) } }
    mutating func encode(_ value: Int) throws { node.append { $0.appendInteger(value) } }
    mutating func encode(_ value: Int8) throws { node.append { $0.appendInteger(value) } }
    mutating func encode(_ value: Int16) throws { node.append { $0.appendInteger(value) } }
    mutating func encode(_ value: Int32) throws { node.append { $0.appendInteger(value) } }
    mutating func encode(_ value: Int64) throws { node.append { $0.appendInteger(value) } }
    mutating func encode(_ value: UInt) throws { node.append { $0.appendInteger(value) } }
    mutating func encode(_ value: UInt8) throws { node.append { $0.appendInteger(value) } }
    mutating func encode(_ value: UInt16) throws { node.append { $0.appendInteger(value) } }
    mutating func encode(_ value: UInt32) throws { node.append { $0.appendInteger(value) } }
    mutating func encode(_ value: UInt64) throws { node.append { $0.appendInteger(value) } }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.encodeValue(value, codingPath: codingPath) }
}
