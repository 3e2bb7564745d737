import Foundation
import TestSupport
import XCTest

/// The farm across three hosts of the namespace cluster (``NetnsCluster``): Open MPI over
/// TCP between network namespaces, each host with its own name and Debian-style hosts file.
/// With 7 ranks mapped by node, tfnode1 holds ranks 0 (scheduler), 3 and 6, tfnode2 ranks 1
/// (name server) and 4, tfnode3 ranks 2 and 5.
final class MultiHostTests: XCTestCase {
    override func setUpWithError() throws { try NetnsCluster.up() }
    override func tearDown() { NetnsCluster.down() }

    private func lines(_ name: String, in folder: URL) -> [String] {
        (Harness.read(name, in: folder) ?? "").split(separator: "\n").map(String.init)
    }

    /// 60 tasks on 7 ranks over 3 hosts: each runs exactly once, on the host that
    /// TASKFARM_WORKER_HOST and the joblog's Host column name.
    func testSixtyTasksRunOnceEachOnTheHostTheyName() throws {
        let folder = try Harness.temporaryFolder()
        let task = #"echo "$TASKFARM_TASK_INDEX $TASKFARM_WORKER_HOST $(hostname)" >> ran.log"#
        try Harness.write(Array(repeating: task, count: 60).joined(separator: "\n") + "\n", to: "t.txt", in: folder)
        let outcome = try NetnsCluster.taskfarm(["run", "t.txt", "--joblog", "j.tsv"], ranks: 7, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let ran = lines("ran.log", in: folder).map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(ran.map { Int($0[0])! }.sorted(), Array(0..<60), "each task once")
        var hostOf: [Int: String] = [:]
        for fields in ran {
            XCTAssertEqual(fields[1], fields[2], "TASKFARM_WORKER_HOST names the host the task ran on")
            hostOf[Int(fields[0])!] = fields[2]
        }
        XCTAssertEqual(Set(hostOf.values), ["tfnode1", "tfnode2", "tfnode3"], "every host ran tasks")
        let rows = Harness.joblogRows("j.tsv", in: folder)
        XCTAssertEqual(rows.count, 60)
        for row in rows {
            XCTAssertEqual(row[1], hostOf[Int(row[0])! - 1], "joblog Host of seq \(row[0])")
        }
    }

    /// `requirements` on `Machine` picks the host: every task runs on tfnode3.
    func testRequirementsOnMachineChooseTheHost() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("""
            executable = /bin/sh
            arguments = "-c 'hostname >> ran.log'"
            requirements = (Machine == "tfnode3")
            queue 8
            """, to: "job.sub", in: folder)
        let outcome = try NetnsCluster.taskfarm(["run", "job.sub"], ranks: 7, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(lines("ran.log", in: folder), Array(repeating: "tfnode3", count: 8))
    }

    /// SIGUSR1 to mpirun drains on every host: running tasks finish, none starts after,
    /// and the run exits 75; SIGTERM then interrupts a resumed run on every host, which
    /// records each running task as interrupted with a verdict of this run.
    func testSignalsReachEveryHost() throws {
        let folder = try Harness.temporaryFolder()
        let task = "touch started.$TASKFARM_TASK_INDEX; sleep 3; touch finished.$TASKFARM_TASK_INDEX"
        try Harness.write(Array(repeating: task, count: 30).joined(separator: "\n") + "\n", to: "t.txt", in: folder)
        let names = { (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] }
        let drained = try NetnsCluster.start(["run", "t.txt", "--prefetch", "0"], ranks: 7, in: folder)
        XCTAssertTrue(Harness.waitUntil(timeout: 30) { names().filter { $0.hasPrefix("started.") }.count >= 5 })
        drained.signal(SIGUSR1)
        XCTAssertNotNil(drained.wait(timeout: 30))
        XCTAssertEqual(drained.status, 75, Harness.read("mpirun.err", in: folder) ?? "")
        let started = names().filter { $0.hasPrefix("started.") }.count
        XCTAssertEqual(started, names().filter { $0.hasPrefix("finished.") }.count, "a started task did not finish")
        XCTAssertEqual(started, 5, "one task per worker, none after the drain")

        let interrupted = try NetnsCluster.start(["run", "t.txt", "--prefetch", "0"], ranks: 7, in: folder)
        XCTAssertTrue(Harness.waitUntil(timeout: 30) { names().filter { $0.hasPrefix("started.") }.count >= 10 })
        interrupted.signal(SIGTERM)
        XCTAssertNotNil(interrupted.wait(timeout: 30))
        let verdict = try XCTUnwrap(Harness.read("t.txt.taskfarm/verdict.json", in: folder))
        XCTAssertTrue(verdict.contains("\"exitStatus\": 75"), verdict)
        let status = try Harness.run(Harness.taskfarm, ["status", "t.txt"], in: folder)
        XCTAssertTrue(status.stdout.contains("5 interrupted"), status.stdout)
    }
}
