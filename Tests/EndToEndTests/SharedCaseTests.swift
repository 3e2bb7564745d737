import Foundation
import XCTest

/// The task-list cases from the field (shared/cases/tasklist), copied into Fixtures, run
/// end to end with a program that prints its argv one per line.
final class SharedCaseTests: XCTestCase {
    private func runCase(_ name: String, ranks: Int = 3) throws -> (folder: URL, outcome: Harness.Outcome) {
        let folder = try Harness.temporaryFolder(name)
        try Harness.installProg(in: folder)
        let source = Harness.fixtures.appendingPathComponent("tasklist/\(name)")
        try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent(name))
        let outcome = try Harness.taskfarm(["run", name, "--output", "out/%a.txt", "--joblog", "j.tsv"], ranks: ranks, in: folder)
        return (folder, outcome)
    }

    func testNoFinalNewlineGivesThreeTasks() throws {
        let (folder, outcome) = try runCase("no-final-newline.txt")
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(Harness.joblogRows("j.tsv", in: folder).count, 3)
        XCTAssertEqual(Harness.read("out/2.txt", in: folder), "--id\n3\n")
    }

    /// Blank, white-space-only and comment lines are not tasks; indices count tasks.
    func testBlankAndCommentLinesAreNotTasks() throws {
        let (folder, outcome) = try runCase("blank-and-comments.txt")
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(Harness.joblogRows("j.tsv", in: folder).count, 2)
        XCTAssertEqual(Harness.read("out/0.txt", in: folder), "--lr\n0.1\n")
        XCTAssertEqual(Harness.read("out/1.txt", in: folder), "--lr\n0.01\n")
    }

    /// A CRLF file: no CR reaches an argument, so r1.txt and r2.txt appear, not r1.txt\r.
    func testCRLFLinesLeaveNoCarriageReturn() throws {
        let (folder, outcome) = try runCase("crlf.txt")
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        XCTAssertTrue(names.contains("r1.txt"))
        XCTAssertTrue(names.contains("r2.txt"))
        XCTAssertFalse(names.contains { $0.contains("\r") }, "\(names)")
    }

    /// Quoting follows /bin/sh exactly, and non-ASCII bytes pass unchanged.
    func testQuotingAndUnicodeFollowTheShell() throws {
        let (folder, outcome) = try runCase("quoting-unicode.txt")
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(Harness.read("out/0.txt", in: folder), "/data/run 01/in file.dat\n")
        XCTAssertEqual(Harness.read("out/1.txt", in: folder), "/data/Let's go.dat\n")
        XCTAssertEqual(Harness.read("out/2.txt", in: folder), "/data/résumé_δ.dat\n")
        XCTAssertEqual(Harness.read("out/3.txt", in: folder), "a \"quoted\" word\n\ntail\n")
    }

    /// A single 200 KB line: it runs, or only that task fails with a clear error.
    func testAHugeLineFailsAloneWithAClearError() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.installProg(in: folder)
        let huge = "./prog " + String(repeating: "x", count: 200 * 1024)
        try Harness.write("./prog before\n\(huge)\n./prog after\n", to: "t.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "t.txt", "--output", "out/%a.txt", "--joblog", "j.tsv"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        XCTAssertEqual(Harness.read("out/0.txt", in: folder), "before\n")
        XCTAssertEqual(Harness.read("out/2.txt", in: folder), "after\n")
        let rows = Harness.joblogRows("j.tsv", in: folder).sorted { Int($0[0])! < Int($1[0])! }
        XCTAssertEqual(rows.map { $0[6] }, ["0", "126", "0"])
        XCTAssertTrue(outcome.stdout.contains("first failures at index 1"), outcome.stdout)
    }
}
