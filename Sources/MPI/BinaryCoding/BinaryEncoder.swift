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
/// Swift-side only (MPI 3.1 has no serialization); the bytes travel as `MPI_BYTE`
/// (§3.2.2). A `Codable` struct of five `Int`/`Double`/`Bool`/`String` fields costs its values plus
/// `2 + key length` bytes per field.
public struct BinaryEncoder: Sendable {
    /// A new encoder; it has no options. Swift-side only, no `MPI_` call.
    public init() {}

    /// Encodes `value`.
    ///
    /// - Returns: the encoded bytes.
    /// - Throws: whatever the value's `encode(to:)` throws (`EncodingError`). No `MPI_` call.
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        // A scalar or an array of scalars needs no node: its codec writes the same bytes
        // straight into the output.
        if case .direct(let codec) = CodingShape.of(T.self) {
            var output: [UInt8] = []
            withUnsafePointer(to: value) { codec.write(UnsafeRawPointer($0), &output) }
            return output
        }
        let node = EncodingNode()
        try node.encodeValue(value, key: nil, codingPath: [])
        var output: [UInt8] = []
        output.reserveCapacity(node.tail.count + 16)
        node.write(to: &output)
        return output
    }
}

/// One value under construction. Bytes that are already final accumulate in `tail`; a
/// nested value whose size is not yet known is a child node, serialized at the end.
final class EncodingNode {
    enum Kind { case single, keyed, unkeyed }
    enum Piece {
        case bytes([UInt8])
        case entry(key: String, EncodingNode)
        case element(EncodingNode)
    }

    // Only one encoder touches a node at a time; runtime exclusivity checks would cost
    // more than the encoding itself.
    @exclusivity(unchecked) var kind = Kind.single
    /// Entries (keyed) or elements (unkeyed) so far.
    @exclusivity(unchecked) var count = 0
    @exclusivity(unchecked) var pieces: [Piece] = []
    @exclusivity(unchecked) var tail: [UInt8] = []

    func become(_ newKind: Kind) {
        guard isEmptySingle else { return }
        kind = newKind
        tail.reserveCapacity(64)  // one allocation for a typical struct's fields
    }

    /// A child for a value of unknown size, at the current position.
    func child(key: String?) -> EncodingNode {
        if !tail.isEmpty {
            pieces.append(.bytes(tail))
            tail = []
        }
        let node = EncodingNode()
        pieces.append(key.map { .entry(key: $0, node) } ?? .element(node))
        count += 1
        return node
    }

    /// Writes a value whose bytes `body` produces at once: as a keyed entry (key and length
    /// prefix) if `key` is given, else as the next element or the single value.
    func place(key: String?, _ body: (inout [UInt8]) -> Void) {
        if kind != .single { count += 1 }
        guard let key else { return body(&tail) }
        tail.appendString(key)
        let lengthAt = tail.count
        tail.append(0)
        body(&tail)
        let length = tail.count - lengthAt - 1
        if length < 0x80 {
            tail[lengthAt] = UInt8(length)
        } else {
            var prefix: [UInt8] = []
            prefix.appendVarint(UInt64(length))
            tail.replaceSubrange(lengthAt..<lengthAt + 1, with: prefix)
        }
    }

    func write(to output: inout [UInt8]) {
        if kind != .single { output.appendVarint(UInt64(count)) }
        var scratch: [UInt8] = []
        for piece in pieces {
            switch piece {
            case .bytes(let bytes):
                output.append(contentsOf: bytes)
            case .element(let node):
                node.write(to: &output)
            case .entry(let key, let node):
                output.appendString(key)
                scratch.removeAll(keepingCapacity: true)
                node.write(to: &scratch)
                output.appendVarint(UInt64(scratch.count))
                output.append(contentsOf: scratch)
            }
        }
        output.append(contentsOf: tail)
    }

    /// The one path every generic value takes: scalars in place, optionals with their
    /// presence flag, anything else through its own `encode(to:)` into a child.
    func encodeValue<T: Encodable>(_ value: T, key: String?, codingPath: @autoclosure () -> [any CodingKey]) throws {
        switch CodingShape.of(T.self) {
        case .direct(let codec):
            place(key: key) { bytes in withUnsafePointer(to: value) { codec.write(UnsafeRawPointer($0), &bytes) } }
        case .optional:
            guard let wrapped = (value as? any OptionalEncodable)?.wrappedEncodable else {
                return place(key: key) { $0.append(0) }
            }
            let slot = child(key: key)  // the flag, then the wrapped value
            slot.tail.append(1)
            try slot.encodeValue(wrapped, key: nil, codingPath: codingPath())
        case .other:
            let slot = key == nil && isEmptySingle ? self : child(key: key)
            try value.encode(to: NodeEncoder(node: slot, codingPath: codingPath()))
        }
    }

    private var isEmptySingle: Bool { kind == .single && pieces.isEmpty && tail.isEmpty }
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
        node.become(.keyed)
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.become(.unkeyed)
        return UnkeyedNodeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueNodeContainer(node: node, codingPath: codingPath)
    }
}

struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {}  // an absent key means nil

    // Scalars straight into the bytes: no dynamic casts on the common path.
    mutating func encode(_ value: Bool, forKey key: Key) throws { node.place(key: key.stringValue) { value.write(to: &$0) } }
    mutating func encode(_ value: String, forKey key: Key) throws { node.place(key: key.stringValue) { value.write(to: &$0) } }
    mutating func encode(_ value: Double, forKey key: Key) throws { node.place(key: key.stringValue) { value.write(to: &$0) } }
    mutating func encode(_ value: Float, forKey key: Key) throws { node.place(key: key.stringValue) { value.write(to: &$0) } }
    mutating func encode(_ value: Int, forKey key: Key) throws { node.place(key: key.stringValue) { value.write(to: &$0) } }
    mutating func encode(_ value: Int8, forKey key: Key) throws { node.place(key: key.stringValue) { value.write(to: &$0) } }
    mutating func encode(_ value: Int16, forKey key: Key) throws { node.place(key: key.stringValue) { value.write(to: &$0) } }
    mutating func encode(_ value: Int32, forKey key: Key) throws { node.place(key: key.stringValue) { value.write(to: &$0) } }
    mutating func encode(_ value: Int64, forKey key: Key) throws { node.place(key: key.stringValue) { value.write(to: &$0) } }
    mutating func encode(_ value: UInt, forKey key: Key) throws { node.place(key: key.stringValue) { value.write(to: &$0) } }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { node.place(key: key.stringValue) { value.write(to: &$0) } }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { node.place(key: key.stringValue) { value.write(to: &$0) } }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { node.place(key: key.stringValue) { value.write(to: &$0) } }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { node.place(key: key.stringValue) { value.write(to: &$0) } }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try node.encodeValue(value, key: key.stringValue, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                        forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.child(key: key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.child(key: key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.child(key: "super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.child(key: key.stringValue), codingPath: codingPath + [key])
    }
}

/// The primitive encodes the unkeyed and the single-value containers share: each places
/// one value, with no key, in the container's node.
protocol PrimitiveNodeContainer {
    var node: EncodingNode { get }
}

extension PrimitiveNodeContainer {
    func encode(_ value: Bool) throws { node.place(key: nil) { value.write(to: &$0) } }
    func encode(_ value: String) throws { node.place(key: nil) { value.write(to: &$0) } }
    func encode(_ value: Double) throws { node.place(key: nil) { value.write(to: &$0) } }
    func encode(_ value: Float) throws { node.place(key: nil) { value.write(to: &$0) } }
    func encode(_ value: Int) throws { node.place(key: nil) { value.write(to: &$0) } }
    func encode(_ value: Int8) throws { node.place(key: nil) { value.write(to: &$0) } }
    func encode(_ value: Int16) throws { node.place(key: nil) { value.write(to: &$0) } }
    func encode(_ value: Int32) throws { node.place(key: nil) { value.write(to: &$0) } }
    func encode(_ value: Int64) throws { node.place(key: nil) { value.write(to: &$0) } }
    func encode(_ value: UInt) throws { node.place(key: nil) { value.write(to: &$0) } }
    func encode(_ value: UInt8) throws { node.place(key: nil) { value.write(to: &$0) } }
    func encode(_ value: UInt16) throws { node.place(key: nil) { value.write(to: &$0) } }
    func encode(_ value: UInt32) throws { node.place(key: nil) { value.write(to: &$0) } }
    func encode(_ value: UInt64) throws { node.place(key: nil) { value.write(to: &$0) } }
}

struct UnkeyedNodeContainer: UnkeyedEncodingContainer, PrimitiveNodeContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var count: Int { node.count }

    mutating func encodeNil() throws { node.place(key: nil) { $0.append(0) } }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try node.encodeValue(value, key: nil, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.child(key: nil), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.child(key: nil), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.child(key: nil), codingPath: codingPath)
    }
}

struct SingleValueNodeContainer: SingleValueEncodingContainer, PrimitiveNodeContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.tail.append(0) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.encodeValue(value, key: nil, codingPath: codingPath) }
}
