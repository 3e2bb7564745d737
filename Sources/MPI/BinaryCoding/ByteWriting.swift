/// The one LEB128 varint of the package: the binary encoding (``BinaryEncoder``) and the
/// farm's wire messages (TaskFarm's `WireWriter` and `WireReader`) both read and write
/// integers through it. 7 bits a byte, low group first, the high bit set on every byte but
/// the last.
package enum Varint {
    /// Why a varint could not be read.
    package enum Failure: Error {
        /// The bytes ended before the varint's last byte.
        case truncated
        /// More than 64 bits.
        case tooLong
    }

    /// Reads the varint at `position` in `bytes[..<end]` and moves `position` past it.
    ///
    /// - Throws: ``Failure``; `position` then points at the offending byte.
    @inline(__always)
    package static func read(_ bytes: [UInt8], at position: inout Int, end: Int) throws(Failure) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw .truncated }
            let byte = bytes[position]
            position += 1
            guard shift < 64 else { throw .tooLong }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// The signed value of a zigzag-coded varint (0, -1, 1, -2, ... as 0, 1, 2, 3, ...).
    @inline(__always)
    package static func unzigzag(_ raw: UInt64) -> Int64 {
        Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }
}

/// The primitive pieces of the binary encoding (see ``BinaryEncoder``): LEB128 varints,
/// zigzag for signed integers, little-endian IEEE 754 floats, length-prefixed UTF-8.
extension Array where Element == UInt8 {
    /// Appends `value` as a ``Varint``.
    package mutating func appendVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        append(UInt8(value))
    }

    /// Appends `value` zigzag-coded as a ``Varint``.
    package mutating func appendZigZag(_ value: Int64) {
        appendVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Appends the UTF-8 of `string` after its byte count as a ``Varint``.
    package mutating func appendString(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in
            appendVarint(UInt64(utf8.count))
            append(contentsOf: utf8)
        }
    }
}

/// A cursor over encoded bytes; shared by the decoders of one container's elements.
final class ByteReader {
    let bytes: [UInt8]
    @exclusivity(unchecked) var position: Int
    @exclusivity(unchecked) var end: Int

    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        position = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }

    var isAtEnd: Bool { position >= end }

    func fail(_ what: String, _ codingPath: [any CodingKey]) -> DecodingError {
        .dataCorrupted(.init(codingPath: codingPath,
                             debugDescription: "binary decoding: \(what) at byte \(position) of \(end)"))
    }

    func readByte(_ codingPath: @autoclosure () -> [any CodingKey]) throws -> UInt8 {
        guard position < end else { throw fail("unexpected end of data", codingPath()) }
        defer { position += 1 }
        return bytes[position]
    }

    func peekByte() -> UInt8? { position < end ? bytes[position] : nil }

    func readVarint(_ codingPath: @autoclosure () -> [any CodingKey]) throws -> UInt64 {
        do {
            return try Varint.read(bytes, at: &position, end: end)
        } catch .truncated {
            throw fail("unexpected end of data", codingPath())
        } catch {
            throw fail("varint longer than 64 bits", codingPath())
        }
    }

    func readZigZag(_ codingPath: @autoclosure () -> [any CodingKey]) throws -> Int64 {
        Varint.unzigzag(try readVarint(codingPath()))
    }

    func readLittleEndian<T: FixedWidthInteger>(_ type: T.Type, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> T {
        let size = MemoryLayout<T>.size
        guard end - position >= size else { throw fail("unexpected end of data reading \(T.self)", codingPath()) }
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { raw in
            bytes.withUnsafeBytes { source in
                raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<position + size]))
            }
        }
        position += size
        return T(littleEndian: value)
    }

    func readLength(_ codingPath: @autoclosure () -> [any CodingKey]) throws -> Int {
        let length = try readVarint(codingPath())
        guard length <= UInt64(end - position) else {
            throw fail("length \(length) runs past the end", codingPath())
        }
        return Int(length)
    }

    func readString(_ codingPath: @autoclosure () -> [any CodingKey]) throws -> String {
        let length = try readLength(codingPath())
        defer { position += length }
        return String(decoding: bytes[position..<position + length], as: UTF8.self)
    }

    func readInteger<T: FixedWidthInteger>(_ type: T.Type, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> T {
        if T.bitWidth == 8 { return T(truncatingIfNeeded: try readByte(codingPath())) }
        if T.isSigned {
            let value = try readZigZag(codingPath())
            guard let result = T(exactly: value) else { throw fail("\(value) does not fit in \(T.self)", codingPath()) }
            return result
        }
        let value = try readVarint(codingPath())
        guard let result = T(exactly: value) else { throw fail("\(value) does not fit in \(T.self)", codingPath()) }
        return result
    }
}

extension Array where Element == UInt8 {
    mutating func appendInteger<T: FixedWidthInteger>(_ value: T) {
        if T.bitWidth == 8 { append(UInt8(truncatingIfNeeded: value)) }
        else if T.isSigned { appendZigZag(Int64(value)) }
        else { appendVarint(UInt64(value)) }
    }
}
