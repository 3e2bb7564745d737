import JobSpec
import XCTest

final class OutputPatternTests: XCTestCase {
    let here = SourceLocation(file: "job.sub", line: 4)
    let values = OutputPattern.Values(runID: 4242, arrayIndex: 7, host: "node01", jobName: "sweep", user: "ana",
                                      attempt: 2)

    func expand(_ text: String) throws -> String {
        try OutputPattern(text, location: here).expand(values)
    }

    func testEveryLetter() throws {
        XCTAssertEqual(try expand("%A"), "4242")
        XCTAssertEqual(try expand("%a"), "7")
        XCTAssertEqual(try expand("%j"), "4242_7")
        XCTAssertEqual(try expand("%J"), "4242_7")
        XCTAssertEqual(try expand("%N"), "node01")
        XCTAssertEqual(try expand("%x"), "sweep")
        XCTAssertEqual(try expand("%u"), "ana")
        XCTAssertEqual(try expand("%s"), "2")
        XCTAssertEqual(try expand("out/%x-%A_%a.%N.log"), "out/sweep-4242_7.node01.log")
    }

    func testZeroPadding() throws {
        XCTAssertEqual(try expand("%4a"), "0007")
        XCTAssertEqual(try expand("%1a"), "7")
        XCTAssertEqual(try expand("%2A"), "4242", "a number wider than the width is not cut")
        XCTAssertEqual(try expand("%6A"), "004242")
        XCTAssertEqual(try expand("%10a.out"), "0000000007.out")
        XCTAssertEqual(try expand("%11a"), "0000000007", "Slurm pads to at most 10")
        XCTAssertEqual(try expand("%" + String(repeating: "9", count: 40) + "a"), "0000000007",
                       "a width past Int.max neither overflows nor builds a huge name")
        XCTAssertEqual(try expand("%3s"), "002")
    }

    func testPercentPercentIsALiteral() throws {
        XCTAssertEqual(try expand("100%%"), "100%")
        XCTAssertEqual(try expand("%%a"), "%a")
        XCTAssertEqual(try expand("%%%a"), "%7")
        XCTAssertFalse(try OutputPattern("%%a", location: here).isPerTask)
    }

    func testUnknownLetterNamesTheLocation() {
        XCTAssertThrowsError(try OutputPattern("out-%q.txt", location: here)) { error in
            let error = error as! JobSpecError
            XCTAssertEqual(error.location, here)
            XCTAssertTrue(error.message.contains("%q"), error.message)
        }
    }

    func testTrailingPercentIsAnError() {
        for text in ["out%", "out%4"] {
            XCTAssertThrowsError(try OutputPattern(text, location: here), text) { error in
                XCTAssertEqual((error as! JobSpecError).location, here)
            }
        }
    }

    func testIsPerTask() throws {
        for text in ["%a.out", "%j", "x%J", "%3a"] {
            XCTAssertTrue(try OutputPattern(text, location: here).isPerTask, text)
        }
        for text in ["%A.out", "%x-%N", "/dev/null", "%u%s", "plain"] {
            XCTAssertFalse(try OutputPattern(text, location: here).isPerTask, text)
        }
    }

    func testUsesHost() throws {
        XCTAssertTrue(try OutputPattern("%N-%a", location: here).usesHost)
        XCTAssertFalse(try OutputPattern("%a", location: here).usesHost)
        XCTAssertFalse(try OutputPattern("%%N", location: here).usesHost)
    }

    func testLiteralEscapesPercent() throws {
        let name = "50%a done"
        XCTAssertEqual(try OutputPattern(OutputPattern.literal(name), location: here).expand(values), name)
    }
}
