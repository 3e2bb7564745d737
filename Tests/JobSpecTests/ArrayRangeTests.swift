import XCTest
@testable import JobSpec

final class ArrayRangeTests: XCTestCase {
    let here = SourceLocation(file: "s.sh", line: 2, column: 17)

    func range(_ text: String, _ dialect: ArrayRange.Dialect) throws(JobSpecError) -> ArrayRange {
        try ArrayRange(parsing: text, dialect: dialect, location: here)
    }

    func testSlurmForms() throws {
        let stepped = try range("0-99:2%10", .slurm)
        XCTAssertEqual(stepped.indices.count, 50)
        XCTAssertEqual(stepped.indices.last, 98)
        XCTAssertEqual(stepped.step, 2)
        XCTAssertEqual(stepped.maxConcurrent, 10)
        let list = try range("1,3,5-9", .slurm)
        XCTAssertEqual(list.indices, [1, 3, 5, 6, 7, 8, 9])
        XCTAssertEqual(list.step, 1)
        XCTAssertNil(list.maxConcurrent)
        XCTAssertEqual(try range("7,3,3-4", .slurm).indices, [3, 4, 7], "sorted, each once")
        XCTAssertEqual(try range("5", .slurm).indices, [5])
    }

    func testPBSProForms() throws {
        XCTAssertEqual(try range("0-10:5", .pbsPro).indices, [0, 5, 10])
        XCTAssertEqual(try range("1-9:4%2", .pbsPro).maxConcurrent, 2)
        XCTAssertEqual(try range("0-9:5", .pbsPro).indices, [0, 5])
    }

    func testTorqueTakesLists() throws {
        XCTAssertEqual(try range("1-3,10%1", .torque).indices, [1, 2, 3, 10])
    }

    func testErrorsNameTheColumnOfTheBadPart() {
        let cases: [(String, ArrayRange.Dialect, Int)] = [
            ("4-4", .pbsPro, 0), ("3,9,27", .pbsPro, 1), ("5", .pbsPro, 0), ("1-5,x", .slurm, 4),
            ("5-1", .slurm, 0), ("1-5:0", .slurm, 4), ("1-5%0", .slurm, 4), ("", .slurm, 0), ("1,,2", .slurm, 2),
            ("-3", .slurm, 0),
        ]
        for (text, dialect, offset) in cases {
            let error = expectError { () throws(JobSpecError) in _ = try self.range(text, dialect) }
            XCTAssertEqual(error?.location.column, 17 + offset, text)
            XCTAssertEqual(error?.location.line, 2, text)
        }
    }
}
