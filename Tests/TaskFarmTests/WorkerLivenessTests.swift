import JobSpec
import XCTest

@testable import TaskFarm

/// Lost workers without MPI: the liveness rules, the core's requeue and crash limit, and a
/// whole farm on the in-memory transport whose worker rank stops answering.
final class WorkerLivenessTests: XCTestCase {
    func testASilentWorkerIsLostOnceAndStaysLost() {
        var liveness = WorkerLiveness(timeout: 10)
        liveness.watch(2, now: 0)
        liveness.watch(3, now: 0)
        liveness.heard(from: 2, now: 8)
        XCTAssertEqual(liveness.findSilent(now: 10), [], "silent for exactly the timeout is not yet lost")
        XCTAssertEqual(liveness.findSilent(now: 10.5), [3])
        XCTAssertEqual(liveness.findSilent(now: 11), [], "each lost worker is reported once")
        XCTAssertTrue(liveness.isLost(3))
        XCTAssertFalse(liveness.heard(from: 3, now: 12), "a lost worker's word is ignored")
        XCTAssertEqual(liveness.findSilent(now: 18), [], "rank 2 last spoke at 8")
        XCTAssertEqual(liveness.findSilent(now: 18.1), [2])
        XCTAssertEqual(liveness.aliveCount, 0)
        XCTAssertEqual(liveness.lost, [3, 2])
    }

    func testTimeTheSchedulerWasNotListeningDoesNotCount() {
        var liveness = WorkerLiveness(timeout: 10)
        liveness.watch(2, now: 0)
        liveness.excuse(seconds: 30)  // the scheduler's loop stalled; rank 2's reports wait unread
        XCTAssertEqual(liveness.findSilent(now: 35), [])
        XCTAssertEqual(liveness.findSilent(now: 40.5), [2])
    }

    func testHeartbeatsComeOftenEnoughToNeverTripTheTimeout() {
        XCTAssertLessThanOrEqual(WorkerLiveness.heartbeatInterval(timeout: 10) * 3, 10)
        XCTAssertGreaterThan(WorkerLiveness.heartbeatInterval(timeout: 1), 0)
        XCTAssertEqual(WorkerLiveness(timeout: 0).timeout, 1, "a timeout below a second would lose busy workers")
    }

    private func worker(_ rank: Int, slots: Int = 1) -> WorkerAd {
        WorkerAd(rank: rank, host: "node\(rank)", cores: 8, memoryBytes: 1 << 30, slots: slots)
    }

    private func assigned(_ decisions: [SchedulerCore.Decision]) -> [Int: [Int]] {
        var byWorker: [Int: [Int]] = [:]
        for case .assign(let position, _, let worker) in decisions { byWorker[worker, default: []].append(position) }
        return byWorker
    }

    /// Running tasks of a lost worker are requeued as retries (not failures), prefetched
    /// ones as given back; they go to the front of the queue and to the other worker only.
    func testALostWorkersTasksGoBackToTheFrontAndNothingIsSentToIt() {
        var core = SchedulerCore(taskCount: 10, policy: SchedulerPolicy(prefetchPerSlot: 2))
        core.addWorker(worker(1))
        core.addWorker(worker(2))
        let first = assigned(core.dispatch())
        XCTAssertEqual(first[1]?.count, 3)
        let lostPositions = first[2]!
        XCTAssertTrue(core.markStarted(position: lostPositions[0], attempt: 1, worker: 2))
        XCTAssertFalse(core.markStarted(position: lostPositions[0], attempt: 1, worker: 2), "news once")
        XCTAssertFalse(core.markStarted(position: lostPositions[1], attempt: 1, worker: 1), "not that worker's task")

        let decisions = core.loseWorker(2, crashLimit: 3, reason: "silent", now: 5)
        XCTAssertEqual(decisions.count, 3)
        guard case .retrying(let position, let completion) = decisions[0] else { return XCTFail("\(decisions)") }
        XCTAssertEqual(position, lostPositions[0])
        XCTAssertEqual(completion.outcome, .workerLost)
        XCTAssertEqual(decisions[1], .returned(position: lostPositions[1], attempt: 1))
        XCTAssertEqual(decisions[2], .returned(position: lostPositions[2], attempt: 1))
        XCTAssertEqual(core.inFlightCount, 3)
        XCTAssertEqual(core.states[lostPositions[0]], .pending)
        XCTAssertEqual(core.loseWorker(2, crashLimit: 3, reason: "again", now: 6), [], "lost once")

        // The late report of the lost attempt is not the task's end.
        XCTAssertEqual(core.complete(TaskCompletion(position: lostPositions[0], attempt: 1, workerRank: 2, outcome: .exited,
                                                    exitCode: 0, startTime: 0, endTime: 1)), [])
        // Worker 1 frees a slot: the lost tasks come first, and only to worker 1.
        let running = first[1]![0]
        _ = core.complete(TaskCompletion(position: running, attempt: 1, workerRank: 1, outcome: .exited, exitCode: 0,
                                         startTime: 0, endTime: 1))
        let next = assigned(core.dispatch())
        XCTAssertEqual(Array(next.keys), [1])
        XCTAssertEqual(next[1], [lostPositions[0]])
    }

    /// Losing a worker is not a failed attempt: a task with no retries still runs again,
    /// and its next attempt's failure is final only after its own retries.
    func testALostAttemptUsesNoRetryButTheCrashLimitFailsTheTask() {
        var core = SchedulerCore(taskCount: 1, policy: SchedulerPolicy(retries: 1, prefetchPerSlot: 0))
        for rank in 1...3 { core.addWorker(worker(rank)) }
        for (round, rank) in [1, 2].enumerated() {
            XCTAssertEqual(assigned(core.dispatch()), [rank: [0]])
            XCTAssertTrue(core.markStarted(position: 0, attempt: round + 1, worker: rank))
            let lost = core.loseWorker(rank, crashLimit: 3, reason: "dead", now: 1)
            guard case .retrying = lost.first else { return XCTFail("\(lost)") }
        }
        XCTAssertEqual(core.lostWorkerCount(0), 2)
        XCTAssertEqual(assigned(core.dispatch()), [3: [0]])
        // Attempt 3 fails: its one retry is still there.
        let failed = core.complete(TaskCompletion(position: 0, attempt: 3, workerRank: 3, outcome: .exited, exitCode: 1,
                                                  startTime: 0, endTime: 1))
        guard case .retrying = failed.first else { return XCTFail("a lost worker used up the retry: \(failed)") }
        XCTAssertEqual(assigned(core.dispatch()), [3: [0]])
        XCTAssertTrue(core.markStarted(position: 0, attempt: 4, worker: 3))
        let last = core.loseWorker(3, crashLimit: 3, reason: "dead again", now: 2)
        guard case .finished(0, .failed, let completion) = last.first else { return XCTFail("\(last)") }
        XCTAssertEqual(completion.outcome, .workerLost)
        XCTAssertTrue(completion.message?.contains("lost its worker 3 times") ?? false, completion.message ?? "")
        XCTAssertTrue(core.isDone())
    }

    /// A whole farm on the in-memory transport: of two workers, one stops answering (its
    /// loop is no longer run, as a dead rank's). The scheduler finds it silent, runs its task
    /// on the other, and ends with every task succeeded once and the lost worker named.
    func testAFarmFinishesOnTheWorkersLeftWhenOneGoesSilent() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liveness-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = try TaskList(text: String(repeating: "sh -c 'echo $TASKFARM_WORKER_RANK >> \(folder.path)/ran.$TASKFARM_TASK_INDEX; sleep 0.2'\n", count: 6))
        let ranks = InProcessRanks(size: 4)
        let layout = try RoleLayout(size: 4)
        let clients = (0..<4).map { NameServerClient(transport: ranks.transport($0), serverRank: layout.nameServerRank) }
        let environment = ProcessInfo.processInfo.environment
        let workers = [2, 3].map { rank in
            Worker(transport: ranks.transport(rank), nameServer: clients[rank], schedulerRank: 0,
                   ad: WorkerAd(rank: rank, host: "node\(rank)", cores: 1, memoryBytes: 1 << 30, slots: 1),
                   environment: environment, heartbeatInterval: 0.25)
        }
        let recorder = RecordingRecorder()
        let core = SchedulerCore(taskCount: job.taskCount, policy: SchedulerPolicy(prefetchPerSlot: 1))
        let outputs = OutputDefaults(output: "/dev/null", defaultOutput: "/dev/null", defaultError: "/dev/null")
        var settings = Scheduler.Settings(runID: 7, workerRanks: layout.workerRanks, allRanks: [0, 1, 2, 3],
                                          taskDefaults: TaskDefaults(outputs: outputs), killGrace: 1,
                                          workingDirectory: folder.path, startupTimeout: 60)
        settings.workerTimeout = 1
        let scheduler = Scheduler(transport: ranks.transport(0), nameServer: clients[0], job: job, core: core,
                                  settings: settings, recorders: [recorder])
        var lostReports: [(LostWorker, Int)] = []
        scheduler.onWorkerLost = { lostReports.append(($0, $1)) }
        ranks.add(RankLoop(transport: ranks.transport(0), roles: [clients[0], scheduler]))
        ranks.add(RankLoop(transport: ranks.transport(1), roles: [clients[1], NameServer(transport: ranks.transport(1))]))
        ranks.add(RankLoop(transport: ranks.transport(2), roles: [clients[2], workers[0]]))
        let rank3 = RankLoop(  // run only until it goes silent
            transport: ranks.transport(3), roles: [clients[3], workers[1]])
        for worker in workers { try worker.register() }
        try scheduler.start()
        try ranks.runUntil {
            _ = try? rank3.runOnce()
            return recorder.started.contains { $0.worker == 3 }
        }
        try ranks.runToEnd()  // rank 3 is never run again: silent, its task unreported
        XCTAssertTrue(scheduler.isFinished)
        let result = try XCTUnwrap(scheduler.result)
        XCTAssertEqual(result.succeeded, 6)
        XCTAssertEqual(result.exitStatus, .success)
        XCTAssertEqual(result.lostWorkers.map(\.rank), [3])
        XCTAssertEqual(result.lostWorkers.first?.host, "node3")
        XCTAssertTrue(result.summaryLine.contains("1 worker lost: rank 3 on node3"), result.summaryLine)
        XCTAssertEqual(lostReports.count, 1)
        XCTAssertEqual(recorder.endCount, 6, "each task recorded once")
        XCTAssertTrue(recorder.ended.values.allSatisfy { $0.completion.workerRank == 2 })
    }
}

/// The worker's report on the wire, and what a reader of the journal learns of a run that died.
final class WorkerReportAndDeadRunTests: XCTestCase {
    func testAReportCarriesStartsAndAtMostOneCompletion() throws {
        let completion = TaskCompletion(position: 3, attempt: 2, workerRank: 5, outcome: .workerLost, startTime: 1.5,
                                        endTime: 2.5, message: "lost")
        let full = WorkerReport(starts: [TaskStart(position: 4, attempt: 1, time: 1_796_000_000.25),
                                         TaskStart(position: 9, attempt: 3, time: 0)], completion: completion)
        XCTAssertEqual(try WorkerReport(decoding: full.encode()), full)
        let heartbeat = WorkerReport()
        XCTAssertEqual(try WorkerReport(decoding: heartbeat.encode()), heartbeat)
        var truncated = full.encode()
        truncated.removeLast(3)
        XCTAssertThrowsError(try WorkerReport(decoding: truncated))
    }

    /// A journal without `run-ended` whose lock nobody holds belongs to a run that died: its
    /// running tasks count as interrupted. While the lock is held, the run is in progress.
    func testStatusTellsADeadRunFromALiveOne() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("died-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let records: [JournalRecord] = [
            .header(version: 1, runID: 42, taskCount: 2, fingerprint: "f", jobFile: "t.txt"),
            .runBegan(time: 1, resume: false, context: nil),
            .started(position: 0, attempt: 1, worker: 2, host: "node2", time: 2, queued: false),
        ]
        try Data(records.map(\.line).joined().utf8).write(to: folder.appendingPathComponent("journal"))
        do {
            let lock = try StateLock(path: folder.appendingPathComponent("lock").path)
            let live = try StatusReport(stateFolder: folder.path, now: 3)
            XCTAssertTrue(live.inProgress)
            XCTAssertFalse(live.runDied)
            XCTAssertEqual(live.counts[.running], 1)
            withExtendedLifetime(lock) {}
        }
        let dead = try StatusReport(stateFolder: folder.path, now: 3)
        XCTAssertTrue(dead.runDied)
        XCTAssertFalse(dead.inProgress)
        XCTAssertNil(dead.counts[.running])
        XCTAssertEqual(dead.counts[.interrupted], 1)
        XCTAssertTrue(dead.text.contains("the last run died"), dead.text)
    }
}
