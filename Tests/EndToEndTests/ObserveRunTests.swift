import Foundation
import TestSupport
import XCTest

/// Seeing a run as users do: the progress line on a terminal (under `script`, a pty), the
/// interval summaries in a batch log, a failed task's story and output, the report and its
/// trace, `--max-failures`, and a task list on standard input.
final class ObserveRunTests: XCTestCase {
    private func shortTasks(_ count: Int, in folder: URL) throws {
        try Harness.write((0..<count).map { _ in "sleep 0.02" }.joined(separator: "\n") + "\n", to: "t.txt", in: folder)
    }

    /// On a terminal the progress line is drawn with a rate and an ETA, redrawn in place and
    /// erased before the summary.
    func testATerminalShowsAProgressLineWithARateAndAnETA() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            throw XCTSkip("script (util-linux) is not installed; the pty test is skipped")
        }
        let folder = try Harness.temporaryFolder()
        try shortTasks(200, in: folder)
        let command = "\(Harness.mpirun) -np 4 --oversubscribe \(Harness.taskfarm) run t.txt"
        let outcome = try Harness.run("/usr/bin/script", ["-qec", command, "/dev/null"], in: folder, timeout: 240)
        XCTAssertEqual(outcome.status, 0, outcome.stdout)
        let screen = outcome.stdout
        XCTAssertTrue(screen.contains("taskfarm: 4 ranks: scheduler, name server, 2 workers"), screen)
        XCTAssertTrue(screen.contains("\r\u{1B}[Ktaskfarm: "), "the line is redrawn in place: \(screen.debugDescription)")
        let lines = screen.components(separatedBy: "\u{1B}[K").filter { $0.contains(" tasks/s ") }
        XCTAssertFalse(lines.isEmpty, screen.debugDescription)
        XCTAssertTrue(lines.contains { $0.contains("of 200") && $0.contains("ETA ") && $0.range(of: #"\| [0-9.]+ tasks/s"#, options: .regularExpression) != nil },
                      "a rate and an ETA: \(lines)")
        XCTAssertTrue(screen.contains("200 of 200 tasks succeeded"), screen)
    }

    /// Without a terminal nothing is redrawn; only the interval summaries appear.
    func testABatchLogGetsOnlyIntervalSummaries() throws {
        let folder = try Harness.temporaryFolder()
        try shortTasks(200, in: folder)
        let quiet = try Harness.taskfarm(["run", "t.txt"], ranks: 3, in: folder, timeout: 240)
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertFalse(quiet.stderr.contains("\r") || quiet.stderr.contains("tasks/s"), quiet.stderr.debugDescription)

        try Harness.write((0..<30).map { _ in "sleep 0.2" }.joined(separator: "\n") + "\n", to: "slow.txt", in: folder)
        let summaries = try Harness.taskfarm(["run", "slow.txt", "--progress-interval", "1"], ranks: 3, in: folder, timeout: 240)
        XCTAssertEqual(summaries.status, 0, summaries.stderr)
        XCTAssertFalse(summaries.stderr.contains("\r"), summaries.stderr.debugDescription)
        let progress = summaries.stderr.split(separator: "\n").filter { $0.hasPrefix("taskfarm: progress: ") }
        XCTAssertGreaterThanOrEqual(progress.count, 2, summaries.stderr)
        XCTAssertTrue(progress.allSatisfy { $0.contains("of 30 | ") && $0.contains("elapsed | ETA ") }, "\(progress)")

        let none = try Harness.taskfarm(["run", "slow.txt", "--state-dir", "again", "--no-progress", "--progress-interval", "1"],
                                        ranks: 3, in: folder, timeout: 240)
        XCTAssertFalse(none.stderr.contains("progress:"), "--no-progress shows nothing: \(none.stderr)")
    }

    /// A run with 3 failures (one retried): each failed task's story and output, and the
    /// report's trace with exactly one complete event per attempt, none overlapping on a slot.
    func testAFailedTasksStoryOutputAndTheTraceOfEveryAttempt() throws {
        let folder = try Harness.temporaryFolder()
        var lines: [String] = []
        for index in 0..<20 {
            lines.append([4, 9, 15].contains(index) ? "sh -c 'echo out \(index); echo boom \(index) >&2; exit 3'" : "sleep 0.05")
        }
        try Harness.write(lines.joined(separator: "\n") + "\n", to: "t.txt", in: folder)
        let run = try Harness.taskfarm(["run", "t.txt", "--retries", "1", "--slots-per-worker", "2"], ranks: 4, in: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stdout.contains("17 of 20 tasks succeeded, 3 failed; first failures at index 4, 9, 15"), run.stdout)

        let story = try Harness.run(Harness.taskfarm, ["status", "t.txt", "--task", "9"], in: folder)
        XCTAssertEqual(story.status, 0, story.stderr)
        let text = story.stdout
        XCTAssertTrue(text.hasPrefix("task 9 (position 9): failed\n"), text)
        XCTAssertTrue(text.contains("command: sh -c 'echo out 9; echo boom 9 >&2; exit 3'"), text)
        for attempt in 1...2 {
            let pattern = #"attempt \#(attempt): exit 3 on \S+ \(rank [23]\), \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} -> \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \([0-9.]+ s\), CPU [0-9.]+ s, peak memory"#
            XCTAssertNotNil(text.range(of: pattern, options: .regularExpression), "attempt \(attempt): \(text)")
        }
        XCTAssertTrue(text.contains("    stderr: /") && text.contains("/t.txt.taskfarm/output/9.err\n"), text)
        XCTAssertTrue(text.contains("last lines of ") && text.contains("    | boom 9"), text)

        let json = try Harness.run(Harness.taskfarm, ["status", "t.txt", "--task", "9", "--json"], in: folder)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        XCTAssertEqual((object["attempts"] as? [[String: Any]])?.compactMap { $0["exitCode"] as? Int }, [3, 3])

        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["output", "t.txt", "9", "--stderr"], in: folder).stdout, "boom 9\n")
        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["output", "t.txt", "9"], in: folder).stdout, "out 9\n")
        // Attempt 2 wrote the same file as attempt 1: attempt 1's bytes are gone, and printing
        // attempt 2's would hand a script redirecting stdout the wrong attempt's output.
        for stream in [[], ["--stderr"]] {
            let first = try Harness.run(Harness.taskfarm, ["output", "t.txt.taskfarm", "9", "--attempt", "1"] + stream, in: folder)
            XCTAssertEqual(first.status, 66, first.stderr)
            XCTAssertEqual(first.stdout, "", "no other attempt's bytes")
            XCTAssertTrue(first.stderr.contains("task 9 attempt 1's \(stream.isEmpty ? "stdout" : "stderr") no longer exists: attempt 2 "
                                                + "wrote the same file, /"), first.stderr)
            XCTAssertTrue(first.stderr.contains("/t.txt.taskfarm/output/9.\(stream.isEmpty ? "out" : "err"), and replaced it"), first.stderr)
            XCTAssertTrue(first.stderr.contains("put %s (the attempt number) in the file names"), first.stderr)
        }
        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["output", "t.txt", "9", "--attempt", "2"], in: folder).stdout, "out 9\n",
                       "the attempt that wrote the file last is printed")
        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["status", "t.txt", "--task", "20"], in: folder).status, 64)
        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["output", "t.txt", "9", "--attempt", "3"], in: folder).status, 66)

        let report = try Harness.run(Harness.taskfarm, ["report", "t.txt", "-o", "r.html", "--trace", "trace.json"], in: folder)
        XCTAssertEqual(report.status, 0, report.stderr)
        let attempts = 17 + 3 * 2
        let trace = try XCTUnwrap(FileManager.default.contents(atPath: folder.appendingPathComponent("trace.json").path))
        let events = try XCTUnwrap((JSONSerialization.jsonObject(with: trace) as? [String: Any])?["traceEvents"] as? [[String: Any]])
        let complete = events.filter { $0["ph"] as? String == "X" }
        XCTAssertEqual(complete.count, attempts, "one complete event per attempt")
        var spans: [String: [(start: Int, end: Int)]] = [:]
        for event in complete {
            let start = try XCTUnwrap(event["ts"] as? Int), duration = try XCTUnwrap(event["dur"] as? Int)
            spans["\(event["pid"]!)/\(event["tid"]!)", default: []].append((start, start + duration))
        }
        XCTAssertLessThanOrEqual(spans.count, 4 + 6, "about one tid per worker slot")
        for (thread, list) in spans {
            let ordered = list.sorted { $0.start < $1.start }
            for (earlier, later) in zip(ordered, ordered.dropFirst()) {
                XCTAssertLessThanOrEqual(earlier.end, later.start, "two events overlap on tid \(thread)")
            }
        }
        let html = try XCTUnwrap(Harness.read("r.html", in: folder))
        XCTAssertEqual(html.components(separatedBy: "<rect class=\"bar ").count - 1, attempts)
        XCTAssertTrue(html.contains("data-expected-bars=\"\(attempts)\""))
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "the page fetches nothing")

        // The story says so when the job file was edited since the run.
        XCTAssertFalse(text.contains("job file changed"), text)
        try Harness.write(lines.joined(separator: "\n") + "\necho added\n", to: "t.txt", in: folder)
        let edited = try Harness.run(Harness.taskfarm, ["status", "t.txt", "--task", "9"], in: folder)
        XCTAssertTrue(edited.stdout.contains("note:    the job file changed since the run"), edited.stdout)
        XCTAssertTrue(html.contains("\(folder.path)/t.txt.taskfarm/output/9.err</code>") || html.contains("/t.txt.taskfarm/output/9.err</code>"),
                      "failures name their output files")
    }

    /// After N failures no new task starts; the run ends with exit 1 and the verdict says why.
    func testMaxFailuresStopsStartingTasks() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write((0..<40).map { "echo \($0) >> ran.log; exit 1" }.joined(separator: "\n") + "\n", to: "t.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "t.txt", "--max-failures", "3"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("stopped after 3 failures (--max-failures 3)"), outcome.stdout)
        let ran = (Harness.read("ran.log", in: folder) ?? "").split(separator: "\n").count
        XCTAssertGreaterThanOrEqual(ran, 3)
        XCTAssertLessThan(ran, 10, "prefetched tasks are given back, not run")
        let verdict = try XCTUnwrap(Harness.read("t.txt.taskfarm/verdict.json", in: folder))
        XCTAssertTrue(verdict.contains("\"maxFailuresReached\": 3") && verdict.contains("--max-failures 3"), verdict)
    }

    /// `taskfarm run -` reads the list from standard input, keeps it in `stdin.taskfarm`, and
    /// a task's story works from there; `check -` reads it too; `--timeout` takes units and timed-out tasks count apart.
    func testATaskListFromStandardInputAndTimeoutUnits() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("echo one > one.txt\nsleep 5\n", to: "list", in: folder)
        var environment = Harness.mpiEnvironment
        environment["TF"] = Harness.taskfarm
        environment["MPIRUN"] = Harness.mpirun
        let outcome = try Harness.run("/bin/sh", ["-c", "\"$MPIRUN\" -np 3 --oversubscribe \"$TF\" run - --timeout 1s < list"],
                                      in: folder, environment: environment)
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("1 of 2 tasks succeeded, 0 failed, 1 timed out; first failures at index 1"), outcome.stdout)
        XCTAssertEqual(Harness.read("one.txt", in: folder), "one\n")
        XCTAssertEqual(Harness.read("stdin.taskfarm/stdin-tasks", in: folder), "echo one > one.txt\nsleep 5\n")
        let story = try Harness.run(Harness.taskfarm, ["status", "stdin.taskfarm", "--task", "1"], in: folder)
        XCTAssertTrue(story.stdout.contains("timed out") && story.stdout.contains("command: sleep 5"), story.stdout)
        // Another list into the same folder is a changed job: refused, and the folder keeps its list.
        try Harness.write("echo two\n", to: "other", in: folder)
        let refused = try Harness.run("/bin/sh", ["-c", "\"$TF\" run - < other"], in: folder, environment: environment)
        XCTAssertEqual(refused.status, 65, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("the task list on standard input"), refused.stderr)
        XCTAssertEqual(Harness.read("stdin.taskfarm/stdin-tasks", in: folder), "echo one > one.txt\nsleep 5\n")
        // `check -` lists the same list, read from standard input, naming it in messages.
        let checked = try Harness.run("/bin/sh", ["-c", "\"$TF\" check - --json < list"], in: folder, environment: environment)
        XCTAssertEqual(checked.status, 0, checked.stderr)
        XCTAssertTrue(checked.stdout.contains("\"taskCount\" : 2") && checked.stdout.contains("\"sleep\""), checked.stdout)
        try Data([0x65, 0x63, 0x68, 0x6F, 0x0A, 0x65, 0x63, 0x68, 0x6F, 0x20, 0xFF, 0x0A]).write(to: folder.appendingPathComponent("bad"))
        let bad = try Harness.run("/bin/sh", ["-c", "\"$TF\" check - < bad"], in: folder, environment: environment)
        XCTAssertEqual(bad.status, 65, bad.stderr)
        XCTAssertTrue(bad.stderr.hasPrefix("<standard input>:2:"), bad.stderr)
        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["run", "x", "--timeout", "5 minutes"], in: folder).status, 64)
        let version = try Harness.run(Harness.taskfarm, ["--version"], in: folder)
        XCTAssertNotNil(version.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression), version.stdout)
    }

    /// `status --watch` redraws until the run ends, then returns.
    func testStatusWatchEndsWithTheRun() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write((0..<6).map { _ in "sleep 0.5" }.joined(separator: "\n") + "\n", to: "t.txt", in: folder)
        let run = try Harness.start(["run", "t.txt"], ranks: 3, in: folder)
        XCTAssertTrue(Harness.waitUntil(timeout: 60) { FileManager.default.fileExists(atPath: folder.appendingPathComponent("t.txt.taskfarm/journal").path) })
        XCTAssertTrue(Harness.waitUntil(timeout: 60) { (Harness.read("t.txt.taskfarm/journal", in: folder) ?? "").contains("\tstarted\t") })
        let during = try Harness.run(Harness.taskfarm, ["report", "t.txt", "-o", "during.html"], in: folder)
        XCTAssertEqual(during.status, 0, during.stderr)
        XCTAssertTrue(Harness.read("during.html", in: folder)?.contains("(in progress)") == true, "a report during the run")
        let watch = try Harness.run(Harness.taskfarm, ["status", "t.txt", "--watch", "--interval", "0.3"], in: folder, timeout: 90)
        XCTAssertEqual(watch.status, 0, watch.stderr)
        XCTAssertTrue(watch.stdout.contains("6 succeeded"), watch.stdout)
        XCTAssertGreaterThan(watch.stdout.components(separatedBy: "run ").count, 2, "redrawn more than once: \(watch.stdout)")
        XCTAssertNotNil(run.wait(timeout: 60))
    }

    /// A Slurm array starting at 1: `status` lists a failed task by its array index (what
    /// `SLURM_ARRAY_TASK_ID` showed), the index `status --task` and `output` take, not by its
    /// position one lower.
    func testStatusListsFailuresByTheArrayIndexStatusTaskAndOutputTake() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("""
            #!/bin/sh
            #SBATCH --array=1-4
            echo out $SLURM_ARRAY_TASK_ID
            test "$SLURM_ARRAY_TASK_ID" != 3 || exit 7

            """, to: "s.sh", in: folder)
        let run = try Harness.taskfarm(["run", "s.sh"], ranks: 3, in: folder)
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stdout.contains("first failures at index 3"), run.stdout)

        let status = try Harness.run(Harness.taskfarm, ["status", "s.sh"], in: folder)
        XCTAssertTrue(status.stdout.contains("\n  task 3  attempt 1  exit 7"), status.stdout)
        XCTAssertFalse(status.stdout.contains("task 2 "), status.stdout)
        let json = try Harness.run(Harness.taskfarm, ["status", "s.sh", "--json"], in: folder)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        let failed = try XCTUnwrap(object["failed"] as? [[String: Any]], json.stdout)
        XCTAssertEqual(failed.map { $0["index"] as? Int }, [3], json.stdout)
        XCTAssertEqual(failed.map { $0["position"] as? Int }, [2], json.stdout)

        let story = try Harness.run(Harness.taskfarm, ["status", "s.sh", "--task", "3"], in: folder)
        XCTAssertTrue(story.stdout.hasPrefix("task 3 (position 2): failed\n"), story.stdout)
        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["output", "s.sh", "3"], in: folder).stdout, "out 3\n")
        // Without --error, sbatch puts stderr in the stdout file: --stderr prints that file, and
        // says so rather than pass the merged file off as stderr alone.
        let merged = try Harness.run(Harness.taskfarm, ["output", "s.sh", "3", "--stderr"], in: folder)
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertEqual(merged.stdout, "out 3\n")
        XCTAssertTrue(merged.stderr.contains("task 3's stderr went to the same file as its stdout, /"), merged.stderr)
        XCTAssertTrue(merged.stderr.contains("sbatch's default without --error"), merged.stderr)
        XCTAssertFalse(try Harness.run(Harness.taskfarm, ["output", "s.sh", "3"], in: folder).stderr.contains("same file"))
    }

    /// A job file edited since its run (`--array=1-4` became `11-14`) no longer tells which
    /// index each task had: `status` does not relabel the run's tasks with the new indexes
    /// but numbers them by position and says why, in the list, the story, the JSON and an
    /// unknown index's message, and `output` says its file name comes from the edited file.
    /// With the file moved away, `status FILE` still finds `FILE.taskfarm` and says the same.
    func testAnEditedOrMovedJobFileMakesStatusNumberTasksByPositionAndSaySo() throws {
        let folder = try Harness.temporaryFolder()
        let script = "#!/bin/sh\n#SBATCH --array=1-4\necho out $SLURM_ARRAY_TASK_ID\ntest \"$SLURM_ARRAY_TASK_ID\" != 3 || exit 7\n"
        try Harness.write(script, to: "s.sh", in: folder)
        XCTAssertEqual(try Harness.taskfarm(["run", "s.sh"], ranks: 3, in: folder).status, 1)
        try Harness.write(script.replacingOccurrences(of: "1-4", with: "11-14"), to: "s.sh", in: folder)

        let status = try Harness.run(Harness.taskfarm, ["status", "s.sh"], in: folder)
        XCTAssertTrue(status.stdout.contains("\nnote: the job file changed since the run: tasks are numbered by position (from 0)"), status.stdout)
        XCTAssertTrue(status.stdout.contains("\n  task 2  attempt 1  exit 7"), status.stdout)
        XCTAssertFalse(status.stdout.contains("task 13"), "not relabelled with the edited file's index: \(status.stdout)")
        let json = try Harness.run(Harness.taskfarm, ["status", "s.sh", "--json"], in: folder)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        XCTAssertEqual((object["failed"] as? [[String: Any]])?.map { $0["index"] as? Int }, [2], json.stdout)
        XCTAssertTrue((object["numberingNote"] as? String)?.hasPrefix("the job file changed since the run") == true, json.stdout)
        let story = try Harness.run(Harness.taskfarm, ["status", "s.sh", "--task", "2"], in: folder)
        XCTAssertTrue(story.stdout.hasPrefix("task 2 (position 2): failed\n"), story.stdout)
        XCTAssertTrue(story.stdout.contains("note:    the job file changed since the run"), story.stdout)
        let unknown = try Harness.run(Harness.taskfarm, ["status", "s.sh", "--task", "13"], in: folder)
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("have indexes 0 to 3 (the job file changed since the run"), unknown.stderr)
        let output = try Harness.run(Harness.taskfarm, ["output", "s.sh", "2"], in: folder)
        XCTAssertTrue(output.stderr.contains("the job file changed since the run, and this name is from the file as it is now"),
                      output.stderr)
        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["report", "s.sh", "-o", "r.html"], in: folder).status, 0)
        XCTAssertTrue(Harness.read("r.html", in: folder)?.contains("<em>the job file changed since the run: tasks are numbered by position") == true)

        try FileManager.default.moveItem(at: folder.appendingPathComponent("s.sh"), to: folder.appendingPathComponent("moved.sh"))
        let moved = try Harness.run(Harness.taskfarm, ["status", "s.sh"], in: folder)
        XCTAssertEqual(moved.status, 0, "s.sh.taskfarm is still there: \(moved.stderr)")
        XCTAssertTrue(moved.stdout.contains("\nnote: tasks are numbered by position (from 0): the job file cannot be read again"), moved.stdout)
        XCTAssertTrue(moved.stdout.contains("\n  task 2  attempt 1  exit 7"), moved.stdout)
        let movedStory = try Harness.run(Harness.taskfarm, ["status", "s.sh.taskfarm", "--task", "2"], in: folder)
        XCTAssertTrue(movedStory.stdout.hasPrefix("task 2 (position 2): failed\n")
                      && movedStory.stdout.contains("note:    tasks are numbered by position"), movedStory.stdout)
    }

    /// `output` after a run given `--state-dir`: the job file alone names the folder it does
    /// not have, and says to give that folder; `--state-dir` gives it, as to run. An unknown
    /// index names the indexes there are, and a discarded stream says where it went.
    func testOutputNamesAMissingStateFolderAndWhatToTypeInstead() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("echo a\necho b\n", to: "t.txt", in: folder)
        XCTAssertEqual(try Harness.taskfarm(["run", "t.txt", "--state-dir", "X"], ranks: 1, in: folder).status, 0)
        for command in ["output", "status"] {
            let missing = try Harness.run(Harness.taskfarm, command == "output" ? ["output", "t.txt", "1"] : ["status", "t.txt"], in: folder)
            XCTAssertEqual(missing.status, 66, missing.stderr)
            XCTAssertTrue(missing.stderr.contains("taskfarm \(command): t.txt has no state folder here (t.txt.taskfarm)"), missing.stderr)
            XCTAssertTrue(missing.stderr.contains("its run was given --state-dir; give that folder instead"), missing.stderr)
        }
        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["output", "t.txt", "1", "--state-dir", "X"], in: folder).stdout, "b\n")
        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["output", "1", "--state-dir", "X"], in: folder).stdout, "b\n")
        // status and report take --state-dir as output and run do, the job file then optional.
        for arguments in [["status", "t.txt", "--state-dir", "X"], ["status", "--state-dir", "X", "--task", "1"],
                          ["report", "t.txt", "--state-dir", "X", "-o", "r.html"], ["report", "--state-dir", "X", "-o", "r.html"]] {
            let outcome = try Harness.run(Harness.taskfarm, arguments, in: folder)
            XCTAssertEqual(outcome.status, 0, "\(arguments): \(outcome.stderr)")
            XCTAssertTrue(outcome.stdout.contains(arguments.contains("--task") ? "task 1 (position 1): succeeded" : arguments[0] == "status"
                                                  ? "2 tasks: 2 succeeded" : "wrote r.html: 2 attempts"), outcome.stdout)
        }
        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["status", "--state-dir", "X", "--connect", "c"], in: folder).status, 64)
        let noAttempt = try Harness.run(Harness.taskfarm, ["output", "X", "1", "--attempt", "2"], in: folder)
        XCTAssertEqual(noAttempt.status, 66)
        XCTAssertTrue(noAttempt.stderr.contains("task 1 has no attempt 2: it has 1 attempt"), noAttempt.stderr)

        try Harness.write("#!/bin/sh\n#SBATCH --array=1-2\n#SBATCH --output=/dev/null\necho $SLURM_ARRAY_TASK_ID\n", to: "s.sh", in: folder)
        XCTAssertEqual(try Harness.taskfarm(["run", "s.sh"], ranks: 1, in: folder).status, 0)
        let unknown = try Harness.run(Harness.taskfarm, ["output", "s.sh", "0"], in: folder)
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("no task has index 0: the run's 2 tasks have indexes 1, 2"), unknown.stderr)
        // A negative or non-numeric index is refused naming it, not taken for an option and
        // dropped (which left only "not 's.sh'"); an unknown option is still named as one.
        for (arguments, expected) in [(["s.sh", "-1"], "'-1' is not a task index: indexes are whole numbers from 0"),
                                      (["s.sh", "x"], "'x' is not a task index"),
                                      (["-2", "--state-dir", "s.sh.taskfarm"], "'-2' is not a task index"),
                                      (["s.sh", "99999999999999999999"], "'99999999999999999999' is not a task index"),
                                      (["s.sh", "1", "--bogus"], "Unknown option '--bogus'")] {
            let refused = try Harness.run(Harness.taskfarm, ["output"] + arguments, in: folder)
            XCTAssertEqual(refused.status, 64, "\(arguments): \(refused.stderr)")
            XCTAssertTrue(refused.stderr.contains(expected), "\(arguments): \(refused.stderr)")
        }
        let discarded = try Harness.run(Harness.taskfarm, ["output", "s.sh", "1"], in: folder)
        XCTAssertEqual(discarded.status, 66)
        XCTAssertTrue(discarded.stderr.contains("its stdout was discarded: the job sent it to /dev/null"), discarded.stderr)
    }

    /// With `%s` in the file names, as `output`'s refusal of a replaced attempt advises, each
    /// attempt keeps its own file and `--attempt 1` prints the first attempt's bytes.
    func testOutputPrintsEachAttemptWhenTheNamesHoldTheAttemptNumber() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("sh -c 'echo try $TASKFARM_TASK_ATTEMPT; exit 2'\n", to: "r.txt", in: folder)
        let run = try Harness.taskfarm(["run", "r.txt", "--retries", "2", "--output", "out/%a.%s.out", "--error", "out/%a.%s.err"],
                                       ranks: 2, in: folder)
        XCTAssertEqual(run.status, 1, run.stderr)
        for attempt in 1...3 {
            let printed = try Harness.run(Harness.taskfarm, ["output", "r.txt", "0", "--attempt", "\(attempt)"], in: folder)
            XCTAssertEqual(printed.status, 0, printed.stderr)
            XCTAssertEqual(printed.stdout, "try \(attempt)\n")
        }
    }
}
