import Foundation
import XCTest

/// The exit statuses of the README's table, and bad input that must run nothing.
final class ExitStatusTests: XCTestCase {
    func testAFailingTaskGivesStatusOneAndNamesIt() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("true\nexit 3\ntrue\nkill -9 $$\n", to: "t.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "t.txt", "--joblog", "j.tsv"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stdout.contains("2 of 4 tasks succeeded, 2 failed; first failures at index 1, 3"), outcome.stdout)
        let rows = Harness.joblogRows("j.tsv", in: folder).sorted { Int($0[0])! < Int($1[0])! }
        XCTAssertEqual(rows.map { [$0[6], $0[7]] }, [["0", "0"], ["3", "0"], ["0", "0"], ["0", "9"]])
        let verdict = try XCTUnwrap(Harness.read("t.txt.taskfarm/verdict.json", in: folder))
        XCTAssertTrue(verdict.contains("\"status\": \"failed\""), verdict)
        XCTAssertTrue(verdict.contains("\"exitStatus\": 1"), verdict)
    }

    func testAMissingFileIsABadJobFileAndRunsNothing() throws {
        let folder = try Harness.temporaryFolder()
        let outcome = try Harness.taskfarm(["run", "nope.txt"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 65)
        XCTAssertTrue(outcome.stderr.contains("nope.txt: error: no such file"), outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("nope.txt.taskfarm").path),
                       "a mistyped name leaves no state folder")
    }

    func testADirectoryIsABadJobFile() throws {
        let folder = try Harness.temporaryFolder()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("dir"), withIntermediateDirectories: true)
        let outcome = try Harness.taskfarm(["run", "dir"], ranks: 1, in: folder)
        XCTAssertEqual(outcome.status, 65)
        XCTAssertTrue(outcome.stderr.contains("dir: is a directory"), outcome.stderr)
    }

    func testAnEmptyListWarnsAndSucceeds() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("# only a comment\n\n", to: "empty.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "empty.txt"], ranks: 4, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("no tasks"), outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("0 of 0 tasks succeeded"), outcome.stdout)
    }

    func testAnOutputPatternWithoutATaskLetterIsAUsageError() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("touch ran\n", to: "t.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "t.txt", "--output", "all.log"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 64)
        XCTAssertTrue(outcome.stderr.contains("names one file for every task"), outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("ran").path))
    }

    /// `status`, `output` and `report` of a folder that holds no journal name the folder and
    /// exit EX_NOINPUT (66): the input is missing, the command line was right.
    func testObservingAFolderWithoutAJournalIsAMissingInput() throws {
        let folder = try Harness.temporaryFolder()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("empty"), withIntermediateDirectories: true)
        for arguments in [["status", "empty"], ["status", "empty", "--task", "1"], ["output", "empty", "1"],
                          ["report", "empty", "-o", "r.html"]] {
            let outcome = try Harness.run(Harness.taskfarm, arguments, in: folder)
            XCTAssertEqual(outcome.status, 66, "\(arguments): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains("empty: no journal here"), "\(arguments): \(outcome.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("r.html").path))
    }

    /// `check -` of a script names `<standard input>` in its error and its warnings, at the
    /// script's line, never the copy in `stdin.taskfarm/` that `run -` would keep (and that
    /// the user never named).
    func testCheckOfAScriptOnStandardInputNamesStandardInputNotItsCopy() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("#!/bin/sh\n#SBATCH --array=1-2\n#SBATCH --partition=debug\n#SBATCH --mem=abc\necho hi\n",
                          to: "bad.sh", in: folder)
        try Harness.write("#!/bin/sh\n#SBATCH --array=1-2\n#SBATCH --partition=debug\necho hi\n", to: "warned.sh", in: folder)
        let bad = try Harness.run("/bin/sh", ["-c", "\"$0\" check - < bad.sh", Harness.taskfarm], in: folder)
        XCTAssertEqual(bad.status, 65, bad.stderr)
        XCTAssertTrue(bad.stderr.hasPrefix("<standard input>:4:"), bad.stderr)
        XCTAssertFalse(bad.stderr.contains("stdin.taskfarm"), bad.stderr)
        let warned = try Harness.run("/bin/sh", ["-c", "\"$0\" check - < warned.sh", Harness.taskfarm], in: folder)
        XCTAssertEqual(warned.status, 0, warned.stderr)
        XCTAssertTrue(warned.stderr.hasPrefix("<standard input>:3:") && warned.stderr.contains("warning"), warned.stderr)
        XCTAssertFalse(warned.stderr.contains("stdin.taskfarm"), warned.stderr)
    }

    /// An option that does not fit the job file is a usage error (64), and `check -` shows a
    /// Slurm script on standard input as `run -` runs it: as a Slurm array.
    func testCheckOfStandardInputAndOptionsThatDoNotFit() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("executable = /bin/true\nqueue 2\n", to: "j.sub", in: folder)
        try Harness.write("#!/bin/sh\n#SBATCH --array=1-3\necho $SLURM_ARRAY_TASK_ID\n", to: "s.sh", in: folder)
        let cores = try Harness.run(Harness.taskfarm, ["check", "j.sub", "--cpus-per-task", "2"], in: folder)
        XCTAssertEqual(cores.status, 64, cores.stderr)
        XCTAssertTrue(cores.stderr.contains("j.sub is a submit file"), cores.stderr)
        let both = try Harness.run(Harness.taskfarm, ["check", "j.sub", "--dot", "--json"], in: folder)
        XCTAssertEqual(both.status, 64, "one listing or the other: \(both.stderr)")
        for (command, option) in [("run", ["--rescue-from", "2"]), ("check", ["--rescue-from", "2"]), ("check", ["--dot"])] {
            let ignored = try Harness.run(Harness.taskfarm, [command, "j.sub"] + option, in: folder)
            XCTAssertEqual(ignored.status, 64, "\(command) \(option) would be ignored: \(ignored.stderr)")
            XCTAssertTrue(ignored.stderr.contains("j.sub is not a DAG"), ignored.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("j.sub.taskfarm/journal").path),
                       "a refused run runs nothing")
        let piped = try Harness.run("/bin/sh", ["-c", "\"$0\" check - < s.sh", Harness.taskfarm], in: folder)
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertTrue(piped.stdout.contains(": 3 tasks"), piped.stdout)
        XCTAssertTrue(piped.stdout.contains("SLURM_ARRAY_TASK_ID=3"), piped.stdout)
        let pipedList = try Harness.run("/bin/sh", ["-c", "echo true | \"$0\" check - --array 1-3", Harness.taskfarm], in: folder)
        XCTAssertEqual(pipedList.status, 64, pipedList.stderr)
        XCTAssertTrue(pipedList.stderr.contains("<standard input> is a tasklist file"),
                      "named as the user gave it, not by the state folder's copy: \(pipedList.stderr)")
        let dag = try Harness.run("/bin/sh", ["-c", "printf 'JOB A a.sub\\nJOB B b.sub\\nPARENT A CHILD B\\n' | \"$0\" check -",
                                              Harness.taskfarm], in: folder)
        XCTAssertEqual(dag.status, 64, dag.stderr)
        XCTAssertTrue(dag.stderr.contains("give the DAG file's path"), dag.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("stdin.taskfarm").path),
                       "check makes no state folder")
        let ranDAG = try Harness.run("/bin/sh", ["-c", "printf 'JOB A a.sub\\nJOB B b.sub\\nPARENT A CHILD B\\n' | \"$0\" run -",
                                                 Harness.taskfarm], in: folder)
        XCTAssertEqual(ranDAG.status, 64, "run - refuses a DAG as check - does: \(ranDAG.stderr)")
        XCTAssertTrue(ranDAG.stderr.contains("give the DAG file's path"), ranDAG.stderr)
        let forced = try Harness.run("/bin/sh", ["-c", "echo true | \"$0\" check - --format dag", Harness.taskfarm], in: folder)
        XCTAssertEqual(forced.status, 64, forced.stderr)
        XCTAssertTrue(forced.stderr.contains("--format dag reads <standard input> as a DAG"),
                      "a task list is not said to hold a DAG: \(forced.stderr)")
    }

    func testABadOptionIsAUsageError() throws {
        let folder = try Harness.temporaryFolder()
        let outcome = try Harness.taskfarm(["run", "t.txt", "--slots-per-worker", "0"], ranks: 1, in: folder)
        XCTAssertEqual(outcome.status, 64)
    }

    /// An id list checked while a client command runs (not while parsing) is still that
    /// subcommand's usage error: its own usage line, not the root's `taskfarm <subcommand>`,
    /// and before any farm is looked for.
    func testABadTaskIDShowsTheSubcommandsUsage() throws {
        let folder = try Harness.temporaryFolder()
        for (arguments, usage) in [(["cancel", "abc"], "Usage: taskfarm cancel "), (["wait", "1,x"], "Usage: taskfarm wait "),
                                   (["submit", "--after", "zz", "--", "true"], "Usage: taskfarm submit ")] {
            let outcome = try Harness.run(Harness.taskfarm, arguments, in: folder)
            XCTAssertEqual(outcome.status, 64, "\(arguments): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains("is not a task id; expected N, N,M or N-M"), "\(arguments): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains(usage), "\(arguments): \(outcome.stderr)")
            XCTAssertFalse(outcome.stderr.contains("<subcommand>"), "\(arguments): \(outcome.stderr)")
            let command = arguments[0]
            XCTAssertTrue(outcome.stderr.contains("See 'taskfarm \(command) --help'"), "\(arguments): \(outcome.stderr)")
        }
    }

    /// Task id ranges are refused when read, before any farm is asked and before one id of
    /// them is made: a range past the most ids a job array may have (1,000,000), one whose
    /// width overflows, and a reversed one, each a usage error (64) naming the range. Before,
    /// cancel 0-300000000 ran out of memory, wait 0-9223372036854775806 crashed and
    /// --after 0-9223372036854775807 trapped on overflow.
    func testHugeOverflowingAndReversedIDRangesAreRefusedAtOnce() throws {
        let folder = try Harness.temporaryFolder()
        func client(_ arguments: [String]) throws -> Harness.Outcome {
            try Harness.run(Harness.taskfarm, arguments, in: folder, timeout: 20)
        }
        for (arguments, word, command) in [(["cancel", "0-300000000"], "0-300000000", "cancel"),
                                           (["wait", "0-9223372036854775806"], "0-9223372036854775806", "wait"),
                                           (["submit", "--after", "0-9223372036854775807", "--", "true"],
                                            "0-9223372036854775807", "--after"),
                                           (["cancel", "0-999999", "1000000"], "1000000", "cancel")] {
            let refused = try client(arguments)
            XCTAssertEqual(refused.status, 64, "\(arguments): \(refused.stderr)")
            XCTAssertTrue(refused.stderr.contains("'\(word)': more than 1000000 task ids; \(command) takes at most 1000000"),
                          refused.stderr)
        }
        let reversed = try client(["cancel", "5-3"])
        XCTAssertEqual(reversed.status, 64, reversed.stderr)
        XCTAssertTrue(reversed.stderr.contains("'5-3' is a reversed range; expected the lower id first: 3-5"), reversed.stderr)
        let within = try client(["cancel", "0-999999"])
        XCTAssertEqual(within.status, 69, "a million ids are taken; no farm answers here: \(within.stderr)")
    }

    /// Standard input that cannot be read, closed or a folder, is a missing input (66) in the
    /// system's words for every command that reads a job there, not a crash (132).
    func testUnreadableStandardInputIsANoInputError() throws {
        let folder = try Harness.temporaryFolder()
        for command in ["submit --file -", "check -", "run -"] {
            for (redirect, reason) in [("< \"$1\"", "Is a directory"), ("<&-", "Bad file descriptor")] {
                let outcome = try Harness.run("/bin/sh", ["-c", "\"$0\" \(command) \(redirect)", Harness.taskfarm, folder.path],
                                              in: folder, timeout: 60)
                XCTAssertEqual(outcome.status, 66, "\(command) \(redirect): \(outcome.stderr)")
                XCTAssertTrue(outcome.stderr.contains("<standard input>: cannot read (\(reason))"),
                              "\(command) \(redirect): \(outcome.stderr)")
            }
        }
    }

    /// A name-server rank outside the world is refused before anything runs.
    func testANameServerRankOutOfRangeIsAUsageError() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("touch ran\n", to: "t.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "t.txt", "--name-server-rank", "7"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 64)
        XCTAssertTrue(outcome.stderr.contains("out of range"), outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("ran").path))
    }

    /// A state folder that cannot be created is EX_CANTCREAT (73), not an internal error.
    func testAStateFolderThatCannotBeCreatedIs73() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("touch ran\n", to: "t.txt", in: folder)
        try Harness.write("a file\n", to: "plain", in: folder)
        let outcome = try Harness.taskfarm(["run", "t.txt", "--state-dir", "plain/state"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 73, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("plain/state"), outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("ran").path))
    }

    /// A joblog that cannot be created is 73, nothing runs, and the journal says the run
    /// ended so: `status` does not report a run that died.
    func testAJoblogThatCannotBeCreatedIs73AndTheRunIsNotReportedAsDead() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("touch ran\n", to: "t.txt", in: folder)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("adir"), withIntermediateDirectories: true)
        let outcome = try Harness.taskfarm(["run", "t.txt", "--joblog", "adir"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 73, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("--joblog adir"), outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("ran").path))
        let status = try Harness.run(Harness.taskfarm, ["status", "t.txt"], in: folder)
        XCTAssertTrue(status.stdout.contains("the last run ended with exit status 73"), status.stdout)
    }

    /// A run refused 65 because no host can hold a task's request: `status`, `status --task`
    /// and `--json` give the verdict's reason, not only the bare exit status and "not started".
    func testARefusedRunsReasonIsInStatusAndTheStoryOfATaskThatNeverStarted() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("#!/bin/sh\n#SBATCH --array=1-6\n#SBATCH --mem=900T\ntouch ran\n", to: "m.sh", in: folder)
        let outcome = try Harness.taskfarm(["run", "m.sh"], ranks: 2, in: folder)
        XCTAssertEqual(outcome.status, 65, outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("ran").path))
        let reason = "m.sh:3:9: error: task 1 asks for 943718400 MiB of memory"
        let status = try Harness.run(Harness.taskfarm, ["status", "m.sh"], in: folder)
        XCTAssertTrue(status.stdout.contains("the last run ended with exit status 65: \(reason)"), status.stdout)
        let story = try Harness.run(Harness.taskfarm, ["status", "m.sh", "--task", "5"], in: folder)
        XCTAssertTrue(story.stdout.hasPrefix("task 5 (position 4): not started\n"), story.stdout)
        XCTAssertTrue(story.stdout.contains("\n  why:     the last run ended with exit status 65 before this task started: \(reason)"),
                      story.stdout)
        let json = try Harness.run(Harness.taskfarm, ["status", "m.sh", "--json"], in: folder)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        XCTAssertTrue((object["lastRunReason"] as? String)?.hasPrefix(reason) == true, json.stdout)
    }

    /// The world is 1 while the launcher says 4: named, and nothing runs.
    func testAMismatchedLaunchIsDetected() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("touch ran\n", to: "t.txt", in: folder)
        var environment = Harness.mpiEnvironment
        environment["PMI_SIZE"] = "4"
        let outcome = try Harness.run(Harness.taskfarm, ["run", "t.txt"], in: folder, environment: environment)
        XCTAssertEqual(outcome.status, 70)
        XCTAssertTrue(outcome.stderr.contains("PMI_SIZE=4"), outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("ran").path))
    }
}
