import MPI

/// Appends values to a byte buffer in the farm's compact wire format: LEB128 varints for
/// integers (zig-zag for signed), IEEE doubles as 8 little-endian bytes, strings and byte
/// arrays as a varint length then the bytes. The varints are the MPI module's (``Varint``),
/// the same as its binary encoding's.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    mutating func write(_ value: UInt64) { bytes.appendVarint(value) }

    mutating func write(_ value: Int) { bytes.appendZigZag(Int64(value)) }

    mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func write(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: String) { bytes.appendString(value) }

    /// A byte array: its count, then the bytes as they are.
    mutating func write(_ value: [UInt8]) {
        bytes.appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A service payload, written as a byte array is.
    mutating func write(_ value: PayloadBytes) {
        bytes.appendVarint(UInt64(value.count))
        value.base.withUnsafeBufferPointer { bytes.append(contentsOf: $0[value.range]) }
    }

    mutating func write(_ value: String?) {
        write(value != nil)
        if let value { write(value) }
    }

    mutating func write(_ value: Int?) {
        write(value != nil)
        if let value { write(value) }
    }

    mutating func write(_ value: Double?) {
        write(value != nil)
        if let value { write(value) }
    }

    mutating func write(_ values: [String]) {
        write(UInt64(values.count))
        for value in values { write(value) }
    }

    mutating func write(_ values: [String: String]) {
        write(UInt64(values.count))
        for key in values.keys.sorted() {
            write(key)
            write(values[key]!)
        }
    }
}

/// A value a ``WireMessage`` writes as one of its fields, so that a message lists its
/// fields once, in order: `writer.write(rank, host, cores)`.
protocol WireField {
    /// Appends the value as ``WireWriter`` codes its type.
    func write(to writer: inout WireWriter)
}

extension WireWriter {
    /// Appends `fields` in order, each as its type is coded.
    mutating func write<each Field: WireField>(_ fields: repeat each Field) {
        repeat (each fields).write(to: &self)
    }
}

extension Int: WireField {
    func write(to writer: inout WireWriter) { writer.write(self) }
}

extension Double: WireField {
    func write(to writer: inout WireWriter) { writer.write(self) }
}

extension Bool: WireField {
    func write(to writer: inout WireWriter) { writer.write(self) }
}

extension String: WireField {
    func write(to writer: inout WireWriter) { writer.write(self) }
}

extension Array: WireField where Element == String {
    func write(to writer: inout WireWriter) { writer.write(self) }
}

extension Dictionary: WireField where Key == String, Value == String {
    func write(to writer: inout WireWriter) { writer.write(self) }
}

/// A present flag, then the value when present.
extension Optional: WireField where Wrapped: WireField {
    func write(to writer: inout WireWriter) {
        writer.write(self != nil)
        if let value = self { value.write(to: &writer) }
    }
}
