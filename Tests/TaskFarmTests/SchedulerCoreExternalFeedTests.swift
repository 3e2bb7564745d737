import JobSpec
import XCTest

@testable import TaskFarm

/// The external feed a DAG run uses: only enqueued positions run, in the order given, a
/// position that ended can run again, and the run is not over until the feed is closed.
final class SchedulerCoreExternalFeedTests: XCTestCase {
    private func worker(_ rank: Int, slots: Int = 1) -> WorkerAd {
        WorkerAd(rank: rank, host: "h", cores: 8, memoryBytes: 1 << 30, slots: slots)
    }

    private func ended(_ position: Int, attempt: Int = 1, exit: Int = 0, _ outcome: TaskOutcome = .exited) -> TaskCompletion {
        TaskCompletion(position: position, attempt: attempt, workerRank: 1, outcome: outcome,
                       exitCode: outcome == .exited ? exit : nil, startTime: 0, endTime: 1)
    }

    private func assigned(_ decisions: [SchedulerCore.Decision]) -> [Int] {
        decisions.compactMap { if case .assign(let position, _, _) = $0 { return position } else { return nil } }
    }

    private func fedCore(taskCount: Int, slots: Int = 4) -> SchedulerCore {
        var core = SchedulerCore(taskCount: taskCount, policy: SchedulerPolicy(prefetchPerSlot: 0))
        core.useExternalFeed()
        core.addWorker(worker(1, slots: slots))
        return core
    }

    func testOnlyEnqueuedPositionsRunInTheOrderGiven() {
        var core = fedCore(taskCount: 10)
        XCTAssertTrue(assigned(core.dispatch()).isEmpty, "the cursor must not feed a DAG run")
        core.enqueue(positions: 7..<9)
        core.enqueue(positions: 2..<3)
        XCTAssertEqual(assigned(core.dispatch()), [7, 8, 2])
    }

    func testNotDoneUntilTheFeedIsClosed() {
        var core = fedCore(taskCount: 2)
        core.enqueue(positions: 0..<1)
        _ = core.dispatch()
        _ = core.complete(ended(0))
        XCTAssertFalse(core.isDone(), "a DAG may still enqueue (a script is running)")
        core.closeFeed()
        XCTAssertTrue(core.isDone())
    }

    func testAFailedPositionRunsAgainWithTheNextAttempt() {
        var core = fedCore(taskCount: 1)
        core.enqueue(positions: 0..<1)
        _ = core.dispatch()
        let decisions = core.complete(ended(0, exit: 1))
        XCTAssertEqual(decisions.count, 1)
        guard case .finished(_, .failed, _) = decisions[0] else { return XCTFail("expected a final failure: \(decisions)") }
        core.enqueue(positions: 0..<1)
        let again = core.dispatch()
        guard case .assign(0, 2, 1) = again.first else { return XCTFail("expected attempt 2: \(again)") }
    }

    func testWithdrawTakesBackOnlyQueuedPositions() {
        var core = fedCore(taskCount: 6, slots: 2)
        core.enqueue(positions: 0..<6)
        XCTAssertEqual(assigned(core.dispatch()), [0, 1])
        XCTAssertEqual(core.withdraw(positions: 0..<4), [2, 3], "in-flight ones are the caller's to cancel")
        XCTAssertEqual(core.states[2], .cancelled)
        _ = core.complete(ended(0))
        XCTAssertEqual(assigned(core.dispatch()), [4], "withdrawn positions were handed out")
    }

    func testPlainCoreIgnoresTheFeedAPI() {
        var core = SchedulerCore(taskCount: 3, policy: SchedulerPolicy(prefetchPerSlot: 0))
        core.addWorker(worker(1, slots: 3))
        XCTAssertFalse(core.usesExternalFeed)
        XCTAssertEqual(assigned(core.dispatch()), [0, 1, 2])
    }
}
