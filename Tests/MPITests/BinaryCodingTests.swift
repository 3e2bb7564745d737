import MPI
import XCTest

final class BinaryCodingTests: XCTestCase {
    struct Sample: Codable, Equatable {
        var id: Int
        var name: String
        var ratio: Double
        var tags: [String]
        var parent: Int?
    }

    class Base: Codable { var base = 1 }

    enum Shape: Codable, Equatable {
        case circle(radius: Double)
        case polygon([Int])
        case empty
    }

    private func roundTrip<T: Codable & Equatable>(_ value: T, file: StaticString = #filePath, line: UInt = #line) throws {
        let bytes = try BinaryEncoder().encode(value)
        XCTAssertEqual(try BinaryDecoder().decode(T.self, from: bytes), value, file: file, line: line)
    }

    func testPrimitivesUseTheDocumentedWireFormat() throws {
        let encoder = BinaryEncoder()
        XCTAssertEqual(try encoder.encode(UInt(300)), [0xAC, 0x02], "LEB128 varint")
        XCTAssertEqual(try encoder.encode(-1), [0x01], "zigzag: -1 is one byte")
        XCTAssertEqual(try encoder.encode(1), [0x02], "zigzag: 1 is 2")
        XCTAssertEqual(try encoder.encode(Int8(-1)), [0xFF], "8-bit integers are raw bytes")
        XCTAssertEqual(try encoder.encode(true), [1])
        XCTAssertEqual(try encoder.encode(1.0), [0, 0, 0, 0, 0, 0, 0xF0, 0x3F], "little-endian IEEE 754")
        XCTAssertEqual(try encoder.encode("hé"), [3, 0x68, 0xC3, 0xA9], "length-prefixed UTF-8")
        XCTAssertEqual(try encoder.encode([Int?.none, 5]), [2, 0, 1, 10], "count, then nil flag / present flag and value")
    }

    func testArraysOfScalarsAreCountThenScalars() throws {
        XCTAssertEqual(try BinaryEncoder().encode([Int32(1), -1, 64]), [3, 2, 1, 0x80, 0x01])
        XCTAssertEqual(try BinaryEncoder().encode([true, false]), [2, 1, 0])
        XCTAssertEqual(try BinaryEncoder().encode(["a", ""]), [2, 1, 0x61, 0])
        struct Holder: Codable, Equatable { var values: [Int]; var nested: [[UInt16]] }
        let holder = Holder(values: [-5, 0, 1 << 40], nested: [[], [1, 65535]])
        XCTAssertEqual(try BinaryDecoder().decode(Holder.self, from: try BinaryEncoder().encode(holder)), holder)
        XCTAssertThrowsError(try BinaryDecoder().decode([Int].self, from: [200, 1]), "count past the end")
    }

    func testStructIsKeyedWithLengthPrefixedEntriesAndOmitsNil() throws {
        struct Point: Codable { var x: Int; var y: Int? }
        XCTAssertEqual(try BinaryEncoder().encode(Point(x: 3, y: nil)), [1, 1, 0x78, 1, 6])
        XCTAssertEqual(try BinaryEncoder().encode(Point(x: 3, y: -2)), [2, 1, 0x78, 1, 6, 1, 0x79, 1, 3])
    }

    func testRoundTripsOfCompositeValues() throws {
        try roundTrip(Sample(id: -42, name: "grid ✓", ratio: 0.125, tags: ["a", "", "ccc"], parent: nil))
        try roundTrip(Sample(id: Int.max, name: "", ratio: -.infinity, tags: [], parent: Int.min))
        try roundTrip([Shape.circle(radius: 2), .polygon([1, 2, 3]), .empty])
        try roundTrip(["b": [1.5], "a": []])
        try roundTrip([1: "one", -7: "minus seven"])
        try roundTrip([[UInt8]]([[], [0, 255], Array(0...200)]))
        try roundTrip([Int??.some(nil), .some(3), .none, .some(0)])
        try roundTrip([Int?(0), nil, -1, 1])  // 0 and 1 look like presence flags: they must not be taken for them
        try roundTrip([Sample?.none, Sample(id: 0, name: "", ratio: 0, tags: [], parent: 0)])
        XCTAssertEqual(try BinaryEncoder().encode(Int??.some(.some(3))), [1, 1, 6])
        try roundTrip(Set(["x", "y"]))
        try roundTrip(UInt64.max)
        try roundTrip(Float.leastNonzeroMagnitude)
    }

    func testDecodingOutOfOrderKeysAndMissingOptionalsWorks() throws {
        struct Writer: Codable { var a: Int; var b: String }
        struct Reader: Codable, Equatable { var b: String; var a: Int; var c: Double? }
        let bytes = try BinaryEncoder().encode(Writer(a: 9, b: "bee"))
        XCTAssertEqual(try BinaryDecoder().decode(Reader.self, from: bytes), Reader(b: "bee", a: 9, c: nil))
    }

    func testTruncatedDataThrowsDataCorruptedWithTheOffset() throws {
        let bytes = try BinaryEncoder().encode(Sample(id: 1, name: "long enough name", ratio: 2, tags: ["t"], parent: 4))
        XCTAssertThrowsError(try BinaryDecoder().decode(Sample.self, from: Array(bytes.dropLast(3)))) { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(context.debugDescription.contains("at byte"), context.debugDescription)
        }
    }

    func testWrongTypeAndTrailingBytesAreErrorsNotGarbage() throws {
        XCTAssertThrowsError(try BinaryDecoder().decode(Bool.self, from: [7]))
        XCTAssertThrowsError(try BinaryDecoder().decode(Int8.self, from: [1, 2]), "trailing bytes")
        XCTAssertThrowsError(try BinaryDecoder().decode(Int16.self, from: try BinaryEncoder().encode(Int(70_000))),
                             "does not fit")
        struct Needs: Codable { var missing: Int }
        XCTAssertThrowsError(try BinaryDecoder().decode(Needs.self, from: [0])) { error in
            guard case DecodingError.keyNotFound(let key, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key.stringValue, "missing")
        }
    }

    func testEncodingIsSmallerThanJSONAndNumbersAreCompact() throws {
        let value = Sample(id: 12345, name: "worker-7", ratio: 0.5, tags: ["gpu"], parent: 3)
        let bytes = try BinaryEncoder().encode(value)
        let json = try JSONEncoder().encode(value)
        XCTAssertLessThan(bytes.count, json.count, "binary \(bytes.count) bytes vs JSON \(json.count)")
        let numbers = (0..<100).map { $0 * 1000 - 50_000 }
        XCTAssertLessThan(try BinaryEncoder().encode(numbers).count, 300, "varints: 3 bytes or fewer per value")
        XCTAssertGreaterThan(try JSONEncoder().encode(numbers).count, 500)
    }
}

/// Scalars and arrays of scalars take a direct path (no `Encoder`, a loop specialized per
/// element type); these pin that it writes the bytes the `Encoder` path writes and reads
/// back every edge value bit for bit.
final class BinaryCodingDirectPathTests: XCTestCase {
    /// Encodes its elements one at a time through an unkeyed container: the general path.
    struct ThroughEncoder<Element: Codable>: Encodable {
        var values: [Element]
        func encode(to encoder: any Encoder) throws {
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
        }
    }

    private func assertSameBytes<Element: Codable & Equatable>(_ values: [Element], file: StaticString = #filePath,
                                                               line: UInt = #line) throws {
        let direct = try BinaryEncoder().encode(values)
        XCTAssertEqual(direct, try BinaryEncoder().encode(ThroughEncoder(values: values)), "\(Element.self)", file: file, line: line)
        XCTAssertEqual(try BinaryDecoder().decode([Element].self, from: direct), values, file: file, line: line)
    }

    func testArraysOfScalarsWriteTheEncoderPathsBytesAndReadThemBack() throws {
        try assertSameBytes([Int]())
        try assertSameBytes([Int.min, -1, 0, 1, 63, 64, Int.max])
        try assertSameBytes([UInt64.max, 0, 127, 128])
        try assertSameBytes([Int8.min, Int8.max, 0])
        try assertSameBytes([UInt8.max, 0])
        try assertSameBytes([Int16.min, Int16.max])
        try assertSameBytes([Int32.min, Int32.max])
        try assertSameBytes([Double.greatestFiniteMagnitude, -0.0, .infinity, .leastNonzeroMagnitude])
        try assertSameBytes([Float.greatestFiniteMagnitude, -.infinity])
        try assertSameBytes([true, false])
        try assertSameBytes(["", "ascii", "grid ✓", "日本語", "👩‍🔬", "nul\u{0}inside"])
        try assertSameBytes([String]())
        XCTAssertEqual(try BinaryEncoder().encode([Int]()), [0], "an empty array is its count alone")
    }

    func testNaNPayloadBitsAndNegativeZeroCrossUnchanged() throws {
        // A signalling NaN with a payload, a quiet one with the sign bit, and -0.0: equal as
        // numbers or never equal, so compare bit patterns.
        let doubles = [Double(bitPattern: 0x7FF0_0000_0000_0001), Double(bitPattern: 0xFFF8_0000_DEAD_BEEF), -0.0]
        let decoded = try BinaryDecoder().decode([Double].self, from: try BinaryEncoder().encode(doubles))
        XCTAssertEqual(decoded.map(\.bitPattern), doubles.map(\.bitPattern))
        let floats = [Float(bitPattern: 0x7F80_0001), Float(bitPattern: 0xFFC0_1234)]
        let decodedFloats = try BinaryDecoder().decode([Float].self, from: try BinaryEncoder().encode(floats))
        XCTAssertEqual(decodedFloats.map(\.bitPattern), floats.map(\.bitPattern))
        let single = try BinaryDecoder().decode(Double.self, from: try BinaryEncoder().encode(doubles[0]))
        XCTAssertEqual(single.bitPattern, doubles[0].bitPattern)
    }

    func testReadingAnotherTypesBytesThrowsAndNeverTrusts() throws {
        let strings = try BinaryEncoder().encode(["é"])  // 1, 2, 0xC3, 0xA9
        XCTAssertThrowsError(try BinaryDecoder().decode([Int].self, from: strings), "trailing bytes")
        XCTAssertThrowsError(try BinaryDecoder().decode([Double].self, from: try BinaryEncoder().encode([1, 2, 3])),
                             "3 Doubles need 24 bytes")
        XCTAssertThrowsError(try BinaryDecoder().decode([Bool].self, from: [2, 1, 5]), "5 is not a Bool")
        XCTAssertThrowsError(try BinaryDecoder().decode([Int8].self, from: try BinaryEncoder().encode([300])), "trailing bytes")
        XCTAssertThrowsError(try BinaryDecoder().decode([Int16].self, from: try BinaryEncoder().encode([70_000])), "does not fit")
        // A count of 2^63 with nothing after it: refused before anything is reserved.
        XCTAssertThrowsError(try BinaryDecoder().decode([Int].self, from: [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])) {
            guard case DecodingError.dataCorrupted(let context) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(context.debugDescription.contains("runs past the end"), context.debugDescription)
        }
        XCTAssertThrowsError(try BinaryDecoder().decode([String].self, from: [1, 5, 0x61]), "a string past the end")
    }
}
