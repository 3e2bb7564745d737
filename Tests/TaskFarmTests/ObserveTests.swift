import Foundation
import JobSpec
import XCTest

@testable import TaskFarm

/// The progress line, the attempt history read back from a journal, slot lanes and the
/// Chrome trace: the parts of "seeing the farm" that need no MPI.
final class ObserveTests: XCTestCase {
    // MARK: Progress

    func testTheMeterGivesARateAndAnETAFromTheRecentWindow() {
        var meter = ProgressMeter(start: 100, endedAtStart: 10, window: 30)
        let counts = ProgressMeter.Counts(done: 10, failed: 0, running: 2, total: 110)
        XCTAssertNil(meter.rate, "no rate before a task of this run ended")
        XCTAssertTrue(meter.line(counts, now: 100).contains("ETA ?"), meter.line(counts, now: 100))
        meter.record(now: 110, ended: 30)  // 20 tasks in 10 s
        XCTAssertEqual(meter.rate ?? 0, 2, accuracy: 1e-9)
        let later = ProgressMeter.Counts(done: 28, failed: 2, running: 2, total: 110)
        XCTAssertEqual(meter.secondsLeft(later) ?? 0, 40, accuracy: 1e-9, "80 left at 2 per second")
        XCTAssertEqual(meter.line(later, now: 110),
                       "28 done, 2 failed, 2 running of 110 | 2.0 tasks/s | 0:10 elapsed | ETA 0:40")
        // The window (30 s) forgets the start: measured from the newest sample at least 30 s old.
        meter.record(now: 140, ended: 40)
        meter.record(now: 150, ended: 140)
        XCTAssertEqual(meter.rate ?? 0, Double(140 - 30) / (150 - 110), accuracy: 1e-9)
        XCTAssertEqual(ProgressMeter.clock(3725), "1:02:05")
    }

    func testTheReporterWritesOnItsTimerNotPerTask() throws {
        var written: [String] = []
        let reporter = ProgressReporter(mode: .line, total: 1000, done: 0, failed: 0, now: Clock.monotonicSeconds() - 5) {
            written.append($0)
        }
        let ad = WorkerAd(rank: 2, host: "n1", cores: 1, memoryBytes: 0, slots: 2)
        reporter.workersKnown([ad])
        for position in 0..<500 {
            reporter.taskStarted(position: position, attempt: 1, worker: ad, time: 0)
            let completion = TaskCompletion(position: position, attempt: 1, workerRank: 2, outcome: .exited, exitCode: 0,
                                            startTime: 0, endTime: 0)
            reporter.taskEnded(position: position, state: .succeeded, completion: completion, worker: ad)
        }
        for position in 500..<505 { reporter.taskStarted(position: position, attempt: 1, worker: ad, time: 0) }
        XCTAssertTrue(written.isEmpty, "nothing is formatted or written per task")
        XCTAssertFalse(try reporter.step())
        XCTAssertEqual(written.count, 1)
        let line = try XCTUnwrap(written.first)
        XCTAssertTrue(line.hasPrefix("\r\u{1B}[Ktaskfarm: 500 done, 0 failed, 2 running of 1000 | "), line)
        XCTAssertTrue(line.contains("tasks/s") && line.contains("ETA "), line)
        XCTAssertFalse(line.contains("\n"), "the line is redrawn in place")
        _ = try reporter.step()
        XCTAssertEqual(written.count, 1, "at most once a second")
        reporter.finish()
        XCTAssertEqual(written.last, "\r\u{1B}[K", "the line is erased at the end")
    }

    /// A log message erases the line first (it is drawn again at the next tick), and the
    /// end then has nothing left to erase.
    func testOtherOutputErasesTheLineFirst() throws {
        var written: [String] = []
        let reporter = ProgressReporter(mode: .line, total: 10, done: 0, failed: 0, now: Clock.monotonicSeconds() - 5) {
            written.append($0)
        }
        _ = try reporter.step()
        XCTAssertEqual(written.count, 1)
        ProgressLineOnScreen.clearForOtherOutput()  // what the log handler does before a message
        reporter.finish()
        XCTAssertEqual(written.count, 1, "already erased: no second erase")
    }

    func testSummariesEndInANewlineAndTheModesFollowTheFlags() throws {
        var written: [String] = []
        let reporter = ProgressReporter(mode: .summaries(interval: 60), total: 3, done: 1, failed: 1,
                                        now: Clock.monotonicSeconds() - 61) { written.append($0) }
        _ = try reporter.step()
        XCTAssertEqual(written, ["taskfarm: progress: 1 done, 1 failed, 0 running of 3 | - tasks/s | 1:01 elapsed | ETA ?\n"])
        reporter.finish()
        XCTAssertEqual(written.count, 1, "summaries leave nothing to erase")
        XCTAssertEqual(ProgressReporter.mode(forced: nil, interval: 60) { true }, .line)
        XCTAssertEqual(ProgressReporter.mode(forced: nil, interval: 60) { false }, .summaries(interval: 60))
        XCTAssertNil(ProgressReporter.mode(forced: nil, interval: 0) { false })
        XCTAssertEqual(ProgressReporter.mode(forced: true, interval: 0) { false }, .line)
        XCTAssertNil(ProgressReporter.mode(forced: false, interval: 60) { true })
    }

    func testTheRankLayoutInOneLine() throws {
        XCTAssertEqual(try RoleLayout(size: 4).summary, "4 ranks: scheduler, name server, 2 workers")
        XCTAssertEqual(try RoleLayout(size: 2).summary, "2 ranks: scheduler and name server, 1 worker")
        XCTAssertEqual(try RoleLayout(size: 3, requestedNameServerRank: 0).summary, "3 ranks: scheduler and name server, 2 workers")
        XCTAssertEqual(try RoleLayout(size: 1).summary, "1 rank: scheduler, name server and worker in one")
    }

    // MARK: The journal read back

    private func end(_ position: Int, attempt: Int, worker: Int, state: TaskState, outcome: TaskOutcome = .exited,
                     exit: Int? = 0, start: Double, end: Double) -> JournalRecord {
        .ended(JournalRecord.TaskEnd(state: state, completion: TaskCompletion(
            position: position, attempt: attempt, workerRank: worker, outcome: outcome, exitCode: exit,
            startTime: start, endTime: end, userSeconds: 0.5, systemSeconds: 0.25, maxResidentKiB: 2048)))
    }

    func testRecordsRoundTripAndOldRunBeganRecordsStillParse() throws {
        let context = RunContext(jobFile: "/w/t.txt", launchDirectory: "/w", jobName: "t", user: "ana",
                                 outputs: OutputDefaults(defaultOutput: "/w/t.txt.taskfarm/output/%a.out"))
        for record: JournalRecord in [
            .runBegan(time: 5, resume: false, context: context.json),
            .workers([WorkerSlotsRecord(rank: 2, host: "node\t1", slots: 4), WorkerSlotsRecord(rank: 3, host: "n2", slots: 1)]),
        ] {
            XCTAssertEqual(try JournalRecord(line: Substring(record.line.dropLast().dropFirst(0))), record)
        }
        let old = JournalRecord.runBegan(time: 5, resume: true, context: nil).line
        XCTAssertFalse(old.contains("{"))
        XCTAssertEqual(try JournalRecord(line: Substring(old.dropLast())), .runBegan(time: 5, resume: true, context: nil))
        XCTAssertEqual(RunContext(json: context.json), context)
    }

    /// A DAG's tasks are reloaded with the rescue file its run read, not the one the run
    /// wrote at its end (which marks more nodes done and shifts every position): the one the
    /// context names (0: none), or, for a journal written before contexts named it, the newest
    /// written before the run began.
    func testADAGIsReloadedWithTheRescueFileItsRunRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reload-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        try "executable = /bin/echo\narguments = $(JOB) $(Process)\nqueue 2\n".write(toFile: folder + "/n.sub", atomically: true, encoding: .utf8)
        try "JOB A n.sub\nJOB B n.sub\nPARENT A CHILD B\n".write(toFile: folder + "/w.dag", atomically: true, encoding: .utf8)
        let began = Date().timeIntervalSince1970 - 100
        try "DONE A\n".write(toFile: folder + "/w.dag.rescue001", atomically: true, encoding: .utf8)  // written by the run
        func context(_ rescue: Int?) -> RunContext {
            RunContext(jobFile: folder + "/w.dag", launchDirectory: folder, jobName: "w", user: "u", outputs: OutputDefaults(),
                       dagRescue: rescue)
        }
        func firstCommand(_ job: any JobSpec.Job) -> String { job.task(at: 0).command.displayString }
        let read = try JobFiles.reload(context(0), runID: 1, runBegan: began)
        XCTAssertEqual(read.taskCount, 4, "the run read no rescue file: A's procs are positions 0 and 1")
        XCTAssertEqual(firstCommand(read), "/bin/echo A 0")
        XCTAssertEqual(try JobFiles.reload(context(nil), runID: 1, runBegan: began).taskCount, 4,
                       "an older journal: rescue001 was written after its run began")
        let rescued = try JobFiles.reload(context(1), runID: 1, runBegan: began)
        XCTAssertEqual(rescued.taskCount, 2)
        XCTAssertEqual(firstCommand(rescued), "/bin/echo B 0")
        XCTAssertEqual(try JobFiles.reload(context(nil), runID: 1, runBegan: nil).taskCount, 2, "without a time, the newest")
        XCTAssertTrue(RunContext(json: context(0).json)?.dagRescue == 0 && !context(nil).json.contains("dagRescue"),
                      "other jobs' contexts, and older journals', are unchanged")
    }

    /// An unknown index's message gives the indexes there are without implying any that are
    /// not: PBS `-J 10-30:5` has 5 tasks, not 21; Slurm `3,7,20-26:3` has 5, not 24.
    func testIndexesAreDescribedWithTheirSteps() {
        XCTAssertEqual(TaskStory.describe(indexes: Array(1...10)), "1 to 10")
        XCTAssertEqual(TaskStory.describe(indexes: [10, 15, 20, 25, 30]), "10 to 30 in steps of 5")
        XCTAssertEqual(TaskStory.describe(indexes: [3, 7, 20, 23, 26]), "3, 7, 20 to 26 in steps of 3")
        XCTAssertEqual(TaskStory.describe(indexes: [2, 1]), "1, 2")
        XCTAssertEqual(TaskStory.describe(indexes: [0, 0, 4]), "0, 4", "DAG-like shared indexes are named once")
        XCTAssertEqual(TaskStory.describe(indexes: Array(stride(from: 0, to: 100, by: 2)) + [1001, 1003, 1010]),
                       "0 to 98 in steps of 2, 1001, 1003, 1010")
        let scattered = (0..<15).map { $0 * $0 * 7 }
        XCTAssertTrue(TaskStory.describe(indexes: scattered).hasSuffix(", 567 and 5 more"), TaskStory.describe(indexes: scattered))
    }

    func testTheHistoryKeepsEveryAttemptWithItsHostAndDropsGivenBackOnes() {
        let records: [JournalRecord] = [
            .header(version: 1, runID: 7, taskCount: 3, fingerprint: "x", jobFile: "t.txt"),
            .runBegan(time: 100, resume: false, context: nil),
            .workers([WorkerSlotsRecord(rank: 2, host: "n1", slots: 1)]),
            .started(position: 0, attempt: 1, worker: 2, host: "n1", time: 100.1, queued: false),
            .started(position: 1, attempt: 1, worker: 2, host: "n1", time: 100.1, queued: true),  // prefetched
            end(0, attempt: 1, worker: 2, state: .pending, exit: 3, start: 100.2, end: 101),
            // Given back unstarted: attempt 1 of position 1 did not happen.
            end(1, attempt: 1, worker: -1, state: .pending, outcome: .revoked, exit: nil, start: 101, end: 101),
            .started(position: 0, attempt: 2, worker: 2, host: "n1", time: 101, queued: false),
            end(0, attempt: 2, worker: 2, state: .failed, exit: 3, start: 101.1, end: 102),
            .started(position: 1, attempt: 1, worker: 2, host: "n1", time: 102, queued: false),
        ]
        let history = AttemptHistory(data: Data(records.map(\.line).joined().utf8))
        XCTAssertEqual(history.attempts.map { [$0.position, $0.attempt] }, [[0, 1], [0, 2], [1, 1]])
        XCTAssertEqual(history.attempts[0].start, 100.2, "the worker's start, not the hand-out time, once it ended")
        XCTAssertEqual(history.attempts[1].endDescription, "exit 3")
        XCTAssertEqual(history.attempts[1].cpuSeconds, 0.75)
        XCTAssertEqual(history.attempts[1].kind, "failed")
        XCTAssertTrue(history.inProgress)
        XCTAssertEqual(history.attempts[2].endDescription, "running")
        let ran = history.ranAttempts(now: 103)
        XCTAssertEqual(ran.count, 3)
        XCTAssertEqual(ran[2].end, 103, "a running attempt is drawn up to now")
        XCTAssertEqual(ran[2].kind, "running")
        let one = AttemptHistory(data: Data(records.map(\.line).joined().utf8), only: 1)
        XCTAssertEqual(one.attempts.map(\.position), [1])
    }

    // MARK: Lanes and the trace

    /// Attempts whose recorded times overlap on one worker (a hand-out time taken for a
    /// start) still never share a slot row.
    func testLanesNeverOverlapAndTheTraceHasOneCompleteEventPerAttempt() throws {
        func attempt(_ position: Int, worker: Int, host: String, _ start: Double, _ end: Double) -> AttemptHistory.Attempt {
            var made = AttemptHistory.Attempt(position: position, attempt: 1, worker: worker, host: host, start: start, run: 1)
            made.end = end
            made.outcome = .exited
            made.exitCode = 0
            return made
        }
        let attempts = [
            attempt(0, worker: 2, host: "a", 0, 10), attempt(1, worker: 2, host: "a", 1, 3),
            attempt(2, worker: 2, host: "a", 2, 4), attempt(3, worker: 2, host: "a", 10, 11),
            attempt(4, worker: 3, host: "b", 0, 5), attempt(5, worker: 3, host: "b", 5, 6),
        ]
        let lanes = SlotLanes(attempts) { Int64(($0 * 1e6).rounded()) }
        XCTAssertEqual(lanes.lanes.count, 4, "worker 2 needs 3 rows for its overlapping times, worker 3 one")
        XCTAssertEqual(lanes.laneOfAttempt[3], lanes.laneOfAttempt[0], "a row is reused once free")

        let json = ChromeTrace.json(attempts) { (index: $0 + 100, command: "cmd \($0)") }
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let events = try XCTUnwrap(object["traceEvents"] as? [[String: Any]])
        let complete = events.filter { $0["ph"] as? String == "X" }
        XCTAssertEqual(complete.count, attempts.count)
        var byThread: [String: [(Int, Int)]] = [:]
        for event in complete {
            let key = "\(event["pid"]!)/\(event["tid"]!)"
            byThread[key, default: []].append((event["ts"] as! Int, event["dur"] as! Int))
        }
        for (thread, spans) in byThread {
            let sorted = spans.sorted { $0.0 < $1.0 }
            for (earlier, later) in zip(sorted, sorted.dropFirst()) {
                XCTAssertLessThanOrEqual(earlier.0 + earlier.1, later.0, "events overlap on \(thread)")
            }
        }
        XCTAssertEqual(Set(complete.map { "\($0["pid"]!)" }).count, 2, "pid is the host")
        XCTAssertTrue(json.contains("\"command\": \"cmd 1\""))
        XCTAssertTrue(json.contains("\"name\": \"task 101\""), "events are named by the task's index")
    }
}
