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
        // `--slots-per-worker 1`: one task per worker, whatever each host's cores, as counted below.
        let drained = try NetnsCluster.start(["run", "t.txt", "--prefetch", "0", "--slots-per-worker", "1"], ranks: 7,
                                             in: folder)
        XCTAssertTrue(Harness.waitUntil(timeout: 30) { names().filter { $0.hasPrefix("started.") }.count >= 5 })
        drained.signal(SIGUSR1)
        XCTAssertNotNil(drained.wait(timeout: 30))
        XCTAssertEqual(drained.status, 75, Harness.read("mpirun.err", in: folder) ?? "")
        let started = names().filter { $0.hasPrefix("started.") }.count
        XCTAssertEqual(started, names().filter { $0.hasPrefix("finished.") }.count, "a started task did not finish")
        XCTAssertEqual(started, 5, "one task per worker, none after the drain")

        let interrupted = try NetnsCluster.start(["run", "t.txt", "--prefetch", "0", "--slots-per-worker", "1"], ranks: 7,
                                                 in: folder)
        XCTAssertTrue(Harness.waitUntil(timeout: 30) { names().filter { $0.hasPrefix("started.") }.count >= 10 })
        interrupted.signal(SIGTERM)
        XCTAssertNotNil(interrupted.wait(timeout: 30))
        let verdict = try XCTUnwrap(Harness.read("t.txt.taskfarm/verdict.json", in: folder))
        XCTAssertTrue(verdict.contains("\"exitStatus\": 75"), verdict)
        let status = try Harness.run(Harness.taskfarm, ["status", "t.txt"], in: folder)
        XCTAssertTrue(status.stdout.contains("5 interrupted"), status.stdout)
    }

    // MARK: Lost workers

    /// How tfnode3 is lost mid-run.
    private enum Loss { case killed, silent }

    /// 40 tasks of `sleep 2` on 7 ranks under `mpirun --enable-recovery`; once 8 have
    /// started, tfnode3 (ranks 2 and 5) is lost. The farm must find it, run its tasks on the
    /// other hosts, and record every task exactly once, within 60 s of the loss. Returns
    /// `mpirun`, ended or not, and when the loss happened.
    private func runLosingTfnode3(_ loss: Loss, in folder: URL) throws -> (mpirun: ChildProcess, lostAt: Date) {
        let task = #"touch started.$TASKFARM_TASK_INDEX; sleep 2; echo "$TASKFARM_TASK_INDEX $(hostname)" >> ran.log"#
        try Harness.write(Array(repeating: task, count: 40).joined(separator: "\n") + "\n", to: "t.txt", in: folder)
        let run = try NetnsCluster.start(["run", "t.txt", "--joblog", "j.tsv", "--log-level", "notice"], ranks: 7,
                                         in: folder, mpirunOptions: ["--enable-recovery"])
        let started = { ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasPrefix("started.") }.count }
        XCTAssertTrue(Harness.waitUntil(timeout: 60) { started() >= 8 }, "tasks did not start")
        switch loss {
        case .killed: try NetnsCluster.kill("taskfarm", on: "tfnode3")
        case .silent: try NetnsCluster.cut("tfnode3")
        }
        let lostAt = Date()
        let verdictFile = folder.appendingPathComponent("t.txt.taskfarm/verdict.json")
        XCTAssertTrue(Harness.waitUntil(timeout: 60) { FileManager.default.fileExists(atPath: verdictFile.path) },
                      "no verdict within 60 s of the loss: \(Harness.read("mpirun.err", in: folder) ?? "")")
        let seconds = Date().timeIntervalSince(lostAt)
        print("tfnode3 \(loss): the farm ended \(String(format: "%.1f", seconds)) s after the loss")
        let verdict = try XCTUnwrap(Harness.read("t.txt.taskfarm/verdict.json", in: folder))
        XCTAssertTrue(verdict.contains("\"exitStatus\": 0"), verdict)
        XCTAssertTrue(verdict.contains("{\"rank\": 2, \"host\": \"tfnode3\""), verdict)
        XCTAssertTrue(verdict.contains("{\"rank\": 5, \"host\": \"tfnode3\""), verdict)
        let rows = Harness.joblogRows("j.tsv", in: folder)
        XCTAssertEqual(rows.map { Int($0[0])! }.sorted(), Array(1...40), "each task exactly once in the joblog")
        XCTAssertTrue(rows.allSatisfy { $0[6] == "0" && $0[7] == "0" }, "every task succeeded")
        // Rank 0 prints the summary after the verdict (the durable record first).
        _ = Harness.waitUntil(timeout: 10) { (Harness.read("mpirun.out", in: folder) ?? "").contains(" tasks succeeded") }
        let summary = Harness.read("mpirun.out", in: folder) ?? ""
        XCTAssertTrue(summary.contains("40 of 40 tasks succeeded"), summary)
        XCTAssertTrue(summary.contains("2 workers lost: "), summary)  // in the order found
        XCTAssertTrue(summary.contains("rank 2 on tfnode3") && summary.contains("rank 5 on tfnode3"), summary)
        // Tasks that ended on tfnode3 after the loss, unreported, ran again: at most once more.
        let ran = (Harness.read("ran.log", in: folder) ?? "").split(separator: "\n").map { $0.split(separator: " ")[0] }
        XCTAssertEqual(Set(ran).count, 40)
        XCTAssertLessThanOrEqual(ran.count, 40 + 6, "a task lost with tfnode3 ran more than once again")
        return (run, lostAt)
    }

    /// With `--enable-recovery`, every worker process on one host killed mid-run costs only
    /// their tasks, and `mpirun` exits 0 within 60 s of the kill: rank 0 ends the job, since
    /// Open MPI would not learn of both ends on tfnode3 (docs/failures.md).
    func testWithRecoveryAKilledHostCostsOnlyItsTasks() throws {
        let folder = try Harness.temporaryFolder()
        let (run, lostAt) = try runLosingTfnode3(.killed, in: folder)
        defer { if run.isRunning { run.stopGroup() } }
        let ended = run.wait(timeout: max(1, 60 - Date().timeIntervalSince(lostAt)))
        XCTAssertNotNil(ended, "mpirun still up 60 s after the kill: \(Harness.read("mpirun.err", in: folder) ?? "")")
        guard ended != nil else { return }
        print("tfnode3 killed: mpirun exited \(String(format: "%.1f", Date().timeIntervalSince(lostAt))) s after the kill")
        XCTAssertEqual(run.status, 0, Harness.read("mpirun.err", in: folder) ?? "")
    }

    /// With `--enable-recovery`, a host whose link goes down is found the same way. `mpirun`
    /// waits for that host's Open MPI daemon, which never answers (docs/failures.md); if it
    /// ends, it ends with 0.
    func testWithRecoveryASilentHostCostsOnlyItsTasks() throws {
        let folder = try Harness.temporaryFolder()
        let (run, _) = try runLosingTfnode3(.silent, in: folder)
        defer { if run.isRunning { run.stopGroup() } }
        if run.wait(timeout: 10) != nil { XCTAssertEqual(run.status, 0, Harness.read("mpirun.err", in: folder) ?? "") }
    }

    /// Without recovery, mpirun ends the job about a second after a worker dies; rank 0
    /// still leaves a verdict of this run (resumable), and `status` says the run died.
    func testWithoutRecoveryAKilledWorkerLeavesThisRunsVerdict() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write(String(repeating: "touch started.$TASKFARM_TASK_INDEX; sleep 2\n", count: 30), to: "t.txt", in: folder)
        try Harness.write(#"{"runID": 1, "status": "succeeded", "exitStatus": 0}"#, to: "t.txt.taskfarm/verdict.json", in: folder)
        let run = try NetnsCluster.start(["run", "t.txt"], ranks: 7, in: folder)
        defer { if run.isRunning { run.stopGroup() } }
        XCTAssertTrue(Harness.waitUntil(timeout: 60) {
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).contains { $0.hasPrefix("started.") }
        })
        try NetnsCluster.kill("taskfarm", on: "tfnode3")
        XCTAssertNotNil(run.wait(timeout: 60), "mpirun did not end the job")
        XCTAssertNotEqual(run.status, 0)
        let verdict = try XCTUnwrap(Harness.read("t.txt.taskfarm/verdict.json", in: folder))
        XCTAssertTrue(verdict.contains("\"exitStatus\": 75"), "not this run's verdict: \(verdict)")
        XCTAssertTrue(verdict.contains("--enable-recovery"), verdict)
        let status = try Harness.run(Harness.taskfarm, ["status", "t.txt"], in: folder)
        XCTAssertTrue(status.stdout.contains("the last run died"), status.stdout)
        XCTAssertTrue(status.stdout.contains(" 0 running"), status.stdout)
    }

    // MARK: The queue from any node

    /// `serve` over 3 hosts whose hosts files carry Debian's `127.0.1.1 HOSTNAME` line, with
    /// no --listen: the connection file names the name server's reachable address (tfnode2's
    /// 10.200.0.3, never 127.0.1.1), and submit, wait and status work from the login
    /// namespace and from another host.
    func testServeAcrossHostsIsReachableFromTheLoginNodeAndAnotherHost() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try NetnsCluster.start(["serve", "--log-level", "notice"], ranks: 4, in: folder)
        defer { if farm.isRunning { farm.stopGroup() } }
        let connection = folder.appendingPathComponent("taskfarm.connection")
        XCTAssertTrue(Harness.waitUntil(timeout: 60) { FileManager.default.fileExists(atPath: connection.path) },
                      Harness.read("mpirun.err", in: folder) ?? "")
        let file = try XCTUnwrap(Harness.read("taskfarm.connection", in: folder))
        XCTAssertTrue(file.contains("10.200.0.3"), "the connection file names tfnode2's bridge address: \(file)")
        XCTAssertFalse(file.contains("127."), file)

        for (client, index) in [("login", 0), ("tfnode3", 1)] {
            let submitted = try NetnsCluster.on(client, Harness.taskfarm, ["submit", "--", "sh", "-c", "hostname > ran.\(index)"],
                                                in: folder)
            XCTAssertEqual(submitted.stdout, "\(index)\n", "submit from \(client): \(submitted.stderr)")
            let waited = try NetnsCluster.on(client, Harness.taskfarm, ["wait", "\(index)"], in: folder)
            XCTAssertEqual(waited.status, 0, "wait from \(client): \(waited.stdout)\(waited.stderr)")
            let status = try NetnsCluster.on(client, Harness.taskfarm, ["status", "--connect", "taskfarm.connection"], in: folder)
            XCTAssertTrue(status.stdout.contains("\(index + 1) succeeded"), "status from \(client): \(status.stdout)\(status.stderr)")
            XCTAssertEqual(Harness.read("ran.\(index)", in: folder)?.hasPrefix("tfnode"), true)
        }
        XCTAssertEqual(try NetnsCluster.on("login", Harness.taskfarm, ["shutdown"], in: folder).status, 0)
        XCTAssertNotNil(farm.wait(timeout: 30))
    }

    /// `--listen` with a network picks the matching address on each listening rank's host;
    /// a network no host has is a clear error naming the host's addresses.
    func testListenTakesANetworkAndRefusesOneThatNoHostHas() throws {
        let folder = try Harness.temporaryFolder()
        let bad = try NetnsCluster.taskfarm(["serve", "--listen", "10.99.0.0/16"], ranks: 4, in: folder, timeout: 60)
        XCTAssertEqual(bad.status, 64, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("has no address in that network"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("10.200.0."), bad.stderr)

        let farm = try NetnsCluster.start(["serve", "--listen", "10.200.0.0/24"], ranks: 4, in: folder)
        defer { if farm.isRunning { farm.stopGroup() } }
        XCTAssertTrue(Harness.waitUntil(timeout: 60) {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent("taskfarm.connection").path)
        })
        XCTAssertTrue(Harness.read("taskfarm.connection", in: folder)?.contains("10.200.0.3") ?? false)
        XCTAssertEqual(try NetnsCluster.on("login", Harness.taskfarm, ["shutdown"], in: folder).status, 0)
        XCTAssertNotNil(farm.wait(timeout: 30))
    }

    // MARK: Status tells the truth

    /// With prefetch, workers hold queued tasks beyond their slots; `status` shows only the
    /// started ones as running (never more than the 5 slots), each with its real start.
    func testStatusNeverShowsMoreRunningTasksThanSlots() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write(String(repeating: "sleep 1\n", count: 30), to: "t.txt", in: folder)
        // One task per worker (`--slots-per-worker 1`), so that 5 workers bound what runs.
        let run = try NetnsCluster.start(["run", "t.txt", "--prefetch", "2", "--slots-per-worker", "1"], ranks: 7, in: folder)
        defer { if run.isRunning { run.stopGroup() } }
        var most = 0
        var samples = 0
        while run.isRunning, samples < 200 {
            let status = try Harness.run(Harness.taskfarm, ["status", "t.txt"], in: folder)
            if let match = status.stdout.firstMatch(of: /(\d+) running/), let running = Int(match.1) {
                most = max(most, running)
                samples += 1
                let listed = status.stdout.split(separator: "\n").filter { $0.contains("  task ") && $0.contains(" for ") }
                for line in listed {
                    let seconds = Double(line.split(separator: " ").dropLast().last ?? "") ?? 99
                    XCTAssertLessThan(seconds, 2.5, "a 1-second task shown running for longer: \(line)")
                }
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTAssertNotNil(run.wait(timeout: 60))
        XCTAssertEqual(run.status, 0)
        XCTAssertGreaterThan(samples, 5)
        XCTAssertLessThanOrEqual(most, 5, "more tasks shown running than the 5 workers' slots")
        XCTAssertGreaterThan(most, 0)
    }
}
