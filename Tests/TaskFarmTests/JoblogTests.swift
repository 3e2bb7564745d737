import Foundation
import XCTest

@testable import TaskFarm

/// GNU parallel's joblog (parallel manual, --joblog).
final class JoblogTests: XCTestCase {
    func completion(_ outcome: TaskOutcome, exit: Int? = nil, signal: Int? = nil, start: Double = 1_700_000_000.125,
                    end: Double = 1_700_000_002.625) -> TaskCompletion {
        TaskCompletion(position: 0, attempt: 1, workerRank: 2, outcome: outcome, exitCode: exit, signal: signal,
                       startTime: start, endTime: end)
    }

    func columns(_ row: String) -> [String] {
        XCTAssertTrue(row.hasSuffix("\n"))
        return row.dropLast().components(separatedBy: "\t")
    }

    func testExitedRowHasNineColumnsWithThreeDecimals() {
        let row = columns(Joblog.row(seq: 4, host: "node1", completion: completion(.exited, exit: 3), command: "./prog 1"))
        XCTAssertEqual(row, ["4", "node1", "1700000000.125", "2.500", "0", "0", "3", "0", "./prog 1"])
        XCTAssertEqual(Joblog.header.components(separatedBy: "\t").count, 9)
    }

    func testSignalDeathIsExitvalZeroAndTheSignal() {
        let row = columns(Joblog.row(seq: 1, host: "h", completion: completion(.signaled, signal: 9), command: "x"))
        XCTAssertEqual(row[6], "0")
        XCTAssertEqual(row[7], "9")
    }

    func testTimeoutIsMinusOneAndSignal15() {
        let row = columns(Joblog.row(seq: 1, host: "h", completion: completion(.timedOut, signal: 9), command: "x"))
        XCTAssertEqual(row[6], "-1")
        XCTAssertEqual(row[7], "15")
    }

    func testStartFailureKeepsItsExitCode() {
        let row = columns(Joblog.row(seq: 1, host: "h", completion: completion(.failedToStart, exit: 127), command: "x"))
        XCTAssertEqual(row[6], "127")
        XCTAssertEqual(row[7], "0")
    }

    func testTabsAndNewlinesInCommandsAreFlattened() {
        let row = Joblog.row(seq: 1, host: "h", completion: completion(.exited, exit: 0), command: "a\tb\nc\td")
        XCTAssertEqual(columns(row).count, 9)
        XCTAssertEqual(columns(row)[8], "a b c d")
        XCTAssertEqual(row.filter { $0 == "\n" }.count, 1)
    }

    func testRuntimeIsNeverNegative() {
        let row = columns(Joblog.row(seq: 1, host: "h", completion: completion(.exited, exit: 0, start: 10, end: 9),
                                     command: "x"))
        XCTAssertEqual(row[3], "0.000")
    }

    func testFormat3RoundsAndPads() {
        XCTAssertEqual(Joblog.format3(0), "0.000")
        XCTAssertEqual(Joblog.format3(12.05), "12.050")
        XCTAssertEqual(Joblog.format3(1.9996), "2.000")
        XCTAssertEqual(Joblog.format3(3.007), "3.007")
    }

    func testFileHasHeaderThenRowsAndAppendingKeepsThem() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("joblog-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = Joblog.row(seq: 1, host: "h", completion: completion(.exited, exit: 0), command: "one")
        let second = Joblog.row(seq: 2, host: "h", completion: completion(.exited, exit: 1), command: "two")
        do {
            let log = try Joblog(path: path)
            log.append(seq: 1, host: "h", completion: completion(.exited, exit: 0), command: "one")
            log.flush()
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), Joblog.header + first)
        do {
            let log = try Joblog(path: path, appending: true)
            log.append(seq: 2, host: "h", completion: completion(.exited, exit: 1), command: "two")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), Joblog.header + first + second,
                       "a resumed run keeps the earlier rows, and rows are flushed when the log goes away")
        _ = try Joblog(path: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), Joblog.header, "a new run starts afresh")
    }
}
