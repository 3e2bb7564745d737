import Foundation
import Glibc
import JobSpec
import TestSupport
import XCTest

@testable import TaskFarm

/// Issue 15, attacks 5, 6, 7 and 8: the journal is input, a damaged header does not throw
/// history away, a torn tail does not swallow the next record, and attempt counters never wrap.
final class JournalHardeningTests: XCTestCase {
    private func folder() throws -> StateFolder {
        let path = NSTemporaryDirectory() + "journal-\(UUID().uuidString)"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return try StateFolder(path: path)
    }

    private func header(tasks: Int) -> JournalRecord {
        .header(version: 1, runID: 7, taskCount: tasks, fingerprint: TaskFingerprint.combined(Array(repeating: 1, count: tasks)),
                jobFile: "t.txt")
    }

    private func end(_ position: Int, _ state: TaskState = .succeeded) -> JournalRecord {
        .ended(JournalRecord.TaskEnd(state: state, completion: TaskCompletion(
            position: position, attempt: 1, workerRank: 1, outcome: .exited, exitCode: 0, startTime: 1, endTime: 2)))
    }

    /// A line with a valid checksum around any text, as an attacker would write it.
    private func forged(_ text: String) -> String {
        let crc = String(CRC32.checksum(text.utf8), radix: 16)
        return String(repeating: "0", count: 8 - crc.count) + crc + "\t" + text + "\n"
    }

    func testChecksumValidRecordsWithImpossibleValuesAreSkippedByLine() throws {
        let lines = [header(tasks: 3).line,
                     forged("ended\t0\t1\t300\t0\t0\t\t1\t1\t2\t0\t0\t0\t"),        // state 300
                     forged("started\t-1\t1\t1\th\t1"),                           // position -1
                     forged("ended\t-5\t1\t2\t0\t0\t\t1\t1\t2\t0\t0\t0\t"),
                     forged("started\t\(Int.max)\t1\t1\th\t1"),
                     forged("ended\t2\t1\t2\t0\t0\t\t1\t1\t2\t0\t0\t0\t"),         // fine
                     forged("header\t1\t7\t1000000000000\tffff\tt.txt"),          // 10^12 tasks
                     forged("submitted\t10000000000\t{}"),                        // the 10 GB record
                     forged("started\t1\t99999999999\t1\th\t1"),                  // attempt beyond 32 bits
                     forged("ended\t1\t1\t2\t0\t999\t\t1\t1\t2\t0\t0\t0\t"),        // exit status 999
                     forged("run-began\tnan\tnew")]
        let replay = JournalReplay(data: Data(lines.joined().utf8), taskCountLimit: 3)
        XCTAssertEqual(replay.skipped.map(\.line), [2, 3, 4, 5, 7, 8, 9, 10, 11])
        XCTAssertEqual(replay.states, [.pending, .pending, .succeeded])
        XCTAssertEqual(replay.header?.taskCount, 3)
        XCTAssertTrue(replay.skipped[0].reason.contains("state 300"), replay.skipped[0].reason)
        // status reads the same folder without crashing and counts what is trustworthy.
        let state = try folder()
        try state.writeFingerprints([1, 1, 1])
        try Data(lines.joined().utf8).write(to: URL(fileURLWithPath: state.journalFile))
        let report = try StatusReport(stateFolder: state.path)
        XCTAssertEqual(report.taskCount, 3)
        XCTAssertEqual(report.counts[.succeeded], 1)
        XCTAssertEqual(report.skippedRecords, 9)
    }

    func testADamagedHeaderIsRebuiltFromTheFingerprintsOrRefused() throws {
        let state = try folder()
        try state.writeAtomically("7\n", to: state.path + "/run-id")
        var text = header(tasks: 2).line + end(0).line + end(1).line
        // One flipped byte in the header line.
        var bytes = Array(text.utf8)
        bytes[12] ^= 0x01
        text = String(decoding: bytes, as: UTF8.self)
        try Data(text.utf8).write(to: URL(fileURLWithPath: state.journalFile))

        // No fingerprints file: nothing to rebuild from, so the two ends cannot be placed.
        let orphaned = try JournalReplay(folder: state)
        XCTAssertNil(orphaned.header)
        XCTAssertEqual(orphaned.recordsWithoutHeader, 2)
        let refusal = try XCTUnwrap(JournalDamage.refusal(orphaned, folder: state))
        XCTAssertTrue(refusal.contains("\(state.journalFile):1:"), refusal)
        XCTAssertTrue(refusal.contains("mv "), refusal)

        try state.writeFingerprints([1, 1])
        let rebuilt = try JournalReplay(folder: state)
        XCTAssertTrue(rebuilt.headerRebuilt)
        XCTAssertEqual(rebuilt.header?.runID, 7)
        XCTAssertEqual(rebuilt.header?.fingerprint, TaskFingerprint.combined([1, 1]))
        XCTAssertEqual(rebuilt.states, [.succeeded, .succeeded], "history kept: nothing runs again")
        XCTAssertNil(JournalDamage.refusal(rebuilt, folder: state))
        let plan = try ResumePlan(replay: rebuilt, fingerprints: [1, 1], journalFingerprints: [1, 1],
                                  rerunFailed: false, force: false)
        XCTAssertEqual(plan.skippedSucceeded, 2)
    }

    func testAppendsAfterATornTailStartOnAFreshLineAndTheJournalIsPrivate() throws {
        let state = try folder()
        try Data((header(tasks: 2).line + String(end(0).line.prefix(20))).utf8)
            .write(to: URL(fileURLWithPath: state.journalFile))
        chmod(state.journalFile, 0o644)  // as an earlier version left it
        do {
            let writer = try JournalWriter(path: state.journalFile)
            writer.append(end(1), durableNow: true)
            XCTAssertNil(writer.writeError)
        }
        var status = stat()
        XCTAssertEqual(stat(state.journalFile, &status), 0)
        XCTAssertEqual(status.st_mode & 0o777, 0o600, "the journal holds commands: owner only")
        let replay = try JournalReplay(folder: state, taskCountLimit: 2)
        XCTAssertEqual(replay.states, [.pending, .succeeded], "the record after the torn tail is read back")
        XCTAssertEqual(replay.skipped.count, 1, "only the torn record is skipped")
    }

    func testAFullDiskStopsTheWriterCleanlyAndNothingIsLost() throws {
        let mountPoint = NSTemporaryDirectory() + "journal-full-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: mountPoint) }
        guard TinyFilesystem.mount(at: mountPoint, size: "16k") else {
            throw XCTSkip("cannot mount a 16 KiB tmpfs here (needs root and mount permission)")
        }
        defer { TinyFilesystem.unmount(mountPoint) }
        let state = try StateFolder(path: mountPoint + "/state")
        let writer = try JournalWriter(path: state.journalFile)
        writer.append(header(tasks: 1000), durableNow: true)
        var written = 0
        while writer.writeError == nil, written < 1000 {
            writer.append(end(written), durableNow: true)
            written += 1
        }
        let error = try XCTUnwrap(writer.writeError, "a 16 KiB file system fills before 1,000 records")
        XCTAssertTrue(error.contains("No space left on device"), error)
        XCTAssertThrowsError(try state.writeVerdict(Verdict(status: .interrupted, runID: 7)))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: state.path).filter { $0.contains(".tmp.") }
        XCTAssertEqual(leftovers, [], "a failed atomic write leaves no temporary file")
        // Room again: the records kept in memory are written, and the journal reads back whole.
        XCTAssertTrue(TinyFilesystem.resize(mountPoint, size: "1m"))
        writer.flush()
        XCTAssertNil(JournalReplay(data: FileManager.default.contents(atPath: state.journalFile)!, taskCountLimit: 1000)
            .skipped.first, "the torn record was completed, not left behind")
    }

    func testRetriesBeyond255EndInsteadOfWrapping() {
        var core = SchedulerCore(taskCount: 1, policy: SchedulerPolicy(retries: 300))
        core.addWorker(WorkerAd(rank: 1, host: "h", cores: 1, memoryBytes: 1 << 30, slots: 1))
        var attempts = 0
        var decisions = core.dispatch()
        while case .assign(let position, let attempt, _)? = decisions.first, attempts < 10_000 {
            attempts += 1
            XCTAssertEqual(attempt, attempts, "attempt numbers count up without wrapping")
            _ = core.complete(TaskCompletion(position: position, attempt: attempt, workerRank: 1, outcome: .exited,
                                             exitCode: 1, startTime: 0, endTime: 1))
            decisions = core.dispatch()
        }
        XCTAssertEqual(attempts, 301)
        XCTAssertEqual(core.states[0], .failed)
        XCTAssertEqual(core.attempts[0], 301)
    }

    func testOnlyAttemptsThatCouldHaveStartedAreCountedOnResume() throws {
        // A journal of an earlier version, which wrote `started` when it handed out a prefetched
        // task, marked `queued`. A crash while 1 and 2 were only prefetched: their first real
        // attempt is still attempt 1.
        let records: [JournalRecord] = [
            header(tasks: 3), .runBegan(time: 1, resume: false, context: nil),
            .started(position: 0, attempt: 1, worker: 1, host: "h", time: 1, queued: false),
            .started(position: 1, attempt: 1, worker: 1, host: "h", time: 1, queued: true),
            .started(position: 2, attempt: 1, worker: 1, host: "h", time: 1, queued: true),
            end(2, .failed),
        ]
        let text = records.map(\.line).joined()
        XCTAssertTrue(text.contains("\tqueued\n"))
        let replay = JournalReplay(data: Data(text.utf8), taskCountLimit: 3)
        XCTAssertEqual(replay.attempts, [1, 0, 1], "the prefetched one that ended counts; the other does not")
        var resumed = SchedulerCore(taskCount: 3, policy: SchedulerPolicy(), initialStates: replay.states,
                                    initialAttempts: replay.attempts)
        resumed.addWorker(WorkerAd(rank: 1, host: "h", cores: 2, memoryBytes: 1 << 30, slots: 2))
        let attempts = resumed.dispatch().compactMap { decision -> [Int]? in
            if case .assign(let position, let attempt, _) = decision { return [position, attempt] }
            return nil
        }
        XCTAssertEqual(attempts, [[0, 2], [1, 1]])
    }
}
