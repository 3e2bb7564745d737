#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes values written by ``BinaryEncoder``. Decoding must ask for the same types the
/// encoding wrote (the format carries no type tags); a mismatch or truncated data throws
/// `DecodingError.dataCorrupted` with the coding path and the byte offset. Swift-side only:
/// it reads what arrived as `MPI_BYTE` (MPI 3.1 §3.2.2).
public struct BinaryDecoder: Sendable {
    /// A new decoder; it has no options. Swift-side only, no `MPI_` call.
    public init() {}

    /// Decodes a value of `type` from `bytes`, which must be consumed exactly.
    ///
    /// - Throws: `DecodingError` (`dataCorrupted`, `keyNotFound`) on malformed input or
    ///   trailing bytes. No `MPI_` call.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try decode(T.self, from: bytes, in: 0..<bytes.count)
    }

    /// Decodes a value of `type` from `bytes[range]`, in place (no copy of the range), which
    /// must be consumed exactly: a payload inside a larger received message.
    ///
    /// - Throws: `DecodingError` (`dataCorrupted`, `keyNotFound`) on malformed input or
    ///   trailing bytes; byte offsets in its message count from the start of `bytes`.
    ///   No `MPI_` call.
    /// - Precondition: `range` lies within `bytes`.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], in range: Range<Int>) throws -> T {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range \(range) outside 0..<\(bytes.count)")
        let reader = ByteReader(bytes, range: range)
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
    func decodeValue<T: Decodable>(_ type: T.Type, codingPath: @autoclosure () -> [any CodingKey]) throws -> T {
        if case .direct(let codec) = CodingShape.of(T.self) {
            return try withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { slot in
                try codec.read(self, slot.baseAddress!, codingPath())
                return slot.baseAddress!.move()
            }
        }
        return try T(from: ReaderDecoder(reader: self, codingPath: codingPath()))
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
    @exclusivity(unchecked) private var entries: KeyedEntries?

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

/// The parsed entries of a keyed container, in written order, as byte ranges (no key
/// strings are made unless `allKeys` asks). Lookups start after the previous hit, so
/// decoding in encoding order (what synthesized `Codable` does) finds each key first try.
final class KeyedEntries {
    struct Entry {
        let key: Range<Int>
        let value: Range<Int>
    }

    let bytes: [UInt8]
    let entries: [Entry]
    @exclusivity(unchecked) private var cursor = 0
    /// Reused for reading scalars, which never keep their reader.
    let scalarReader: ByteReader

    init(reader: ByteReader, codingPath: [any CodingKey]) throws {
        bytes = reader.bytes
        scalarReader = ByteReader(reader.bytes, range: 0..<0)
        let count = try reader.readVarint(codingPath)
        guard count <= UInt64(reader.end - reader.position) else { throw reader.fail("entry count \(count) too large", codingPath) }
        var entries: [Entry] = []
        entries.reserveCapacity(Int(count))
        for _ in 0..<count {
            let keyLength = try reader.readLength(codingPath)
            let key = reader.position..<reader.position + keyLength
            reader.position += keyLength
            let valueLength = try reader.readLength(codingPath)
            entries.append(Entry(key: key, value: reader.position..<reader.position + valueLength))
            reader.position += valueLength
        }
        self.entries = entries
    }

    var keys: [String] { entries.map { String(decoding: bytes[$0.key], as: UTF8.self) } }

    func range(of key: String) -> Range<Int>? {
        var key = key
        return key.withUTF8 { wanted in
            bytes.withUnsafeBufferPointer { all in
                let count = entries.count
                for step in 0..<count {
                    let index = cursor + step < count ? cursor + step : cursor + step - count
                    let candidate = entries[index].key
                    if candidate.count == wanted.count,
                       wanted.isEmpty || memcmp(all.baseAddress! + candidate.lowerBound, wanted.baseAddress!, wanted.count) == 0 {
                        cursor = index + 1 == count ? 0 : index + 1
                        return entries[index].value
                    }
                }
                return nil
            }
        }
    }
}

struct KeyedReaderContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let entries: KeyedEntries
    let bytes: [UInt8]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { entries.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { entries.range(of: key.stringValue) != nil }

    private func scalarReader(for key: Key) throws -> ByteReader {
        guard let range = entries.range(of: key.stringValue) else { throw missing(key) }
        entries.scalarReader.position = range.lowerBound
        entries.scalarReader.end = range.upperBound
        return entries.scalarReader
    }

    private func missing(_ key: Key) -> DecodingError {
        .keyNotFound(key, .init(codingPath: codingPath, debugDescription: "binary decoding: no entry for key \"\(key.stringValue)\""))
    }

    private func reader(for key: Key) throws -> ByteReader {
        guard let range = entries.range(of: key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath,
                                                       debugDescription: "binary decoding: no entry for key \"\(key.stringValue)\""))
        }
        return ByteReader(bytes, range: range)
    }

    func decodeNil(forKey key: Key) throws -> Bool { !contains(key) }

    // Scalars straight from the bytes: no dynamic casts on the common path.
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Bool.read(from: scalarReader(for: key), codingPath + [key]) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try String.read(from: scalarReader(for: key), codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Double.read(from: scalarReader(for: key), codingPath + [key]) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try Float.read(from: scalarReader(for: key), codingPath + [key]) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Int.read(from: scalarReader(for: key), codingPath + [key]) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Int8.read(from: scalarReader(for: key), codingPath + [key]) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try Int16.read(from: scalarReader(for: key), codingPath + [key]) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Int32.read(from: scalarReader(for: key), codingPath + [key]) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Int64.read(from: scalarReader(for: key), codingPath + [key]) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try UInt.read(from: scalarReader(for: key), codingPath + [key]) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try UInt8.read(from: scalarReader(for: key), codingPath + [key]) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try UInt16.read(from: scalarReader(for: key), codingPath + [key]) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try UInt32.read(from: scalarReader(for: key), codingPath + [key]) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try UInt64.read(from: scalarReader(for: key), codingPath + [key]) }

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

    mutating func decode(_ type: Bool.Type) throws -> Bool { try ensureNotAtEnd(); defer { currentIndex += 1 }; return try Bool.read(from: reader, codingPath) }
    mutating func decode(_ type: String.Type) throws -> String { try ensureNotAtEnd(); defer { currentIndex += 1 }; return try String.read(from: reader, codingPath) }
    mutating func decode(_ type: Double.Type) throws -> Double { try ensureNotAtEnd(); defer { currentIndex += 1 }; return try Double.read(from: reader, codingPath) }
    mutating func decode(_ type: Float.Type) throws -> Float { try ensureNotAtEnd(); defer { currentIndex += 1 }; return try Float.read(from: reader, codingPath) }
    mutating func decode(_ type: Int.Type) throws -> Int { try ensureNotAtEnd(); defer { currentIndex += 1 }; return try Int.read(from: reader, codingPath) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try ensureNotAtEnd(); defer { currentIndex += 1 }; return try Int8.read(from: reader, codingPath) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try ensureNotAtEnd(); defer { currentIndex += 1 }; return try Int16.read(from: reader, codingPath) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try ensureNotAtEnd(); defer { currentIndex += 1 }; return try Int32.read(from: reader, codingPath) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try ensureNotAtEnd(); defer { currentIndex += 1 }; return try Int64.read(from: reader, codingPath) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try ensureNotAtEnd(); defer { currentIndex += 1 }; return try UInt.read(from: reader, codingPath) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try ensureNotAtEnd(); defer { currentIndex += 1 }; return try UInt8.read(from: reader, codingPath) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try ensureNotAtEnd(); defer { currentIndex += 1 }; return try UInt16.read(from: reader, codingPath) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try ensureNotAtEnd(); defer { currentIndex += 1 }; return try UInt32.read(from: reader, codingPath) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try ensureNotAtEnd(); defer { currentIndex += 1 }; return try UInt64.read(from: reader, codingPath) }

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
    func decode(_ type: Bool.Type) throws -> Bool { try Bool.read(from: reader, codingPath) }
    func decode(_ type: String.Type) throws -> String { try String.read(from: reader, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try Double.read(from: reader, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try Float.read(from: reader, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try Int.read(from: reader, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Int8.read(from: reader, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Int16.read(from: reader, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Int32.read(from: reader, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Int64.read(from: reader, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try UInt.read(from: reader, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try UInt8.read(from: reader, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try UInt16.read(from: reader, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try UInt32.read(from: reader, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try UInt64.read(from: reader, codingPath) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try reader.decodeValue(T.self, codingPath: codingPath) }
}
