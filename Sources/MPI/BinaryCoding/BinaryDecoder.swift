/// Decodes values written by ``BinaryEncoder``. Decoding must ask for the same types the
/// encoding wrote (the format carries no type tags); a mismatch or truncated data throws
/// `DecodingError.dataCorrupted` with the coding path and the byte offset.
public struct BinaryDecoder: Sendable {
    /// A new decoder; it has no options.
    public init() {}

    /// Decodes a value of `type` from `bytes`, which must be consumed exactly.
    ///
    /// - Throws: `DecodingError` (`dataCorrupted`, `keyNotFound`) on malformed input or
    ///   trailing bytes.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let reader = ByteReader(bytes)
        let value = try reader.decodeValue(T.self, codingPath: [])
        guard reader.isAtEnd else { throw reader.fail("\(reader.end - reader.position) trailing bytes after \(T.self)", []) }
        return value
    }
}

/// Lets the decoder recognise `Optional` (for the presence flag of a nested optional).
protocol OptionalDecodable {}
extension Optional: OptionalDecodable {}

extension ByteReader {
    /// The one path every generic value takes, mirroring ``EncodingNode/encodeValue(_:codingPath:)``.
    func decodeValue<T: Decodable>(_ type: T.Type, codingPath: [any CodingKey]) throws -> T {
        if T.self == String.self { return try readString(codingPath) as! T }
        if T.self == [UInt8].self {
            let length = try readLength(codingPath)
            defer { position += length }
            return Array(bytes[position..<position + length]) as! T
        }
        return try T(from: ReaderDecoder(reader: self, codingPath: codingPath))
    }

    /// Reads an optional's presence flag: `true` (consumed) for nil, `false` (consumed) for a value.
    func readNilFlag() -> Bool {
        switch peekByte() {
        case 0: position += 1; return true
        case 1: position += 1; return false
        default: return false
        }
    }
}

final class ReaderDecoder: Decoder {
    let reader: ByteReader
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private var entries: KeyedEntries?

    init(reader: ByteReader, codingPath: [any CodingKey]) {
        self.reader = reader
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        if entries == nil { entries = try KeyedEntries(reader: reader, codingPath: codingPath) }
        return KeyedDecodingContainer(KeyedReaderContainer<Key>(entries: entries!, bytes: reader.bytes, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let count = try reader.readVarint(codingPath)
        return UnkeyedReaderContainer(reader: reader, codingPath: codingPath, count: Int(clamping: count))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueReaderContainer(reader: reader, codingPath: codingPath)
    }
}

/// The parsed entries of a keyed container: each key's byte range.
struct KeyedEntries {
    var ranges: [String: Range<Int>] = [:]
    var order: [String] = []

    init(reader: ByteReader, codingPath: [any CodingKey]) throws {
        let count = try reader.readVarint(codingPath)
        for _ in 0..<count {
            let key = try reader.readString(codingPath)
            let length = try reader.readLength(codingPath)
            if ranges.updateValue(reader.position..<reader.position + length, forKey: key) == nil { order.append(key) }
            reader.position += length
        }
    }
}

struct KeyedReaderContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let entries: KeyedEntries
    let bytes: [UInt8]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { entries.order.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { entries.ranges[key.stringValue] != nil }

    private func reader(for key: Key) throws -> ByteReader {
        guard let range = entries.ranges[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath,
                                                       debugDescription: "binary decoding: no entry for key \"\(key.stringValue)\""))
        }
        return ByteReader(bytes, range: range)
    }

    func decodeNil(forKey key: Key) throws -> Bool { !contains(key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try reader(for: key).decodeValue(T.self, codingPath: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type,
                                               forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ReaderDecoder(reader: reader(for: key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ReaderDecoder(reader: reader(for: key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        guard let range = entries.ranges["super"] else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "binary decoding: no super entry"))
        }
        return ReaderDecoder(reader: ByteReader(bytes, range: range), codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try ReaderDecoder(reader: reader(for: key), codingPath: codingPath + [key])
    }
}

struct UnkeyedReaderContainer: UnkeyedDecodingContainer {
    let reader: ByteReader
    let codingPath: [any CodingKey]
    let elementCount: Int
    var currentIndex = 0

    init(reader: ByteReader, codingPath: [any CodingKey], count: Int) {
        self.reader = reader
        self.codingPath = codingPath
        self.elementCount = count
    }

    var count: Int? { elementCount }
    var isAtEnd: Bool { currentIndex >= elementCount }

    private func ensureNotAtEnd() throws {
        if isAtEnd { throw reader.fail("read past the \(elementCount) elements of an unkeyed container", codingPath) }
    }

    mutating func decodeNil() throws -> Bool {
        try ensureNotAtEnd()
        let isNil = reader.readNilFlag()
        if isNil { currentIndex += 1 }
        return isNil
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try ensureNotAtEnd()
        defer { currentIndex += 1 }
        return try reader.decodeValue(T.self, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try ensureNotAtEnd()
        defer { currentIndex += 1 }
        return try ReaderDecoder(reader: reader, codingPath: codingPath).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try ensureNotAtEnd()
        defer { currentIndex += 1 }
        return try ReaderDecoder(reader: reader, codingPath: codingPath).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        try ensureNotAtEnd()
        defer { currentIndex += 1 }
        return ReaderDecoder(reader: reader, codingPath: codingPath)
    }
}

struct SingleValueReaderContainer: SingleValueDecodingContainer {
    let reader: ByteReader
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { reader.readNilFlag() }

    func decode(_ type: Bool.Type) throws -> Bool {
        switch try reader.readByte(codingPath) {
        case 0: return false
        case 1: return true
        case let other: throw reader.fail("\(other) is not a Bool (0 or 1)", codingPath)
        }
    }

    func decode(_ type: String.Type) throws -> String { try reader.readString(codingPath) }
    func decode(_ type: Double.Type) throws -> Double {
        Double(bitPattern: try reader.readLittleEndian(UInt64.self, codingPath))
    }
    func decode(_ type: Float.Type) throws -> Float {
        Float(bitPattern: try reader.readLittleEndian(UInt32.self, codingPath))
    }
    func decode(_ type: Int.Type) throws -> Int { try reader.readInteger(Int.self, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try reader.readInteger(Int8.self, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try reader.readInteger(Int16.self, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try reader.readInteger(Int32.self, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try reader.readInteger(Int64.self, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try reader.readInteger(UInt.self, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try reader.readInteger(UInt8.self, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try reader.readInteger(UInt16.self, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try reader.readInteger(UInt32.self, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try reader.readInteger(UInt64.self, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try reader.decodeValue(T.self, codingPath: codingPath) }
}
