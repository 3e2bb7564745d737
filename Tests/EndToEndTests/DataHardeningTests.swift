import Foundation
import JobSpec
import TestSupport
import XCTest

/// Issue 15, replayed against the real `taskfarm`: values that once crashed a worker are
/// refused at the edge; a full disk, a damaged journal header or two quick signals end in a
/// clear error or a resumable run, never in lost history.
final class DataHardeningTests: XCTestCase {
    func testValuesTheFarmCannotRepresentAreRefusedWhereTheyAreWritten() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("true\n", to: "t.txt", in: folder)
        for (option, value) in [("--timeout", "1e13"), ("--timeout", "inf"), ("--timeout", "nan"),
                                ("--kill-grace", "1e300"), ("--retries", "300000"), ("--walltime", "999999d"),
                                ("--slots-per-worker", "9223372036854775807"), ("--prefetch", "9223372036854775807"),
                                // A negative value after a space reaches the range check, as getopt
                                // reads it, instead of "Missing value".
                                ("--retries", "-1"), ("--kill-grace", "-2"), ("--cpus-per-task", "-4"),
                                ("--timeout", "-5"), ("--walltime", "-1"), ("--memory-per-task", "-1G"),
                                ("--rescue-from", "-1"), ("--rescue-from", "0"), ("--rescue-from", "101")] {
            let outcome = try Harness.taskfarm(["run", option, value, "t.txt"], ranks: 1, in: folder)
            XCTAssertEqual(outcome.status, 64, "\(option) \(value): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains(option), outcome.stderr)
        }
        let typed = try Harness.taskfarm(["run", "--timeout", "400d", "t.txt"], ranks: 1, in: folder)
        XCTAssertTrue(typed.stderr.contains("--timeout 400d: expected"), "named as typed: \(typed.stderr)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("t.txt.taskfarm").path),
                       "nothing was started")
        let files = ["slurm.sh": "#!/bin/sh\n#SBATCH --time=999999999999\ntrue\n",
                     "pbs.sh": "#!/bin/sh\n#PBS -l walltime=9999999999999:00:00\ntrue\n",
                     "job.sub": "executable = /bin/true\nallowed_job_duration = 1e300\nqueue\n",
                     "huge.sh": "#!/bin/sh\n#SBATCH --array=0-4294967295\ntrue\n",
                     "j.pbs": "#!/bin/sh\n#PBS -J 0-12147483648:5\ntrue\n"]
        for (name, text) in files {
            try Harness.write(text, to: name, in: folder)
            for command in ["check", "run"] {
                let outcome = try Harness.taskfarm([command, name], ranks: 1, in: folder, timeout: 30)
                XCTAssertEqual(outcome.status, 65, "\(command) \(name): \(outcome.stderr)")
                XCTAssertTrue(outcome.stderr.contains("\(name):2"), "\(command) \(name) names the line: \(outcome.stderr)")
            }
        }
    }

    /// Attack 5: `--retries 300` once retried forever, the attempt number stuck at 256.
    func testThreeHundredRetriesEndAfterThreeHundredAndOneAttempts() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("echo $TASKFARM_TASK_ATTEMPT >> attempts; exit 1\n", to: "t.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "--retries", "300", "t.txt"], ranks: 1, in: folder, timeout: 120)
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        let attempts = Harness.read("attempts", in: folder)?.split(separator: "\n") ?? []
        XCTAssertEqual(attempts.count, 301)
        XCTAssertEqual(attempts.last, "301")
        let status = try Harness.taskfarm(["status", "t.txt"], ranks: 1, in: folder)
        XCTAssertTrue(status.stdout.contains("attempt 301"), status.stdout)
    }

    /// A reader that went away (a closed pipe, as after mpirun's exit) costs the summary
    /// line, not the verdict: writing to it once trapped rank 0.
    func testAClosedStdoutStillLeavesTheVerdict() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("true\n", to: "t.txt", in: folder)
        let outcome = try Harness.run("/bin/sh", ["-c", "\"$0\" run t.txt | true; exit 0", Harness.taskfarm], in: folder)
        XCTAssertFalse(outcome.stderr.contains("Fatal error"), outcome.stderr)
        let verdict = try XCTUnwrap(Harness.read("t.txt.taskfarm/verdict.json", in: folder))
        XCTAssertTrue(verdict.contains("\"exitStatus\": 0"), verdict)
    }

    /// Attack 7: the state folder's file system fills mid-run.
    func testAFullStateFolderStopsTheRunResumableAndTheResumeLosesNothing() throws {
        let folder = try Harness.temporaryFolder()
        let mountPoint = folder.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        guard TinyFilesystem.mount(at: mountPoint.path, size: "64k") else {
            throw XCTSkip("cannot mount a 64 KiB tmpfs here (needs root and mount permission)")
        }
        defer { TinyFilesystem.unmount(mountPoint.path) }
        try Harness.write(String(repeating: "true\n", count: 3000), to: "t.txt", in: folder)
        let arguments = ["run", "--state-dir", "small/state", "--output", "/dev/null", "t.txt"]
        let full = try Harness.taskfarm(arguments, ranks: 1, in: folder, timeout: 300)
        XCTAssertEqual(full.status, 75, full.stderr)
        XCTAssertTrue(full.stderr.contains("No space left on device"), full.stderr)
        XCTAssertFalse(full.stdout.contains("3000 of 3000"), "no success is printed for ends that are not durable: \(full.stdout)")
        let state = mountPoint.appendingPathComponent("state")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: state.path).filter { $0.contains(".tmp.") }
        XCTAssertEqual(leftovers, [])

        XCTAssertTrue(TinyFilesystem.resize(mountPoint.path, size: "8m"))
        let resumed = try Harness.taskfarm(arguments, ranks: 1, in: folder, timeout: 300)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("3000 of 3000 tasks succeeded"), resumed.stdout)
        let status = try Harness.taskfarm(["status", "--json", "small/state"], ranks: 1, in: folder)
        XCTAssertTrue(status.stdout.contains("\"succeeded\": 3000"), status.stdout)
        let verdict = try XCTUnwrap(Harness.read("small/state/verdict.json", in: folder))
        XCTAssertTrue(verdict.contains("\"exitStatus\": 0"), verdict)
        // Every record the resume wrote is read back: at most the one torn record is skipped.
        let again = try Harness.taskfarm(arguments, ranks: 1, in: folder, timeout: 60)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertLessThanOrEqual(again.stderr.components(separatedBy: "skipped an untrustworthy record").count - 1, 1,
                                 again.stderr)
    }

    /// Attack 6: one flipped byte in the journal's header line.
    func testADamagedHeaderNeverRunsEndedTasksAgain() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write(String(repeating: "echo ran >> runs\n", count: 6), to: "t.txt", in: folder)
        XCTAssertEqual(try Harness.taskfarm(["run", "t.txt"], ranks: 1, in: folder).status, 0)
        let journal = folder.appendingPathComponent("t.txt.taskfarm/journal")
        var bytes = try Data(contentsOf: journal)
        bytes[12] ^= 0x01
        try bytes.write(to: journal)

        let rebuilt = try Harness.taskfarm(["run", "t.txt"], ranks: 1, in: folder)
        XCTAssertEqual(rebuilt.status, 0, rebuilt.stderr)
        XCTAssertTrue(rebuilt.stderr.contains("header was damaged; rebuilt"), rebuilt.stderr)
        XCTAssertEqual(Harness.read("runs", in: folder)?.split(separator: "\n").count, 6, "no task ran again")

        try FileManager.default.removeItem(at: folder.appendingPathComponent("t.txt.taskfarm/fingerprints"))
        let refused = try Harness.taskfarm(["run", "t.txt"], ranks: 1, in: folder)
        XCTAssertEqual(refused.status, 65, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("journal:1: the journal's header is damaged"), refused.stderr)
        XCTAssertEqual(Harness.read("runs", in: folder)?.split(separator: "\n").count, 6, "still none ran again")
    }

    /// An emptied, removed or wholly overwritten journal beside a verdict that counts ended
    /// tasks: `status` says so (65) instead of "0 tasks", and `run` refuses to run them again,
    /// leaving the verdict (the evidence) as it was.
    func testAJournalThatLostItsHistoryIsRefusedNotRunAgain() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write(String(repeating: "echo ran >> runs\n", count: 4), to: "t.txt", in: folder)
        XCTAssertEqual(try Harness.taskfarm(["run", "t.txt"], ranks: 1, in: folder).status, 0)
        let verdictBefore = try XCTUnwrap(Harness.read("t.txt.taskfarm/verdict.json", in: folder))
        let lines = try XCTUnwrap(Harness.read("t.txt.taskfarm/journal", in: folder)).split(separator: "\n")
        // Cut short to its header, or to its header and the run's beginning.
        for kept in [1, 2] {
            try Harness.write(lines.prefix(kept).joined(separator: "\n") + "\n", to: "t.txt.taskfarm/journal", in: folder)
            let refused = try Harness.taskfarm(["run", "t.txt"], ranks: 1, in: folder)
            XCTAssertEqual(refused.status, 65, "\(kept) line(s) kept: \(refused.stderr)")
            XCTAssertTrue(refused.stderr.contains("the journal holds 0 ended task(s), but"), refused.stderr)
            XCTAssertEqual(try Harness.taskfarm(["status", "t.txt"], ranks: 1, in: folder).status, 65)
            XCTAssertEqual(Harness.read("runs", in: folder)?.split(separator: "\n").count, 4, "no task ran again")
        }
        for damage in ["", "garbage that is no record\n"] {
            try Harness.write(damage, to: "t.txt.taskfarm/journal", in: folder)
            let status = try Harness.taskfarm(["status", "t.txt"], ranks: 1, in: folder)
            XCTAssertEqual(status.status, 65, status.stdout + status.stderr)
            XCTAssertTrue(status.stderr.contains("verdict.json says run ") && status.stderr.contains("ended 4 task(s)"),
                          status.stderr)
            let refused = try Harness.taskfarm(["run", "t.txt"], ranks: 1, in: folder)
            XCTAssertEqual(refused.status, 65, refused.stderr)
            XCTAssertTrue(refused.stderr.contains("the journal remembers no run"), refused.stderr)
            XCTAssertEqual(Harness.read("runs", in: folder)?.split(separator: "\n").count, 4, "no task ran again")
            XCTAssertEqual(Harness.read("t.txt.taskfarm/verdict.json", in: folder), verdictBefore)
        }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("t.txt.taskfarm/journal"))
        XCTAssertEqual(try Harness.taskfarm(["output", "t.txt", "0"], ranks: 1, in: folder).status, 65)
        let missing = try Harness.taskfarm(["status", "nothing-here.txt"], ranks: 1, in: folder)
        XCTAssertEqual(missing.status, 66)
        XCTAssertTrue(missing.stderr.contains("nothing-here.txt: no such file or folder"), missing.stderr)
    }

    /// Attack 9: SIGINT (or SIGTERM) twice within 0.1 s makes mpirun exit at once.
    func testTwoQuickSignalsStillLeaveAVerdictAndAResumableJournal() throws {
        for signal in [SIGINT, SIGTERM] {
            let folder = try Harness.temporaryFolder()
            let task = #"sh -c 'if [ -e done ]; then exit 0; fi; touch started.$TASKFARM_TASK_INDEX; sleep 600'"#
            try Harness.write("\(task)\n\(task)\n\(task)\n", to: "t.txt", in: folder)
            let run = try Harness.start(["run", "t.txt"], ranks: 3, in: folder)
            XCTAssertTrue(Harness.waitUntil(timeout: 30) {
                FileManager.default.fileExists(atPath: folder.appendingPathComponent("started.0").path)
            })
            run.signal(signal)
            Thread.sleep(forTimeInterval: 0.05)
            run.signal(signal)
            XCTAssertNotNil(run.wait(timeout: 15))
            XCTAssertTrue(Harness.waitUntil(timeout: 5) { Harness.read("t.txt.taskfarm/verdict.json", in: folder) != nil },
                          "signal \(signal): a verdict is written")
            let verdict = try XCTUnwrap(Harness.read("t.txt.taskfarm/verdict.json", in: folder))
            XCTAssertTrue(verdict.contains("\"exitStatus\": 75"), verdict)
            // Let the ranks Open MPI ends after mpirun's exit go before resuming.
            _ = Harness.waitUntil(timeout: 5) { (try? Harness.taskfarm(["status", "t.txt"], ranks: 1, in: folder)) != nil }
            try Harness.write("", to: "done", in: folder)
            var resumed = try Harness.taskfarm(["run", "t.txt"], ranks: 3, in: folder)
            if resumed.status != 0, resumed.stderr.contains("in use") {
                Thread.sleep(forTimeInterval: 3)
                resumed = try Harness.taskfarm(["run", "t.txt"], ranks: 3, in: folder)
            }
            XCTAssertEqual(resumed.status, 0, resumed.stderr)
            XCTAssertTrue(resumed.stdout.contains("3 of 3 tasks succeeded"), resumed.stdout)
        }
    }

    /// The smaller ones: a copied state folder resumes; a missing working folder is named.
    func testACopiedStateFolderResumesAndAMissingFolderIsNamed() throws {
        let folder = try Harness.temporaryFolder()
        let first = folder.appendingPathComponent("a")
        try Harness.write(String(repeating: "echo ran >> runs\n", count: 4), to: "a/t.txt", in: folder)
        XCTAssertEqual(try Harness.taskfarm(["run", "t.txt"], ranks: 1, in: first).status, 0)
        let copy = folder.appendingPathComponent("b")
        try FileManager.default.copyItem(at: first, to: copy)
        let resumed = try Harness.taskfarm(["run", "t.txt"], ranks: 1, in: copy)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("4 succeeded tasks skipped"), resumed.stderr)
        XCTAssertEqual(Harness.read("b/runs", in: folder)?.split(separator: "\n").count, 4)

        try Harness.write("#!/bin/sh\n#SBATCH --chdir=/nonexistent-taskfarm-folder\n#SBATCH -o \(folder.path)/out\ntrue\n",
                          to: "chdir.sh", in: folder)
        let missing = try Harness.taskfarm(["run", "chdir.sh"], ranks: 1, in: folder)
        XCTAssertEqual(missing.status, 1)
        let status = try Harness.taskfarm(["status", "chdir.sh"], ranks: 1, in: folder)
        XCTAssertTrue(status.stdout.contains("the working folder /nonexistent-taskfarm-folder does not exist"), status.stdout)
    }

    /// Attack 2's queue case: a task journaled with `"timeLimit": 1e308` (before submissions
    /// were checked) once crashed every later `serve` of the folder.
    func testAJournaledImpossibleTimeLimitIsCancelledAndTheQueueServes() throws {
        let folder = try Harness.temporaryFolder()
        var bad = TaskSpec(position: 0, arrayIndex: 0, command: .argv(["/bin/true"]), workingDirectory: folder.path,
                           source: SourceLocation(file: "taskfarm submit", line: 0))
        bad.timeLimit = 1e308
        var good = bad
        good.timeLimit = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func json(_ task: TaskSpec) throws -> String {
            String(decoding: try encoder.encode(task), as: UTF8.self).replacingOccurrences(of: "\\", with: "\\\\")
        }
        let journal = [Self.forged("header\t1\t77\t0\tqueue\t(queue)"),
                       Self.forged("submitted\t0\t" + (try json(bad))),
                       Self.forged("submitted\t1\t" + (try json(good)))].joined()
        try Harness.write(journal, to: "queue.taskfarm/journal", in: folder)
        let farm = try Harness.start(["serve", "--listen", "127.0.0.1"], ranks: 3, in: folder, stderr: "serve.err")
        XCTAssertTrue(Harness.waitUntil(timeout: 60) {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent("taskfarm.connection").path)
        }, Harness.read("serve.err", in: folder) ?? "")
        let waited = try Harness.run(Harness.taskfarm, ["wait", "0", "1"], in: folder, timeout: 60)
        let lines = waited.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, waited.stdout + waited.stderr)
        XCTAssertTrue(lines.first?.hasPrefix("0 cancelled") == true, waited.stdout)
        XCTAssertTrue(waited.stdout.contains("timeLimit"), waited.stdout)
        XCTAssertEqual(lines.last, "1 succeeded exit 0")
        let submitted = try Harness.run(Harness.taskfarm, ["submit", "--", "true"], in: folder)
        XCTAssertEqual(submitted.stdout, "2\n", "the queue keeps serving: \(submitted.stderr)")
        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["shutdown"], in: folder).status, 0)
        XCTAssertEqual(farm.wait(timeout: 30), .exited(0), Harness.read("serve.err", in: folder) ?? "")
    }

    /// A journal line with a valid checksum around `text` (CRC-32 as zlib computes it), as
    /// an older version, or an attacker, could have written it.
    static func forged(_ text: String) -> String {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in text.utf8 {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        let hex = String(crc ^ 0xFFFF_FFFF, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex + "\t" + text + "\n"
    }
}
