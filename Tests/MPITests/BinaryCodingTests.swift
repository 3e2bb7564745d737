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
