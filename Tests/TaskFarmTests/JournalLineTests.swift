import XCTest

@testable import TaskFarm

/// The journal's lines are built as bytes (``JournalLineEncoder``); they must be the bytes
/// the earlier `[String].joined` form wrote, or journals of one version would not match the
/// checksums another computes. `joinedLine` below is that earlier form, kept as the oracle.
final class JournalLineTests: XCTestCase {
    /// The earlier form: each field made a `String`, escaped by Unicode scalar, joined by tabs.
    private func joinedLine(_ fields: [String]) -> String {
        let text = fields.joined(separator: "\t")
        let crc = String(CRC32.checksum(Array(text.utf8)), radix: 16)
        return String(repeating: "0", count: 8 - crc.count) + crc + "\t" + text + "\n"
    }

    private func escaped(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result.append(contentsOf: "\\\\".unicodeScalars)
            case "\t": result.append(contentsOf: "\\t".unicodeScalars)
            case "\n": result.append(contentsOf: "\\n".unicodeScalars)
            case "\r": result.append(contentsOf: "\\r".unicodeScalars)
            default: result.append(scalar)
            }
        }
        return String(result)
    }

    private let awkwardText = ["", "plain", "tab\there", "a\\b", "cr\r\nlf", "résumé δ 日本 e\u{301}", "\r\n", "end\\"]
    private let times: [Double] = [0, 5, 0.1, 1e-05, 1_796_402_844.9339652, 123_456_789_012.5, 1e21, -0.0, 2.5e-300]
    private let integers = [0, 7, -1, 255, 1_000_000, Int.max, Int.min]

    func testStartedAndEndedLinesAreTheJoinedFormsBytes() {
        for (index, host) in awkwardText.enumerated() {
            let time = times[index % times.count]
            let number = integers[index % integers.count]
            for queued in [false, true] {
                let record = JournalRecord.started(position: number, attempt: index + 1, worker: 2, host: host,
                                                   time: time, queued: queued)
                let expected = joinedLine(["started", String(number), String(index + 1), "2", escaped(host), String(time)]
                                          + (queued ? ["queued"] : []))
                XCTAssertEqual(record.line, expected)
            }
            for exit in [nil, 0, 255] as [Int?] {
                let completion = TaskCompletion(
                    position: number, attempt: index, workerRank: -1, outcome: .signaled, exitCode: exit,
                    signal: exit == nil ? 9 : nil, startTime: time, endTime: times[(index + 1) % times.count],
                    userSeconds: 0.001374, systemSeconds: 0, maxResidentKiB: 36_292,
                    message: index == 0 ? nil : host)
                let record = JournalRecord.ended(JournalRecord.TaskEnd(state: .failed, completion: completion))
                let expected = joinedLine([
                    "ended", String(number), String(index), String(TaskState.failed.rawValue),
                    String(TaskOutcome.signaled.rawValue), exit.map(String.init) ?? "", exit == nil ? "9" : "", "-1",
                    String(time), String(times[(index + 1) % times.count]), "0.001374", "0.0", "36292",
                    escaped(index == 0 ? "" : host),
                ])
                XCTAssertEqual(record.line, expected)
                if number >= 0 { XCTAssertEqual(try JournalRecord(line: Substring(record.line.dropLast())), record) }
            }
        }
    }

    func testTheOtherRecordsLinesAreTheJoinedFormsBytes() {
        let cases: [(JournalRecord, [String])] = [
            (.header(version: 1, runID: 6_402_845, taskCount: 300, fingerprint: "f37069857b775792", jobFile: "a\tb.txt"),
             ["header", "1", "6402845", "300", "f37069857b775792", "a\\tb.txt"]),
            (.runBegan(time: 1_796_402_844.9252436, resume: false, context: "{\"a\":\"\\\\/x\"}"),
             ["run-began", "1796402844.9252436", "new", escaped("{\"a\":\"\\\\/x\"}")]),
            (.runBegan(time: 5, resume: true, context: nil), ["run-began", "5.0", "resume"]),
            (.workers([WorkerSlotsRecord(rank: 2, host: "node\t1", slots: 4), WorkerSlotsRecord(rank: 3, host: "n2", slots: 1)]),
             ["workers", "2", "node\\t1", "4", "3", "n2", "1"]),
            (.workers([]), ["workers"]),
            (.unrunnable(position: 12, reason: "needs 64 cores\nnone has"), ["unrunnable", "12", "needs 64 cores\\nnone has"]),
            (.runEnded(time: 0.1, status: 65), ["run-ended", "0.1", "65"]),
            (.submitted(position: 0, task: "{\"label\":\"x\\\\y\"}"), ["submitted", "0", escaped("{\"label\":\"x\\\\y\"}")]),
        ]
        for (record, fields) in cases {
            XCTAssertEqual(record.line, joinedLine(fields))
        }
    }

    /// The checksum read in place (contiguous bytes) and the one read byte by byte agree,
    /// and both are zlib's (CRC-32 of "123456789" is cbf43926).
    func testTheChecksumIsZlibsWhateverTheBytesAreHeldIn() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum("123456789".utf8), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum(AnySequence(Array("123456789".utf8))), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
    }
}
