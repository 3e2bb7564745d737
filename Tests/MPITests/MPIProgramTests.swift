import XCTest

/// Multi-rank tests: the selftest, the examples and the must-fail program under real mpirun.
final class MPIProgramTests: XCTestCase {
    private func selfTest(ranks: Int) throws {
        let outcome = try MPIRunner.run("mpi-selftest", ranks: ranks)
        XCTAssertTrue(outcome.succeeded, "mpi-selftest failed on \(ranks) ranks:\n\(outcome.output)")
        XCTAssertTrue(outcome.output.contains("mpi-selftest: no failures on \(ranks) ranks"), outcome.output)
    }

    func testSelfTestOn2Ranks() throws { try selfTest(ranks: 2) }
    func testSelfTestOn3Ranks() throws { try selfTest(ranks: 3) }
    func testSelfTestOn4Ranks() throws { try selfTest(ranks: 4) }
    func testSelfTestOn7Ranks() throws { try selfTest(ranks: 7) }

    func testRingPassesTheTokenAroundAtEveryRankCount() throws {
        for ranks in [2, 3, 4, 7] {
            let outcome = try MPIRunner.run("mpi-ring", ranks: ranks)
            XCTAssertTrue(outcome.succeeded, outcome.output)
            XCTAssertTrue(outcome.output.contains("ring of \(ranks) ranks: 3 laps, token \(3 * ranks)"), outcome.output)
        }
    }

    func testPiIsAccurateOnFourRanks() throws {
        let outcome = try MPIRunner.run("mpi-pi", ranks: 4, arguments: ["200000"])
        XCTAssertTrue(outcome.succeeded, outcome.output)
        XCTAssertTrue(outcome.output.contains("pi ≈ 3.14159265"), outcome.output)
        XCTAssertTrue(outcome.output.contains("with 200000 intervals on 4 ranks"), outcome.output)
    }

    func testMasterWorkerDoesEveryTaskOnce() throws {
        for ranks in [2, 4] {
            let outcome = try MPIRunner.run("mpi-master-worker", ranks: ranks, arguments: ["250"])
            XCTAssertTrue(outcome.succeeded, outcome.output)
            // 0^2 + ... + 249^2 = 249 * 250 * 499 / 6
            XCTAssertTrue(outcome.output.contains("250 tasks done by \(ranks - 1) workers, sum of squares 5177125"),
                          outcome.output)
        }
    }

    /// A receive from a rank that does not exist must fail with MPI_ERR_RANK and abort the
    /// job, not crash and not hang the ranks waiting on the failed one.
    func testReceiveFromInvalidRankFailsWithRankErrorAndAbortsTheJob() throws {
        for ranks in [2, 4] {
            let outcome = try MPIRunner.run("mpi-must-fail", ranks: ranks, timeout: 60)
            XCTAssertFalse(outcome.succeeded, "mpi-must-fail must fail on \(ranks) ranks:\n\(outcome.output)")
            XCTAssertTrue(outcome.output.contains("caught MPI_ERR_RANK, expected MPI_ERR_RANK: true"), outcome.output)
            XCTAssertTrue(outcome.output.contains("rank \(ranks - 1): MPI_Mprobe failed: MPI_ERR_RANK"), outcome.output)
            XCTAssertTrue(outcome.output.contains("(communicator size \(ranks), valid ranks 0...\(ranks - 1))"), outcome.output)
            // MPI.run aborts with error code 1, which mpirun passes on as its exit status. (mpirun's
            // "MPI_ABORT was invoked" notice is usually printed too, but not reliably under load.)
            XCTAssertEqual(outcome.exitStatus, 1, "exit status is MPI_Abort's error code:\n\(outcome.output)")
            XCTAssertFalse(outcome.output.contains("Fatal error"), "a Swift trap instead of an MPIError:\n\(outcome.output)")
        }
    }

    /// Returning from main without finalize() finalizes (mpirun would otherwise fail the job).
    func testExitWithoutFinalizeStillFinalizes() throws {
        let outcome = try MPIRunner.run("mpi-exit-without-finalize", ranks: 3, arguments: ["clean"])
        XCTAssertTrue(outcome.succeeded, outcome.output)
        XCTAssertTrue(outcome.output.contains("3 ranks leaving without finalize()"), outcome.output)
    }

    /// exit(3) on one rank aborts the job with status 3 rather than hang the ranks waiting on it.
    func testFailingExitAbortsTheJobWithItsStatus() throws {
        let outcome = try MPIRunner.run("mpi-exit-without-finalize", ranks: 3, arguments: ["fail"], timeout: 60)
        XCTAssertEqual(outcome.exitStatus, 3, outcome.output)
    }

    /// Three threads receiving at once at MPI_THREAD_MULTIPLE get every message whole, once.
    func testConcurrentReceivesAtThreadMultipleAreRaceFree() throws {
        for ranks in [2, 4] {
            let outcome = try MPIRunner.run("mpi-threads", ranks: ranks)
            XCTAssertTrue(outcome.succeeded, outcome.output)
            XCTAssertTrue(outcome.output.contains("received all \(60 * (ranks - 1)) messages whole, once each"), outcome.output)
        }
    }
}
