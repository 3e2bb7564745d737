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
