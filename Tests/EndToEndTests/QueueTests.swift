import Foundation
import TestSupport
import XCTest

/// `taskfarm serve` under a real mpirun, driven from separate client processes through the
/// connection file.
final class QueueServeTests: XCTestCase {
    /// A second farm serving in the same folder replaces the connection file with a
    /// warning, and the first farm, shut down through a saved copy, leaves the second's file.
    func testASecondFarmsConnectionFileSurvivesTheFirstsShutdown() throws {
        let folder = try Harness.temporaryFolder()
        let first = try ServedFarm(in: folder)
        let connection = folder.appendingPathComponent("taskfarm.connection")
        let saved = folder.appendingPathComponent("first.connection")
        try FileManager.default.copyItem(at: connection, to: saved)
        let secondLog = "second.err"
        let second = try Harness.start(["serve", "--listen", "127.0.0.1", "--state-dir", "second.taskfarm"], ranks: 3,
                                       in: folder, stderr: secondLog)
        XCTAssertTrue(Harness.waitUntil(timeout: 60) { (try? Data(contentsOf: connection)) != (try? Data(contentsOf: saved)) },
                      "the second farm writes its own connection file")
        XCTAssertTrue(Harness.read(secondLog, in: folder)?.contains("held the connection of run") == true,
                      Harness.read(secondLog, in: folder) ?? "")
        XCTAssertEqual(try first.client(["shutdown", "--connect", "first.connection"]).status, 0)
        XCTAssertEqual(first.waitForExit(), 0, first.log)
        XCTAssertTrue(FileManager.default.fileExists(atPath: connection.path), "the first farm left the second's file")
        XCTAssertEqual(try first.client(["shutdown"]).status, 0, "the second farm is reached through it")
        XCTAssertEqual(second.wait(timeout: 30), .exited(0))
    }

    /// Serving a queue again after its farm ended without removing its connection file (a
    /// farm whose ranks were killed) replaces that file of the same run without warning that
    /// another farm's was there. The left file is put back by hand: killing ranks races with
    /// the rank that removes it.
    func testServingTheSameQueueAgainReplacesItsOwnLeftConnectionFileQuietly() throws {
        let folder = try Harness.temporaryFolder()
        let first = try ServedFarm(in: folder)
        let connection = folder.appendingPathComponent("taskfarm.connection")
        let left = try Data(contentsOf: connection)
        XCTAssertEqual(try first.client(["shutdown"]).status, 0)
        XCTAssertEqual(first.waitForExit(), 0, first.log)
        try left.write(to: connection)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: connection.path)
        let secondLog = "second.err"
        let second = try Harness.start(["serve", "--listen", "127.0.0.1", "--log-level", "notice"], ranks: 3, in: folder,
                                       stderr: secondLog)
        XCTAssertTrue(Harness.waitUntil(timeout: 60) { (try? Data(contentsOf: connection)).map { $0 != left } == true },
                      Harness.read(secondLog, in: folder) ?? "")
        let log = Harness.read(secondLog, in: folder) ?? ""
        XCTAssertTrue(log.contains("serving run") && log.contains(" again from "), "the same queue, the same run: \(log)")
        XCTAssertFalse(log.contains("held the connection of run"), "the same run's file is no other farm's: \(log)")
        XCTAssertEqual(try first.client(["shutdown"]).status, 0)
        XCTAssertEqual(second.wait(timeout: 30), .exited(0))
    }

    /// `submit --file -` reads the job from standard input, as `run -` and `check -` do and
    /// as sbatch reads a script: a task list, and a Slurm script (run from a spooled copy);
    /// a bad one's message names `<standard input>`, not the copy.
    func testSubmitFileDashReadsTheJobFromStandardInput() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try ServedFarm(in: folder)
        try Harness.write("echo one > one.txt\necho two > two.txt\n", to: "list", in: folder)
        try Harness.write("#!/bin/sh\n#SBATCH --array=0-1\necho s$SLURM_ARRAY_TASK_ID > s$SLURM_ARRAY_TASK_ID.txt\n",
                          to: "s.sh", in: folder)
        try Harness.write("#!/bin/sh\n#SBATCH --array=5-1\ntrue\n", to: "bad.sh", in: folder)
        var environment = Harness.mpiEnvironment
        environment["TF"] = Harness.taskfarm
        func submit(_ file: String) throws -> Harness.Outcome {
            try Harness.run("/bin/sh", ["-c", "\"$TF\" submit --file - < \(file)"], in: folder, environment: environment)
        }
        let listed = try submit("list")
        XCTAssertEqual(listed.stdout, "0-1\n", listed.stderr)
        let script = try submit("s.sh")
        XCTAssertEqual(script.stdout, "2-3\n", script.stderr)
        let waited = try farm.client(["wait", "0-3"])
        XCTAssertEqual(waited.status, 0, waited.stdout + waited.stderr)
        XCTAssertEqual(Harness.read("one.txt", in: folder), "one\n")
        XCTAssertEqual(Harness.read("two.txt", in: folder), "two\n")
        XCTAssertEqual(Harness.read("s0.txt", in: folder), "s0\n")
        XCTAssertEqual(Harness.read("s1.txt", in: folder), "s1\n")
        let bad = try submit("bad.sh")
        XCTAssertEqual(bad.status, 65, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("<standard input>:2"), bad.stderr)
        XCTAssertFalse(bad.stderr.contains("spool"), bad.stderr)
        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)
    }

    /// An empty submission (nothing on standard input, only comments, an empty file) is
    /// refused (65) naming `<standard input>` or the file, and queues nothing; a refused
    /// submission from standard input leaves no spooled copy behind.
    func testAnEmptySubmissionIsRefusedAndARefusedOneLeavesNoSpooledCopy() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try ServedFarm(in: folder)
        try Harness.write("# nothing here\n\n", to: "empty.txt", in: folder)
        try Harness.write("#!/bin/sh\n#SBATCH --array=5-1\ntrue\n", to: "bad.sh", in: folder)
        try Harness.write("echo a\n#TASKFARM BARRIER\necho b\n", to: "barrier.txt", in: folder)
        var environment = Harness.mpiEnvironment
        environment["TF"] = Harness.taskfarm
        func submit(_ redirect: String) throws -> Harness.Outcome {
            try Harness.run("/bin/sh", ["-c", "\"$TF\" submit --file - \(redirect)"], in: folder, environment: environment)
        }
        for redirect in ["< /dev/null", "< empty.txt"] {
            let empty = try submit(redirect)
            XCTAssertEqual(empty.status, 65, "\(redirect): \(empty.stderr)")
            XCTAssertEqual(empty.stdout, "", redirect)
            XCTAssertTrue(empty.stderr.contains("taskfarm submit: <standard input>: no tasks"), empty.stderr)
        }
        let emptyFile = try farm.client(["submit", "--file", "empty.txt"])
        XCTAssertEqual(emptyFile.status, 65, emptyFile.stderr)
        XCTAssertTrue(emptyFile.stderr.contains("taskfarm submit: empty.txt: no tasks"), emptyFile.stderr)
        for redirect in ["< bad.sh", "< barrier.txt"] {
            XCTAssertEqual(try submit(redirect).status, 65, redirect)
        }
        let spool = folder.appendingPathComponent("queue.taskfarm/spool").path
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? [], [],
                       "a refused submission leaves no spooled copy")
        let queued = try Harness.run("/bin/sh", ["-c", "echo true | \"$TF\" submit --file -"], in: folder, environment: environment)
        XCTAssertEqual(queued.stdout, "0\n", "nothing was queued before: \(queued.stderr)")
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? [], [],
                       "a task list's tasks run their own commands: no copy is kept")
        try Harness.write("#!/bin/sh\n#SBATCH --array=1-2\ntrue\n", to: "good.sh", in: folder)
        let script = try Harness.run("/bin/sh", ["-c", "\"$TF\" submit --file - < good.sh"], in: folder, environment: environment)
        XCTAssertEqual(script.stdout, "1-2\n", script.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: spool).count, 1,
                       "a queued script keeps its copy, which its tasks run")
        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)
    }

    /// `submit --file` queues a script as `sbatch` and `qsub` do: its dependencies
    /// (`#SBATCH --dependency`, `#PBS -W depend=`, job numbers as the front ends take them)
    /// hold it beside the command line's `--after`, each cancelling it when its parent
    /// failed; the parser's warnings are printed; nothing the script asked for is dropped.
    func testSubmitFileKeepsAScriptsDependenciesBesideAfterAndPrintsItsWarnings() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try ServedFarm(in: folder)
        XCTAssertEqual(try farm.client(["submit", "--", "sh", "-c", "exit 3"]).stdout, "0\n", farm.log)
        XCTAssertEqual(try farm.client(["submit", "--", "true"]).stdout, "1\n", farm.log)
        XCTAssertEqual(try farm.client(["wait", "0-1"]).status, 1, "task 0 failed, task 1 succeeded")
        // Job 2 is queue id 1 (succeeded): the script's own dependency holds; --after 0 (failed) cancels it.
        try Harness.write("#!/bin/sh\n#SBATCH --dependency=afterok:2\n#SBATCH --array=1-2\n#SBATCH --partition=debug\ntouch ran-slurm\n",
                          to: "dep.sh", in: folder)
        // Job 1 is queue id 0 (failed): the script's dependency cancels it, though --after 1 succeeded.
        try Harness.write("#!/bin/sh\n#PBS -W depend=afterok:1\ntouch ran-pbs\n", to: "dep.pbs", in: folder)
        var environment = Harness.mpiEnvironment
        environment["TF"] = Harness.taskfarm
        let slurm = try Harness.run("/bin/sh", ["-c", "\"$TF\" submit --after 0 --file - < dep.sh"], in: folder,
                                    environment: environment)
        XCTAssertEqual(slurm.stdout, "2-3\n", slurm.stderr)
        XCTAssertTrue(slurm.stderr.contains("warning") && slurm.stderr.contains("--partition"),
                      "the parser's warning is printed: \(slurm.stderr)")
        XCTAssertTrue(slurm.stderr.contains("<standard input>"), slurm.stderr)
        XCTAssertFalse(slurm.stderr.contains("spool"), slurm.stderr)
        let pbs = try farm.client(["submit", "--after", "1", "--file", "dep.pbs"])
        XCTAssertEqual(pbs.stdout, "4\n", pbs.stderr)
        let waited = try farm.client(["wait", "2-4"])
        XCTAssertEqual(waited.status, 1, waited.stdout)
        XCTAssertEqual(waited.stdout.components(separatedBy: "cancelled: parent task 0 failed (afterok)").count - 1, 3,
                       waited.stdout)
        XCTAssertNil(Harness.read("ran-slurm", in: folder))
        XCTAssertNil(Harness.read("ran-pbs", in: folder))
        // A dependency on a job the queue does not have is refused, as sbatch refuses it.
        try Harness.write("#!/bin/sh\n#SBATCH --dependency=afterok:99\ntrue\n", to: "unknown.sh", in: folder)
        let unknown = try farm.client(["submit", "--file", "unknown.sh"])
        XCTAssertEqual(unknown.status, 65, unknown.stdout + unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("99"), unknown.stderr)
        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)
    }

    /// A DAG given to submit is refused (65) for the reason that applies, its dependencies
    /// are not kept in a queue, named by the DAG (its file, or `<standard input>`), never by
    /// one of its nodes' submit files; `--format dag` on a task list says the command line
    /// made it a DAG rather than claim the text holds one.
    func testADAGGivenToSubmitIsRefusedAtTheDAG() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try ServedFarm(in: folder)
        try Harness.write("executable = /bin/true\nqueue\n", to: "node.sub", in: folder)
        let dag = "JOB A node.sub\nJOB B node.sub\nPARENT A CHILD B\n"
        try Harness.write(dag, to: "w.dag", in: folder)
        try Harness.write(dag, to: "w.txt", in: folder)
        try Harness.write("echo hi\n", to: "list.txt", in: folder)
        var environment = Harness.mpiEnvironment
        environment["TF"] = Harness.taskfarm
        let reason = "dependencies inside the file (BARRIER, DAG) are not kept in a queue; split it and use --after"
        for (command, location) in [("\"$TF\" submit --file - < w.dag", "<standard input>: a DAG: "),
                                    ("\"$TF\" submit --file w.dag", "w.dag: a DAG: "),
                                    ("\"$TF\" submit --file w.txt", "w.txt: a DAG: "),
                                    ("\"$TF\" submit --file - --format dag < list.txt",
                                     "<standard input>: --format dag reads it as a DAG: ")] {
            let refused = try Harness.run("/bin/sh", ["-c", command], in: folder, environment: environment)
            XCTAssertEqual(refused.status, 65, "\(command): \(refused.stderr)")
            XCTAssertTrue(refused.stderr.contains("taskfarm submit: \(location)\(reason)"), "\(command): \(refused.stderr)")
            XCTAssertFalse(refused.stderr.contains("node.sub"), "\(command): \(refused.stderr)")
        }
        XCTAssertEqual(try farm.client(["submit", "--", "true"]).stdout, "0\n", "nothing was queued")
        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)
    }

    /// A file of tasks each held by a long --after list, together past the largest request
    /// the farm takes, is refused (65) before it is encoded, saying to submit fewer at a
    /// time, instead of building the whole request in memory first.
    func testAfterListsPastTheLargestRequestAreRefusedBeforeEncoding() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try ServedFarm(in: folder)
        try Harness.write(String(repeating: "true\n", count: 9), to: "nine.txt", in: folder)
        let refused = try farm.client(["submit", "--file", "nine.txt", "--after", "0-999999"], timeout: 30)
        XCTAssertEqual(refused.status, 65, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("9 tasks with their parents (--after) take more than the 16777216 bytes"),
                      refused.stderr)
        XCTAssertTrue(refused.stderr.contains("submit fewer tasks or parents at a time"), refused.stderr)
        XCTAssertEqual(try farm.client(["submit", "--", "true"]).stdout, "0\n", "nothing was queued")
        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)
    }

    /// A Slurm array queued with `submit --file` names its outputs by its job number and
    /// array indexes (`slurm-%A_%a.out`), as `sbatch` does: `slurm-JOB_3.out` holds task 3,
    /// whatever the queue ids are.
    func testSubmitFileNamesASlurmArraysOutputsAsSbatchDoes() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try ServedFarm(in: folder)
        XCTAssertEqual(try farm.client(["submit", "--", "true"]).stdout, "0\n", farm.log)
        try Harness.write("#!/bin/sh\n#SBATCH --array=1-3\necho \"slurm task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_JOB_ID\"\n",
                          to: "array.sh", in: folder)
        let submitted = try farm.client(["submit", "--file", "array.sh"])
        XCTAssertEqual(submitted.stdout, "1-3\n", submitted.stderr)
        XCTAssertEqual(try farm.client(["wait", "1-3"]).status, 0)
        // Job 2: its first task is queue id 1.
        for index in 1...3 {
            XCTAssertEqual(Harness.read("slurm-2_\(index).out", in: folder), "slurm task \(index) of 2\n",
                           "slurm-2_\(index).out")
        }
        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)
    }

    func testSubmitWaitStatusCancelAndShutdownFromAnotherProcess() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try ServedFarm(in: folder)
        var info = stat()
        XCTAssertEqual(stat(folder.appendingPathComponent("taskfarm.connection").path, &info), 0, farm.log)
        XCTAssertEqual(info.st_mode & 0o777, 0o600, "the token is for the owner only")

        XCTAssertEqual(try farm.client(["submit", "--", "echo hi > out.txt"]).stdout, "0\n")
        XCTAssertEqual(try farm.client(["submit", "--name", "long", "--", "sleep", "30"]).stdout, "1\n")
        XCTAssertEqual(try farm.client(["submit", "--after", "1", "--", "touch", "never"]).stdout, "2\n")
        let first = try farm.client(["wait", "0"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stdout, "0 succeeded exit 0\n")
        XCTAssertEqual(Harness.read("out.txt", in: folder), "hi\n")

        let status = try farm.client(["status", "--connect", "taskfarm.connection", "--json"])
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stdout.contains("\"tasks\": 3"), status.stdout)
        XCTAssertTrue(status.stdout.contains("\"succeeded\": 1"), status.stdout)
        XCTAssertTrue(status.stdout.contains("\"inProgress\": true"), status.stdout)
        XCTAssertTrue(status.stdout.contains("\"workers\": [{\"rank\": 2, "), status.stdout)

        let cancelled = try farm.client(["cancel", "1"])
        XCTAssertEqual(cancelled.stdout, "cancelled 1\n", cancelled.stderr)
        let rest = try farm.client(["wait", "1", "2"])
        XCTAssertEqual(rest.status, 1)
        let lines = rest.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, rest.stdout)
        XCTAssertTrue(lines.first?.hasPrefix("1 cancelled") == true, rest.stdout)
        XCTAssertEqual(lines.last, "2 cancelled: parent task 1 was cancelled (afterok)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("never").path))
        // Task 2 was cancelled before it was ever handed out: it never ran, it had no "attempt 0".
        let story = try farm.client(["status", "--connect", "taskfarm.connection", "--task", "2"])
        XCTAssertTrue(story.stdout.contains("\n  never ran: cancelled at "), story.stdout)
        XCTAssertTrue(story.stdout.contains("parent task 1 was cancelled (afterok)"), story.stdout)
        XCTAssertFalse(story.stdout.contains("attempt 0") || story.stdout.contains("stderr:"), story.stdout)
        let noOutput = try farm.client(["output", "--connect", "taskfarm.connection", "2"])
        XCTAssertEqual(noOutput.status, 66, noOutput.stderr)
        XCTAssertTrue(noOutput.stderr.contains("task 2 never ran (cancelled: parent task 1 was cancelled (afterok)), so it wrote no stdout"),
                      noOutput.stderr)
        let listed = try farm.client(["status", "--connect", "taskfarm.connection"])
        XCTAssertTrue(listed.stdout.contains("\n  task 2  never ran  cancelled: parent task 1"), listed.stdout)

        let workers = try farm.client(["name", "list", "worker/"])
        XCTAssertTrue(workers.stdout.hasPrefix("worker/2\trank 2 on "), workers.stdout)
        XCTAssertTrue(try farm.client(["name", "lookup", "broker"]).stdout.hasPrefix("127.0.0.1:"))

        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("taskfarm.connection").path),
                       "the connection file goes with the farm")
        let verdict = Harness.read("queue.taskfarm/verdict.json", in: folder) ?? ""
        XCTAssertTrue(verdict.contains("\"exitStatus\": 0"), verdict)
        XCTAssertTrue(verdict.contains("\"status\": \"shut-down\""), "tasks were cancelled: \(verdict)")
    }

    func testAfterChainsAndAFailedParentAndARestartKeepsTheQueue() throws {
        let folder = try Harness.temporaryFolder()
        var farm = try ServedFarm(in: folder)
        let submit = { (arguments: [String]) throws -> String in
            try farm.client(["submit"] + arguments).stdout.trimmingCharacters(in: .newlines)
        }
        XCTAssertEqual(try submit(["--", "sh -c 'echo a >> chain'"]), "0")
        XCTAssertEqual(try submit(["--after", "0", "--", "sh -c 'echo b >> chain'"]), "1")
        XCTAssertEqual(try submit(["--after", "1", "--", "sh -c 'echo c >> chain'"]), "2")
        XCTAssertEqual(try submit(["--", "sh -c 'exit 4'"]), "3")
        XCTAssertEqual(try submit(["--after", "3", "--", "touch", "e"]), "4")
        XCTAssertEqual(try submit(["--after", "2,4", "--", "touch", "f"]), "5")
        let failed = try farm.client(["wait", "3"])
        XCTAssertEqual(failed.status, 4, "one id: the task's own exit status")
        let all = try farm.client(["wait", "0-5"])
        XCTAssertEqual(all.status, 1)
        XCTAssertEqual(Harness.read("chain", in: folder), "a\nb\nc\n", "parents before children")
        XCTAssertTrue(all.stdout.contains("4 cancelled: parent task 3 failed (afterok)"), all.stdout)
        XCTAssertTrue(all.stdout.contains("5 cancelled: parent task 4 was cancelled (afterok)"), all.stdout)
        XCTAssertEqual(try farm.client(["submit", "--after", "99", "--", "true"]).status, 65, "an unknown parent is refused (EX_DATAERR)")

        // A task interrupted by the shutdown, and its held child, come back with the queue.
        XCTAssertEqual(try submit(["--", "sh -c 'sleep 1; echo slept > slept'"]), "6")
        XCTAssertEqual(try submit(["--after", "6", "--", "sh -c 'cat slept > child'"]), "7")
        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)

        farm = try ServedFarm(in: folder)
        let resumed = try farm.client(["wait", "6", "7"])
        XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr + farm.log)
        XCTAssertEqual(Harness.read("child", in: folder), "slept\n")
        let status = try farm.client(["status", "--connect", "taskfarm.connection"])
        XCTAssertTrue(status.stdout.hasPrefix("run "), status.stdout)
        XCTAssertTrue(status.stdout.contains("8 tasks: 5 succeeded, 1 failed, 0 timed out, 2 cancelled"), status.stdout)
        XCTAssertEqual(try farm.client(["shutdown", "--drain"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)
    }

    func testAWrongTokenAndGarbageAreRefusedAndALookupWaitsForALaterName() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try ServedFarm(in: folder)
        let good = try String(contentsOf: folder.appendingPathComponent("taskfarm.connection"), encoding: .utf8)
        let token = try XCTUnwrap(good.split(separator: "\"").first { $0.count == 64 })
        try Harness.write(good.replacingOccurrences(of: String(token), with: String(repeating: "0", count: 64)),
                          to: "bad.connection", in: folder)
        chmod(folder.appendingPathComponent("bad.connection").path, 0o600)
        let refused = try farm.client(["submit", "--connect", "bad.connection", "--", "touch", "nope"])
        XCTAssertEqual(refused.status, 77, "EX_NOPERM")
        XCTAssertTrue(refused.stderr.contains("refused"), refused.stderr)

        // Garbage, a huge length and a half frame each close only their own connection.
        let broker = try farm.client(["name", "lookup", "broker"]).stdout
        let brokerPort = try XCTUnwrap(Int(broker.split(separator: ":").last?.trimmingCharacters(in: .newlines) ?? ""))
        var random = SystemRandomNumberGenerator()
        for port in [farm.port, brokerPort] {
            send((0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }, port: port)
            send([0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3], port: port)
            send([0, 0, 0, 5] + Array("{\"ve".utf8), port: port)
            send([0, 0, 0, 2] + Array("{}".utf8), port: port)
        }

        let waiter = try ChildProcess(Harness.taskfarm, ["name", "lookup", "--wait", "30", "results/late"], in: folder,
                                      stdout: folder.appendingPathComponent("late.out").path)
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertTrue(waiter.isRunning, "the lookup waits for the name")
        XCTAssertEqual(try farm.client(["name", "register", "results/late", "tcp://node7:5000"]).status, 0)
        XCTAssertEqual(waiter.wait(timeout: 40), .exited(0))
        XCTAssertEqual(Harness.read("late.out", in: folder), "tcp://node7:5000\n")
        XCTAssertEqual(try farm.client(["name", "lookup", "service/absent"]).status, 65)
        // A negative wait was taken as 0; a NaN one could not be sent. Both are usage errors.
        for wait in ["-1", "nan"] {
            let refused = try farm.client(["name", "lookup", "--wait", wait, "results/late"])
            XCTAssertEqual(refused.status, 64, "--wait \(wait): \(refused.stderr)")
            XCTAssertTrue(refused.stderr.contains("expected seconds of 0 or more"), refused.stderr)
        }
        XCTAssertEqual(try farm.client(["name", "register", "broker", "evil:1"]).status, 65, "the broker's entry is the farm's")
        XCTAssertEqual(try farm.client(["name", "lookup", "farm/secret"]).status, 65, "the secret is never shown")

        XCTAssertEqual(try farm.client(["submit", "--", "true"]).stdout, "0\n", "the farm goes on")
        XCTAssertEqual(try farm.client(["wait", "0"]).status, 0)
        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("nope").path))
        XCTAssertTrue(farm.log.contains("wrong or missing token"), farm.log)
    }

    /// `shutdown --drain` lets running tasks finish: a `wait` on one gets its result (0),
    /// whether it was waiting before the drain or asks during it, not "the farm stopped".
    func testAWaitDuringADrainGetsTheTasksEnd() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try ServedFarm(in: folder)
        XCTAssertEqual(try farm.client(["submit", "--", "sleep", "2"]).stdout, "0\n")
        let early = try ChildProcess(Harness.taskfarm, ["wait", "0"], in: folder)
        XCTAssertEqual(try farm.client(["shutdown", "--drain"]).status, 0)
        let late = try farm.client(["wait", "0"])
        XCTAssertEqual(late.status, 0, late.stderr)
        XCTAssertEqual(late.stdout, "0 succeeded exit 0\n")
        if case .exited(let code)? = early.wait(timeout: 30) {
            XCTAssertEqual(code, 0, "the wait begun before the drain")
        } else {
            XCTFail("the wait begun before the drain did not end")
        }
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)
    }

    /// A served task's story and output through the connection file (the broker names its
    /// state folder; the client reads it, as `hq job cat` does), and the exit statuses of a
    /// client's mistakes: 64 for an unknown index, 65 for an id the farm refuses, 69 when no
    /// farm answers.
    func testATasksStoryAndOutputThroughTheConnection() throws {
        let folder = try Harness.temporaryFolder()
        let farm = try ServedFarm(in: folder)
        XCTAssertEqual(try farm.client(["submit", "--", "sh", "-c", "echo hello; echo oops >&2; exit 4"]).stdout, "0\n")
        XCTAssertEqual(try farm.client(["wait", "0"]).status, 4)
        let story = try farm.client(["status", "--connect", "taskfarm.connection", "--task", "0"])
        XCTAssertEqual(story.status, 0, story.stderr)
        XCTAssertTrue(story.stdout.hasPrefix("task 0 (position 0): failed\n"), story.stdout)
        XCTAssertTrue(story.stdout.contains("attempt 1: exit 4 on ") && story.stdout.contains("    | oops"), story.stdout)
        XCTAssertEqual(try farm.client(["output", "--connect", "taskfarm.connection", "0"]).stdout, "hello\n")
        XCTAssertEqual(try farm.client(["output", "--connect", "taskfarm.connection", "0", "--stderr"]).stdout, "oops\n")
        XCTAssertEqual(try farm.client(["status", "--connect", "taskfarm.connection", "--task", "5"]).status, 64)
        XCTAssertEqual(try farm.client(["wait", "7"]).status, 65, "an unknown id is the user's mistake (EX_DATAERR), never 70")
        XCTAssertEqual(try farm.client(["submit", "--", "sleep", "60"]).stdout, "1\n")
        let unknown = try farm.client(["cancel", "1", "3-99"])
        XCTAssertEqual(unknown.status, 65, "as wait: an id the farm does not have")
        XCTAssertTrue(unknown.stderr.contains("no task 3-99: the queue has tasks 0 to 1"), unknown.stderr)
        let untouched = try farm.client(["status", "--connect", "taskfarm.connection", "--task", "1"]).stdout
        XCTAssertFalse(untouched.contains("cancelled"), "a refused cancel cancels nothing: \(untouched)")
        try FileManager.default.copyItem(at: folder.appendingPathComponent("taskfarm.connection"),
                                         to: folder.appendingPathComponent("saved.connection"))
        XCTAssertEqual(try farm.client(["shutdown"]).status, 0)
        XCTAssertEqual(farm.waitForExit(), 0, farm.log)
        XCTAssertEqual(try farm.client(["status", "--connect", "saved.connection"]).status, 69, "no farm reachable")
        XCTAssertEqual(try farm.client(["status", "--connect", "taskfarm.connection"]).status, 69, "no connection file")
        let after = try farm.client(["status", "queue.taskfarm", "--task", "0"])
        XCTAssertTrue(after.stdout.contains("exit 4"), "the story stays in the state folder: \(after.stdout)")
    }

    /// Connects to 127.0.0.1:`port`, writes `bytes`, and closes.
    private func send(_ bytes: [UInt8], port: Int) {
        guard let connection = RawConnection(port: port) else { return XCTFail("the port \(port) is open") }
        connection.write(bytes)
        Thread.sleep(forTimeInterval: 0.1)
    }
}
