import Foundation
import TestSupport
import XCTest

/// A Swift services program (Examples/queue/Services) under a real mpirun.
final class ServiceTests: XCTestCase {
    private var program: String {
        Harness.packageRoot.appendingPathComponent(".build/debug/queue-services").path
    }

    /// 1,000 calls through the broker, in order and as completed, a service that throws, an
    /// unknown service, a service that calls another, and a lookup that waits; on 4 ranks
    /// and on one (rank 0 serves itself).
    func testTheServicesProgramChecksEveryAnswer() throws {
        let folder = try Harness.temporaryFolder()
        let four = try Harness.run(Harness.mpirun, ["-np", "4", "--oversubscribe", program], in: folder, timeout: 60)
        XCTAssertEqual(four.status, 0, four.stderr)
        XCTAssertTrue(four.stdout.contains("services check passed: 1000 answers in order, 100 as completed, errors typed; offered by ranks [2, 3]"),
                      four.stdout + four.stderr)
        let one = try Harness.run(program, [], in: folder, timeout: 60)
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains("offered by ranks [0]"), one.stdout)
    }

    /// `taskfarm call` from outside: an answer, a typed error, and a shutdown.
    func testTaskfarmCallReachesServedSwiftServices() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try Harness.start(["--serve", "--listen", "127.0.0.1"], ranks: 3, in: folder, program: program)
        let connection = folder.appendingPathComponent("taskfarm.connection").path
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: connection), farm.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let answer = try Harness.run(Harness.taskfarm, ["call", "collatz", "27"], in: folder)
        XCTAssertEqual(answer.stdout, "111\n", answer.stderr)
        let thrown = try Harness.run(Harness.taskfarm, ["call", "divide", "{\"numerator\": 1, \"denominator\": 0}"], in: folder)
        XCTAssertEqual(thrown.status, 65, "the service refused its input (EX_DATAERR): \(thrown.stderr)")
        XCTAssertTrue(thrown.stderr.contains("threw queue_services.DivisionByZero: 1.0 / 0 has no value"), thrown.stderr)
        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["call", "divide", "{\"numerator\": 1, \"denominator\": 8}"], in: folder).stdout,
                       "0.125\n", "the farm goes on after a service threw")
        // Values a service cannot take end the call with an error, never the worker.
        for bad in ["0", "-5", "9223372036854775807"] {
            let refused = try Harness.run(Harness.taskfarm, ["call", "collatz", "--", bad], in: folder)
            XCTAssertEqual(refused.status, 65, "collatz \(bad): \(refused.stderr)")
            XCTAssertTrue(refused.stderr.contains("no stopping time for \(bad)"), refused.stderr)
        }
        let reversed = try Harness.run(Harness.taskfarm, ["call", "collatz-sum", "[5, 1]"], in: folder)
        XCTAssertTrue(reversed.stderr.contains("first <= last"), reversed.stderr)
        let undecodable = try Harness.run(Harness.taskfarm, ["call", "collatz", "\"many\""], in: folder)
        XCTAssertEqual(undecodable.status, 65, "input the service cannot decode: \(undecodable.stderr)")
        // An unknown service is a service unavailable (EX_UNAVAILABLE), not the input's fault.
        let unknown = try Harness.run(Harness.taskfarm, ["call", "no-such-service", "1"], in: folder)
        XCTAssertEqual(unknown.status, 69, unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("no worker offers the service no-such-service"), unknown.stderr)
        // The client commands find the farm through TASKFARM_CONNECTION, as the front ends do.
        try FileManager.default.moveItem(atPath: connection, toPath: folder.appendingPathComponent("moved.connection").path)
        var environment = ProcessInfo.processInfo.environment
        environment["TASKFARM_CONNECTION"] = "moved.connection"
        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["call", "collatz", "27"], in: folder, environment: environment).stdout,
                       "111\n", "the farm goes on after refusing those values")
        try FileManager.default.moveItem(atPath: folder.appendingPathComponent("moved.connection").path, toPath: connection)
        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["shutdown"], in: folder).status, 0)
        XCTAssertEqual(farm.wait(timeout: 30), .exited(0))
    }

    /// A synchronous handler that never returns holds its worker's MPI thread, so that rank
    /// never reads the stop; `taskfarm shutdown` still ends the farm, as `hq server stop`
    /// and `scancel` do: rank 0 waits a few seconds for the stuck ranks, then ends the job.
    func testShutdownEndsTheFarmWhileAServiceHandlerNeverReturns() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try Harness.start(["--serve", "--listen", "127.0.0.1"], ranks: 4, in: folder, program: program,
                                     stderr: "farm.err")
        let connection = folder.appendingPathComponent("taskfarm.connection").path
        XCTAssertTrue(Harness.waitUntil(timeout: 60) { FileManager.default.fileExists(atPath: connection) || !farm.isRunning })
        // One call for each of the two workers, each holding its worker for an hour.
        let calls = try (0..<2).map { _ in
            try ChildProcess(Harness.taskfarm, ["call", "hold", "3600"], in: folder, environment: Harness.mpiEnvironment)
        }
        Thread.sleep(forTimeInterval: 1)  // for the calls to reach the workers
        XCTAssertTrue(calls.allSatisfy(\.isRunning), "the calls are held")
        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["shutdown"], in: folder).status, 0)
        let ended = farm.wait(timeout: 60)
        XCTAssertEqual(ended, .exited(0), "mpirun stayed up after the shutdown: " + (Harness.read("farm.err", in: folder) ?? ""))
        XCTAssertTrue(Harness.read("farm.err", in: folder)?.contains("a rank is still busy") == true,
                      "the stuck worker was what ended the job: " + (Harness.read("farm.err", in: folder) ?? ""))
        for call in calls { XCTAssertEqual(call.wait(timeout: 30), .exited(69), "the held call is told the farm stopped (unavailable, 69)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: connection))
    }
}
