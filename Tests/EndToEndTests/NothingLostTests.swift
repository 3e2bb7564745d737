import Foundation
import TestSupport
import XCTest

/// The nothing-lost promise: journal, resume, signals, timeouts, retries, walltime.
final class NothingLostTests: XCTestCase {
    private func lines(_ name: String, in folder: URL) -> [String] {
        (Harness.read(name, in: folder) ?? "").split(separator: "\n").map(String.init)
    }

    /// kill -9 of mpirun at about half of 2,000 tasks, then a resume: every task ends with a
    /// success and intact output, and only the bounded window runs twice.
    func testKillNineThenResumeLosesNothing() throws {
        let folder = try Harness.temporaryFolder()
        // Each task sleeps a little, so that the kill lands mid-run even on a loaded machine.
        let tasks = (0..<2000).map { _ in "echo task-$TASKFARM_TASK_INDEX; echo $TASKFARM_TASK_INDEX >> ran.log; sleep 0.01" }
        try Harness.write(tasks.joined(separator: "\n") + "\n", to: "t.txt", in: folder)
        let first = try Harness.start(["run", "t.txt", "--output", "o/%a.out"], ranks: 4, in: folder)
        XCTAssertTrue(Harness.waitUntil(timeout: 60) { lines("ran.log", in: folder).count >= 600 })
        first.signal(SIGKILL)
        first.wait(timeout: 10)
        // mpirun's daemons take the ranks down with them; wait until none is left.
        XCTAssertTrue(Harness.waitUntil(timeout: 10) { (try? Harness.run("/usr/bin/pgrep", ["-f", "\(Harness.taskfarm) run t.txt"], in: folder))?.status == 1 })
        let ranBefore = lines("ran.log", in: folder).count
        XCTAssertLessThan(ranBefore, 2000, "the kill came too late to test anything")

        let resumed = try Harness.taskfarm(["run", "t.txt", "--output", "o/%a.out"], ranks: 4, in: folder)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("2000 of 2000 tasks succeeded"), resumed.stdout)
        let ran = lines("ran.log", in: folder)
        XCTAssertEqual(Set(ran), Set((0..<2000).map(String.init)), "some task never ran")
        let repeats = ran.count - 2000
        // Bound: the running tasks (2 workers × (1 + prefetch 2)) plus one journal batch (256).
        XCTAssertLessThanOrEqual(repeats, 6 + 256, "\(repeats) tasks ran twice")
        for index in stride(from: 0, to: 2000, by: 37) {
            XCTAssertEqual(Harness.read("o/\(index).out", in: folder), "task-\(index)\n")
        }
        let status = try Harness.run(Harness.taskfarm, ["status", "t.txt", "--json"], in: folder)
        XCTAssertTrue(status.stdout.contains("\"succeeded\": 2000"), status.stdout)
    }

    /// SIGTERM to mpirun: tasks get SIGTERM at once, record their own exit status, and
    /// run again on resume.
    func testSIGTERMIsForwardedRecordedAndResumed() throws {
        let folder = try Harness.temporaryFolder()
        let task = #"sh -c 'if [ -e done ]; then exit 0; fi; trap "echo TERM >&2; exit 3" TERM; touch started.$TASKFARM_TASK_INDEX; sleep 600 & wait'"#
        try Harness.write("\(task)\n\(task)\n", to: "t.txt", in: folder)
        let run = try Harness.start(["run", "t.txt"], ranks: 4, in: folder)
        XCTAssertTrue(Harness.waitUntil(timeout: 30) {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent("started.0").path)
                && FileManager.default.fileExists(atPath: folder.appendingPathComponent("started.1").path)
        })
        run.signal(SIGTERM)
        XCTAssertNotNil(run.wait(timeout: 15))
        for index in 0..<2 {
            XCTAssertEqual(Harness.read("t.txt.taskfarm/output/\(index).err", in: folder), "TERM\n")
        }
        let verdict = try XCTUnwrap(Harness.read("t.txt.taskfarm/verdict.json", in: folder))
        XCTAssertTrue(verdict.contains("\"exitStatus\": 75"), verdict)
        let journal = try XCTUnwrap(Harness.read("t.txt.taskfarm/journal", in: folder))
        let ends = journal.split(separator: "\n").filter { $0.contains("\tended\t") }
        XCTAssertEqual(ends.count, 2)
        for end in ends {
            let fields = end.split(separator: "\t", omittingEmptySubsequences: false)
            XCTAssertEqual(fields[4], "6", "state interrupted: \(end)")
            XCTAssertEqual(fields[6], "3", "exit code 3 recorded: \(end)")
        }
        try Harness.write("", to: "done", in: folder)
        let resumed = try Harness.taskfarm(["run", "t.txt"], ranks: 3, in: folder)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("2 of 2 tasks succeeded"), resumed.stdout)
    }

    /// SIGUSR1 to mpirun: running tasks finish, no new ones start, and the run exits 75
    /// on its own; no rank dies of the signal.
    func testSIGUSR1DrainsAndExits75() throws {
        let folder = try Harness.temporaryFolder()
        let tasks = (0..<10).map { _ in "touch started.$TASKFARM_TASK_INDEX; sleep 2; touch finished.$TASKFARM_TASK_INDEX" }
        try Harness.write(tasks.joined(separator: "\n") + "\n", to: "t.txt", in: folder)
        let run = try Harness.start(["run", "t.txt", "--prefetch", "0"], ranks: 4, in: folder)
        XCTAssertTrue(Harness.waitUntil(timeout: 30) { FileManager.default.fileExists(atPath: folder.appendingPathComponent("started.0").path) })
        run.signal(SIGUSR1)
        XCTAssertNotNil(run.wait(timeout: 30))
        XCTAssertEqual(run.status, 75)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let started = names.filter { $0.hasPrefix("started.") }.count
        let finished = names.filter { $0.hasPrefix("finished.") }.count
        XCTAssertEqual(started, finished, "a started task did not finish: \(names)")
        XCTAssertLessThan(started, 10)
        let verdict = try XCTUnwrap(Harness.read("t.txt.taskfarm/verdict.json", in: folder))
        XCTAssertTrue(verdict.contains("\"status\": \"interrupted\""), verdict)
    }

    /// A timeout kills the task's whole process group: no grandchild survives, and the
    /// joblog says -1 and 15.
    func testTimeoutKillsGrandchildren() throws {
        let folder = try Harness.temporaryFolder()
        let marker = 800_000 + Int.random(in: 0..<99_999)
        try Harness.write("sh -c 'sleep \(marker) & sleep \(marker + 1)'\ntrue\n", to: "t.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "t.txt", "--timeout", "1", "--kill-grace", "0.5", "--joblog", "j.tsv"],
                                           ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        let rows = Harness.joblogRows("j.tsv", in: folder).sorted { Int($0[0])! < Int($1[0])! }
        XCTAssertEqual(rows.map { [$0[6], $0[7]] }, [["-1", "15"], ["0", "0"]])
        let survivors = try Harness.run("/usr/bin/pgrep", ["-f", "^sleep \(marker)"], in: folder)
        XCTAssertEqual(survivors.status, 1, "survivors: \(survivors.stdout)")
        let status = try Harness.run(Harness.taskfarm, ["status", "t.txt"], in: folder)
        XCTAssertTrue(status.stdout.contains("1 timed out"), status.stdout)
    }

    /// --retries 2 tries a failing task 3 times; --retry-unless-exit stops at that code;
    /// a signal death is retried.
    func testRetriesWithUnlessExit() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("""
            echo a >> tries.fail; exit 1
            echo b >> tries.42; exit 42
            echo c >> tries.signal; kill -9 $$
            """, to: "t.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "t.txt", "--retries", "2", "--retry-unless-exit", "42", "--joblog", "j.tsv"],
                                           ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 1)
        XCTAssertEqual(lines("tries.fail", in: folder).count, 3)
        XCTAssertEqual(lines("tries.42", in: folder).count, 1)
        XCTAssertEqual(lines("tries.signal", in: folder).count, 3)
        XCTAssertEqual(Harness.joblogRows("j.tsv", in: folder).count, 3, "one joblog row per task, its last attempt")
    }

    /// A 20 s walltime with 3 s tasks: tasks that cannot finish do not start, and the run
    /// drains and exits 75 before the walltime.
    func testWalltimeDrainsBeforeTheEnd() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write(String(repeating: "sleep 3; echo done >> finished.log\n", count: 20), to: "t.txt", in: folder)
        let began = Date()
        let outcome = try Harness.taskfarm(["run", "t.txt", "--walltime", "20"], ranks: 4, in: folder, timeout: 60)
        let elapsed = Date().timeIntervalSince(began)
        XCTAssertEqual(outcome.status, 75, outcome.stderr)
        XCTAssertLessThan(elapsed, 20, "the farm must end before its walltime")
        let finished = lines("finished.log", in: folder).count
        XCTAssertGreaterThan(finished, 0)
        XCTAssertLessThan(finished, 20)
        let journal = try XCTUnwrap(Harness.read("t.txt.taskfarm/journal", in: folder))
        let killed = journal.split(separator: "\n").filter { $0.contains("\tended\t") && $0.split(separator: "\t")[4] == "6" && $0.split(separator: "\t").count > 6 && $0.split(separator: "\t", omittingEmptySubsequences: false)[7] != "" }
        XCTAssertTrue(killed.isEmpty, "a task was killed by the walltime instead of not starting: \(killed)")
        let resumed = try Harness.taskfarm(["run", "t.txt"], ranks: 4, in: folder, timeout: 60)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(lines("finished.log", in: folder).count, 20)
    }

    /// A worker rank killed mid-run aborts the job (Open MPI 4.1 has no fault tolerance);
    /// a resume finishes every task.
    func testADyingWorkerRankThenResume() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write(String(repeating: "sleep 0.2; echo $TASKFARM_TASK_INDEX >> ran.log\n", count: 40), to: "t.txt", in: folder)
        let run = try Harness.start(["run", "t.txt"], ranks: 4, in: folder)
        XCTAssertTrue(Harness.waitUntil(timeout: 30) { lines("ran.log", in: folder).count >= 6 })
        let workers = try Harness.run("/usr/bin/pgrep", ["-f", "-n", "\(Harness.taskfarm) run t.txt"], in: folder)
        let pid = try XCTUnwrap(pid_t(workers.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(pid, SIGKILL)
        XCTAssertNotNil(run.wait(timeout: 30), "mpirun did not end after a rank died")
        XCTAssertTrue(Harness.waitUntil(timeout: 10) { (try? Harness.run("/usr/bin/pgrep", ["-f", "\(Harness.taskfarm) run t.txt"], in: folder))?.status == 1 })
        let resumed = try Harness.taskfarm(["run", "t.txt"], ranks: 4, in: folder, timeout: 60)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(Set(lines("ran.log", in: folder)), Set((0..<40).map(String.init)))
    }

    /// Different expanded tasks are refused on resume, naming what changed; --force runs
    /// only the changed ones.
    func testChangedTasksAreRefusedOnResume() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("echo 0 >> ran.log\necho 1 >> ran.log\necho 2 >> ran.log\n", to: "t.txt", in: folder)
        XCTAssertEqual(try Harness.taskfarm(["run", "t.txt"], ranks: 1, in: folder).status, 0)
        try Harness.write("echo 0 >> ran.log\necho one >> ran.log\necho 2 >> ran.log\necho 3 >> ran.log\n", to: "t.txt", in: folder)
        let refused = try Harness.taskfarm(["run", "t.txt"], ranks: 3, in: folder)
        XCTAssertEqual(refused.status, 65)
        XCTAssertTrue(refused.stderr.contains("1 task changed (position 1)"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("1 added"), refused.stderr)
        // Sorted: one rank runs as many tasks at once as its host has cores, in any order.
        XCTAssertEqual(lines("ran.log", in: folder).sorted(), ["0", "1", "2"], "nothing may run when the resume is refused")
        let forced = try Harness.taskfarm(["run", "t.txt", "--force"], ranks: 3, in: folder)
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertEqual(lines("ran.log", in: folder).sorted(), ["0", "1", "2", "3", "one"])
    }

    /// A second run on a state folder in use is refused, naming the holder.
    func testTheStateFolderIsLocked() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("sleep 5\n", to: "t.txt", in: folder)
        let first = try Harness.start(["run", "t.txt"], ranks: 3, in: folder)
        XCTAssertTrue(Harness.waitUntil(timeout: 20) { (Harness.read("t.txt.taskfarm/lock", in: folder) ?? "").contains("pid") })
        let second = try Harness.taskfarm(["run", "t.txt"], ranks: 1, in: folder)
        XCTAssertEqual(second.status, 75, "EX_TEMPFAIL: try again when the other run has ended")
        XCTAssertTrue(second.stderr.contains("in use by pid"), second.stderr)
        XCTAssertNotNil(first.wait(timeout: 30))
        XCTAssertEqual(first.status, 0)
    }
}
