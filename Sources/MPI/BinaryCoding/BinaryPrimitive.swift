/// The scalar types with a fixed wire form (see ``BinaryEncoder``). Every container writes
/// and reads them through this protocol, so the form is defined once.
protocol BinaryPrimitive {
    func write(to bytes: inout [UInt8])
    static func read(from reader: ByteReader, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Self
    /// Writes `values` as an unkeyed container: the count, then each value as `write` does.
    static func writeArray(_ values: [Self], to bytes: inout [UInt8])
    /// Reads what ``writeArray(_:to:)`` wrote.
    static func readArray(from reader: ByteReader, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> [Self]
}

// The array loops are requirements, not helpers, so that each conformance's witness is the
// loop specialized for its own type: called through `any BinaryPrimitive.Type`, a generic
// loop ran every element through value witnesses and metadata lookups (encoding a service
// caller's inputs was 17 % of its CPU at 100 inputs a call, issue 18). The bytes are those
// of the `Encoder` path's unkeyed container.
extension BinaryPrimitive {
    static func writeArray(_ values: [Self], to bytes: inout [UInt8]) {
        // One allocation for the usual case (a varint is rarely longer than the value's
        // own size), not one per doubling.
        bytes.reserveCapacity(bytes.count + 10 + values.count * MemoryLayout<Self>.size)
        bytes.appendVarint(UInt64(values.count))
        for value in values { value.write(to: &bytes) }
    }

    static func readArray(from reader: ByteReader, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> [Self] {
        let count = try reader.readVarint(codingPath())
        // Every element takes at least one byte, so a count past the end is damage, caught
        // before it reserves memory.
        guard count <= UInt64(reader.end - reader.position) else {
            throw reader.fail("array count \(count) runs past the end", codingPath())
        }
        var values: [Self] = []
        values.reserveCapacity(Int(count))
        for _ in 0..<count { values.append(try read(from: reader, codingPath())) }
        return values
    }
}

extension BinaryPrimitive where Self: FixedWidthInteger {
    func write(to bytes: inout [UInt8]) { bytes.appendInteger(self) }
    static func read(from reader: ByteReader, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Self {
        try reader.readInteger(Self.self, codingPath())
    }
}

extension Int: BinaryPrimitive {}
extension Int8: BinaryPrimitive {}
extension Int16: BinaryPrimitive {}
extension Int32: BinaryPrimitive {}
extension Int64: BinaryPrimitive {}
extension UInt: BinaryPrimitive {}
extension UInt8: BinaryPrimitive {}
extension UInt16: BinaryPrimitive {}
extension UInt32: BinaryPrimitive {}
extension UInt64: BinaryPrimitive {}

extension Bool: BinaryPrimitive {
    func write(to bytes: inout [UInt8]) { bytes.append(self ? 1 : 0) }
    static func read(from reader: ByteReader, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Bool {
        switch try reader.readByte(codingPath()) {
        case 0: return false
        case 1: return true
        case let other:
            reader.position -= 1
            throw reader.fail("\(other) is not a Bool (0 or 1)", codingPath())
        }
    }
}

extension Double: BinaryPrimitive {
    func write(to bytes: inout [UInt8]) { bytes.appendLittleEndian(bitPattern) }
    static func read(from reader: ByteReader, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Double {
        Double(bitPattern: try reader.readLittleEndian(UInt64.self, codingPath()))
    }
}

extension Float: BinaryPrimitive {
    func write(to bytes: inout [UInt8]) { bytes.appendLittleEndian(bitPattern) }
    static func read(from reader: ByteReader, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Float {
        Float(bitPattern: try reader.readLittleEndian(UInt32.self, codingPath()))
    }
}

extension String: BinaryPrimitive {
    func write(to bytes: inout [UInt8]) { bytes.appendString(self) }
    static func read(from reader: ByteReader, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> String {
        try reader.readString(codingPath())
    }
}

extension Array: BinaryPrimitive where Element == UInt8 {
    func write(to bytes: inout [UInt8]) {
        bytes.appendVarint(UInt64(count))
        bytes.append(contentsOf: self)
    }
    static func read(from reader: ByteReader, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> [UInt8] {
        let length = try reader.readLength(codingPath())
        defer { reader.position += length }
        return Array(reader.bytes[reader.position..<reader.position + length])
    }
}
