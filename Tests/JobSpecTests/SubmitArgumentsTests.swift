import XCTest
@testable import JobSpec

final class SubmitArgumentsTests: XCTestCase {
    let here = SourceLocation(file: "a.sub", line: 3, column: 14)

    func parse(_ value: String) throws(JobSpecError) -> [String] { try SubmitArguments.parse(value, location: here) }

    func testNewSyntaxRulesFromTheManual() throws {
        // The manual's own examples (condor_submit, arguments).
        XCTAssertEqual(try parse(#""3 simple arguments""#), ["3", "simple", "arguments"])
        XCTAssertEqual(try parse(#""one 'two with spaces' 3""#), ["one", "two with spaces", "3"])
        XCTAssertEqual(try parse(#""one ""two"" 'spacey ''quoted'' argument'""#),
                       ["one", "\"two\"", "spacey 'quoted' argument"])
        XCTAssertEqual(try parse(#""''""#), [""], "an empty single-quoted section is an empty argument")
        XCTAssertEqual(try parse(#""a''b""#), ["ab"], "quotes join text into one word")
        XCTAssertEqual(try parse(#""  ""#), [])
    }

    func testNewSyntaxErrorsNameTheColumn() {
        let unclosed = expectError { () throws(JobSpecError) in _ = try self.parse(#""abc"#) }
        XCTAssertEqual(unclosed?.location.line, 3)
        let trailing = expectError { () throws(JobSpecError) in _ = try self.parse(#""abc" def"#) }
        XCTAssertEqual(trailing?.location.column, 14 + 5)
        let single = expectError { () throws(JobSpecError) in _ = try self.parse(#""it's""#) }
        XCTAssertNotNil(single)
    }

    func testOldSyntax() throws {
        XCTAssertEqual(try parse("a  b\tc"), ["a", "b", "c"])
        XCTAssertEqual(try parse(#"say \"hi\""#), ["say", "\"hi\""])
        XCTAssertEqual(try parse(#"back\slash 'single'"#), [#"back\slash"#, "'single'"],
                       "old syntax gives no meaning to backslashes or single quotes")
        let error = expectError { () throws(JobSpecError) in _ = try self.parse(#"--sh "x y""#) }
        XCTAssertEqual(error?.location.column, 14 + 5)
        XCTAssertTrue(error?.message.contains("double quote") ?? false)
    }

    func testEnvironmentSyntaxes() throws {
        let new = try SubmitArguments.parseEnvironment(#""A=1 B='two words' C=""""#, location: here)
        XCTAssertEqual(new.map(\.0), ["A", "B", "C"])
        XCTAssertEqual(new.map(\.1), ["1", "two words", "\""])
        let old = try SubmitArguments.parseEnvironment("A=1;B=x=y; C=3", location: here)
        XCTAssertEqual(old.map(\.0), ["A", "B", "C"])
        XCTAssertEqual(old.map(\.1), ["1", "x=y", "3"])
        XCTAssertNotNil(expectError { () throws(JobSpecError) in
            _ = try SubmitArguments.parseEnvironment("A=1;NOEQUALS", location: self.here)
        })
    }
}
