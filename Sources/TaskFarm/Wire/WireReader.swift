import MPI

/// A malformed or truncated message.
struct WireError: Error, CustomStringConvertible {
    var description: String
}

/// Reads values written by ``WireWriter``, in the same order.
struct WireReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset >= bytes.count }

    mutating func readByte() throws(WireError) -> UInt8 {
        guard offset < bytes.count else { throw WireError(description: "message ends early at byte \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt64() throws(WireError) -> UInt64 {
        do {
            return try Varint.read(bytes, at: &offset, end: bytes.count)
        } catch .truncated {
            throw WireError(description: "message ends early at byte \(offset)")
        } catch {
            throw WireError(description: "varint too long at byte \(offset)")
        }
    }

    mutating func readInt() throws(WireError) -> Int {
        Int(Varint.unzigzag(try readUInt64()))
    }

    /// A length or element count, checked against the bytes left: every element takes at
    /// least one byte, so a larger count is corrupt (and must not be trusted for an allocation).
    /// `count` bytes at once (after ``readCount()`` has checked that they are there).
    mutating func readBytes(_ count: Int) throws(WireError) -> [UInt8] {
        guard count >= 0, count <= bytes.count - offset else {
            throw WireError(description: "\(count) bytes overrun the message at byte \(offset)")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func readCount() throws(WireError) -> Int {
        let count = try readUInt64()
        guard count <= UInt64(bytes.count - offset) else {
            throw WireError(description: "count \(count) overruns the message at byte \(offset)")
        }
        return Int(count)
    }

    /// A byte array written by ``WireWriter/write(_:)-([UInt8])``: its count, then the bytes.
    mutating func readByteArray() throws(WireError) -> [UInt8] {
        try readBytes(try readCount())
    }

    /// A byte array written by ``WireWriter/write(_:)-([UInt8])``, as a payload that lies in
    /// this message's bytes: no copy.
    mutating func readPayload() throws(WireError) -> PayloadBytes {
        let count = try readCount()
        defer { offset += count }
        return PayloadBytes(base: bytes, range: offset..<offset + count)
    }

    mutating func readBool() throws(WireError) -> Bool { try readByte() != 0 }

    mutating func readDouble() throws(WireError) -> Double {
        guard offset + 8 <= bytes.count else { throw WireError(description: "message ends early in a number") }
        var bits: UInt64 = 0
        for index in 0..<8 { bits |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        offset += 8
        return Double(bitPattern: bits)
    }

    mutating func readString() throws(WireError) -> String {
        let count = try readCount()
        defer { offset += count }
        return String(decoding: bytes[offset..<offset + count], as: UTF8.self)
    }

    mutating func readOptionalString() throws(WireError) -> String? {
        try readBool() ? try readString() : nil
    }

    mutating func readOptionalInt() throws(WireError) -> Int? {
        try readBool() ? try readInt() : nil
    }

    mutating func readOptionalDouble() throws(WireError) -> Double? {
        try readBool() ? try readDouble() : nil
    }

    mutating func readStrings() throws(WireError) -> [String] {
        let count = try readCount()
        var values: [String] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try readString()) }
        return values
    }

    mutating func readDictionary() throws(WireError) -> [String: String] {
        let count = try readCount()
        var values: [String: String] = [:]
        for _ in 0..<count {
            let key = try readString()
            values[key] = try readString()
        }
        return values
    }
}
