import XCTest

@testable import TaskFarm

final class RunResultTests: XCTestCase {
    func testExitStatus() {
        XCTAssertEqual(RunResult(total: 3, counts: [.succeeded: 3], firstFailures: [], interrupted: false).exitStatus,
                       .success)
        XCTAssertEqual(RunResult(total: 0, counts: [:], firstFailures: [], interrupted: false).exitStatus, .success)
        XCTAssertEqual(RunResult(total: 3, counts: [.succeeded: 2, .failed: 1], firstFailures: [1],
                                 interrupted: false).exitStatus, .taskFailed)
        XCTAssertEqual(RunResult(total: 3, counts: [.succeeded: 2, .timedOut: 1], firstFailures: [1],
                                 interrupted: false).exitStatus, .taskFailed)
        XCTAssertEqual(RunResult(total: 3, counts: [.succeeded: 2, .cancelled: 1], firstFailures: [],
                                 interrupted: false).exitStatus, .taskFailed)
        XCTAssertEqual(RunResult(total: 3, counts: [.succeeded: 1, .failed: 1, .pending: 1], firstFailures: [1],
                                 interrupted: true).exitStatus, .interrupted, "resumable wins over failed")
        XCTAssertEqual(RunResult(total: 2, counts: [.succeeded: 2], firstFailures: [], interrupted: true).exitStatus,
                       .success, "an interrupt after everything ended leaves nothing to resume")
        XCTAssertEqual(ExitStatus.interrupted.rawValue, 75)
        XCTAssertEqual(ExitStatus.badJobFile.rawValue, 65)
    }

    func testCounts() {
        let result = RunResult(total: 10, counts: [.succeeded: 5, .failed: 1, .timedOut: 1, .cancelled: 1,
                                                   .interrupted: 1, .pending: 1],
                               firstFailures: [], interrupted: true)
        XCTAssertEqual(result.succeeded, 5)
        XCTAssertEqual(result.failed, 1, "timed-out tasks are counted apart")
        XCTAssertEqual(result.timedOut, 1)
        XCTAssertEqual(result.cancelled, 1)
        XCTAssertEqual(result.unfinished, 2)
    }

    func testSummaryLine() {
        XCTAssertEqual(RunResult(total: 4, counts: [.succeeded: 4], firstFailures: [], interrupted: false).summaryLine,
                       "taskfarm: 4 of 4 tasks succeeded, 0 failed")
        let mixed = RunResult(total: 10, counts: [.succeeded: 6, .failed: 2, .cancelled: 1, .pending: 1],
                              firstFailures: [3, 7], interrupted: true)
        XCTAssertEqual(mixed.summaryLine,
                       "taskfarm: 6 of 10 tasks succeeded, 2 failed, 1 cancelled, 1 not finished; "
                       + "first failures at index 3, 7; interrupted: run again to resume")
    }

    func testTimedOutTasksAndMaxFailuresInTheSummary() {
        let timedOut = RunResult(total: 5, counts: [.succeeded: 2, .failed: 1, .timedOut: 2], firstFailures: [1, 3, 4],
                                 interrupted: false)
        XCTAssertEqual(timedOut.summaryLine, "taskfarm: 2 of 5 tasks succeeded, 1 failed, 2 timed out; first failures at index 1, 3, 4")
        XCTAssertEqual(timedOut.exitStatus, .taskFailed)
        let halted = RunResult(total: 100, counts: [.succeeded: 10, .failed: 3, .pending: 87], firstFailures: [2, 5, 9],
                               interrupted: true, haltedAtFailures: 3)
        XCTAssertEqual(halted.exitStatus, .taskFailed, "--max-failures ends the run failed, not resumable")
        XCTAssertTrue(halted.summaryLine.hasSuffix("; stopped after 3 failures (--max-failures 3): no new task started"), halted.summaryLine)
        XCTAssertTrue(Verdict(status: .taskFailed, runID: 1, result: halted).json.contains("\"maxFailuresReached\": 3"))
    }

    func testAFarmShutDownWithTasksLeftIsNotCalledSucceeded() {
        let shutDown = RunResult(total: 3, counts: [.succeeded: 1, .running: 1, .pending: 1], firstFailures: [],
                                 interrupted: true)
        let json = Verdict(status: .success, runID: 2, result: shutDown).json
        XCTAssertTrue(json.contains("\"status\": \"shut-down\""), json)
        XCTAssertTrue(json.contains("\"exitStatus\": 0"), json)
        var served = shutDown
        served.resumeAdvice = "serving the same queue again runs the unfinished ones"
        XCTAssertTrue(served.summaryLine.hasSuffix("; interrupted: serving the same queue again runs the unfinished ones"),
                      served.summaryLine)
        let allDone = RunResult(total: 1, counts: [.succeeded: 1], firstFailures: [], interrupted: false)
        XCTAssertTrue(Verdict(status: .success, runID: 2, result: allDone).json.contains("\"status\": \"succeeded\""))
        XCTAssertTrue(Verdict(status: .success, runID: 2).json.contains("\"status\": \"succeeded\""))
    }

    func testLaunchCheckMismatch() {
        let message = LaunchCheck.mismatch(worldSize: 1, environment: ["OMPI_COMM_WORLD_SIZE": "4"])
        XCTAssertNotNil(message)
        XCTAssertTrue(message?.contains("OMPI_COMM_WORLD_SIZE=4") ?? false, message ?? "")
        XCTAssertNotNil(LaunchCheck.mismatch(worldSize: 1, environment: ["PMI_SIZE": "2"]))
        XCTAssertNotNil(LaunchCheck.mismatch(worldSize: 1, environment: ["PMIX_SIZE": "8"]))
        XCTAssertNil(LaunchCheck.mismatch(worldSize: 1, environment: [:]))
        XCTAssertNil(LaunchCheck.mismatch(worldSize: 1, environment: ["OMPI_COMM_WORLD_SIZE": "1"]))
        XCTAssertNil(LaunchCheck.mismatch(worldSize: 1, environment: ["OMPI_COMM_WORLD_SIZE": "many"]))
        XCTAssertNil(LaunchCheck.mismatch(worldSize: 4, environment: ["OMPI_COMM_WORLD_SIZE": "4"]))
    }

    func testBackoffSpinsThenDoublesUpToTheCap() {
        var backoff = Backoff(spins: 2, firstSleep: 20, maximumSleep: 100)
        XCTAssertEqual((0..<7).map { _ in backoff.nextWait() }, [0, 0, 20, 40, 80, 100, 100])
        backoff.reset()
        XCTAssertEqual((0..<4).map { _ in backoff.nextWait() }, [0, 0, 20, 40])
    }

    /// After `patience` microseconds of sleeping without progress, the sleeps go on doubling
    /// to the idle cap; progress brings back the short ones at once.
    func testBackoffSleepsLongerOnceIdleForAWhile() {
        var backoff = Backoff(spins: 2, firstSleep: 20, maximumSleep: 100, idleMaximumSleep: 400, patience: 300)
        XCTAssertEqual((0..<10).map { _ in backoff.nextWait() }, [0, 0, 20, 40, 80, 100, 100, 200, 400, 400])
        backoff.reset()
        XCTAssertEqual((0..<5).map { _ in backoff.nextWait() }, [0, 0, 20, 40, 80])
    }
}
