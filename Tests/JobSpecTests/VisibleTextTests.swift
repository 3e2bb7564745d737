import JobSpec
import XCTest

/// ``VisibleText``: user text quoted in messages shows its control characters as escapes.
final class VisibleTextTests: XCTestCase {
    func testControlCharactersAreEscapedAndOtherTextIsKept() {
        XCTAssertEqual(VisibleText.escaped("\u{1B}[31mRED\u{07}"), "\\x1B[31mRED\\x07")
        XCTAssertEqual(VisibleText.escaped("a\tb\rc\nd\u{7F}"), "a\\tb\\rc\\nd\\x7F")
        XCTAssertEqual(VisibleText.escaped("a\nb\u{0}", keepingNewlines: true), "a\nb\\x00")
        XCTAssertEqual(VisibleText.escaped("x\u{85}y\u{202E}z\u{2066}"), "x\\u{0085}y\\u{202E}z\\u{2066}")
        // Text without control characters, non-ASCII letters and backslashes included, is unchanged.
        XCTAssertEqual(VisibleText.escaped("naïve 日本 C:\\dir 'q'"), "naïve 日本 C:\\dir 'q'")
    }

    /// Every ``JobSpecError`` printed escapes what it quotes, file name included.
    func testAJobSpecErrorPrintsNoControlCharacter() {
        let error = JobSpecError("not '\u{1B}]0;title\u{07}'", file: "a\u{1B}b.txt", line: 2)
        XCTAssertEqual(error.description, "a\\x1Bb.txt:2: error: not '\\x1B]0;title\\x07'")
        XCTAssertEqual(error.message, "not '\u{1B}]0;title\u{07}'", "the message itself is kept for callers that match it")
    }
}
