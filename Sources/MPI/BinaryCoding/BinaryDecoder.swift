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
        if let primitive = T.self as? any BinaryPrimitive.Type {
            return try primitive.read(from: self, codingPath) as! T
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

/// The parsed entries of a keyed container, in written order. Lookups start after the
/// previous hit, so decoding in encoding order (what synthesized `Codable` does) is O(1).
final class KeyedEntries {
    var keys: [String] = []
    var ranges: [Range<Int>] = []
    private var cursor = 0

    init(reader: ByteReader, codingPath: [any CodingKey]) throws {
        let count = try reader.readVarint(codingPath)
        guard count <= UInt64(reader.end - reader.position) else { throw reader.fail("entry count \(count) too large", codingPath) }
        keys.reserveCapacity(Int(count))
        ranges.reserveCapacity(Int(count))
        for _ in 0..<count {
            keys.append(try reader.readString(codingPath))
            let length = try reader.readLength(codingPath)
            ranges.append(reader.position..<reader.position + length)
            reader.position += length
        }
    }

    func range(of key: String) -> Range<Int>? {
        let count = keys.count
        for step in 0..<count {
            let index = (cursor + step) % count
            if keys[index] == key {
                cursor = index + 1 == count ? 0 : index + 1
                return ranges[index]
            }
        }
        return nil
    }
}

struct KeyedReaderContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let entries: KeyedEntries
    let bytes: [UInt8]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { entries.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { entries.range(of: key.stringValue) != nil }

    private func reader(for key: Key) throws -> ByteReader {
        guard let range = entries.range(of: key.stringValue) else {
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
        guard let range = entries.range(of: "super") else {
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

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try reader.decodeValue(T.self, codingPath: codingPath) }
}
