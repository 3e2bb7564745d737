import Foundation
import XCTest

/// Runs real task lists with the real `taskfarm` under real `mpirun` and checks the files
/// it wrote.
final class TaskListRunTests: XCTestCase {
    /// The issue's acceptance step: 200 `echo $TASKFARM_TASK_INDEX` lines on 4 ranks.
    func testTwoHundredTasksWriteTheirIndexAndAJoblog() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write(String(repeating: "echo $TASKFARM_TASK_INDEX\n", count: 200), to: "T", in: folder)
        let outcome = try Harness.taskfarm(["run", "T", "--output", "o/%a.out", "--joblog", "j.tsv"], ranks: 4, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("o").path)
        XCTAssertEqual(files.count, 200)
        for index in 0..<200 {
            XCTAssertEqual(Harness.read("o/\(index).out", in: folder), "\(index)\n")
        }
        let joblog = Harness.read("j.tsv", in: folder) ?? ""
        XCTAssertTrue(joblog.hasPrefix("Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"))
        let rows = Harness.joblogRows("j.tsv", in: folder)
        XCTAssertEqual(rows.count, 200)
        XCTAssertEqual(Set(rows.map { $0[0] }), Set((1...200).map(String.init)))
        for row in rows {
            XCTAssertEqual(row.count, 9)
            XCTAssertEqual(row[6], "0")
            XCTAssertEqual(row[8], "echo $TASKFARM_TASK_INDEX")
            XCTAssertNotNil(row[2].range(of: #"^\d+\.\d{3}$"#, options: .regularExpression), row[2])
            XCTAssertNotNil(row[3].range(of: #"^\d+\.\d{3}$"#, options: .regularExpression), row[3])
        }
    }

    /// Every task runs exactly once at every rank count, including more ranks than tasks.
    func testEveryTaskRunsExactlyOnceAtEveryRankCount() throws {
        for ranks in [1, 2, 3, 4, 9] {
            let folder = try Harness.temporaryFolder("ranks\(ranks)")
            let tasks = (0..<7).map { "echo task \($0) >> ran.log" }.joined(separator: "\n") + "\n"
            try Harness.write(tasks, to: "tasks.txt", in: folder)
            let outcome = try Harness.taskfarm(["run", "tasks.txt", "--joblog", "j.tsv"], ranks: ranks, in: folder, timeout: 60)
            XCTAssertEqual(outcome.status, 0, "ranks \(ranks): \(outcome.stderr)")
            let lines = (Harness.read("ran.log", in: folder) ?? "").split(separator: "\n").sorted()
            XCTAssertEqual(lines.map(String.init), (0..<7).map { "task \($0)" }.sorted(), "ranks \(ranks)")
            XCTAssertEqual(Harness.joblogRows("j.tsv", in: folder).count, 7, "ranks \(ranks)")
            XCTAssertTrue(outcome.stdout.contains("7 of 7 tasks succeeded"), outcome.stdout)
        }
    }

    /// 3 tasks on 9 ranks, and 2 tasks on 4: each once, idle workers leave, no hang.
    func testMoreRanksThanTasksEndsPromptly() throws {
        for (ranks, count) in [(9, 3), (4, 2)] {
            let folder = try Harness.temporaryFolder("more\(ranks)")
            let tasks = (0..<count).map { "echo \($0) >> ran.log" }.joined(separator: "\n")
            try Harness.write(tasks, to: "tasks.txt", in: folder)
            let outcome = try Harness.taskfarm(["run", "tasks.txt", "--joblog", "j.tsv"], ranks: ranks, in: folder, timeout: 60)
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            XCTAssertEqual((Harness.read("ran.log", in: folder) ?? "").split(separator: "\n").count, count)
            XCTAssertEqual(Harness.joblogRows("j.tsv", in: folder).count, count)
        }
    }

    /// Per-task stdout and stderr hold exactly the bytes the task wrote, in the default
    /// run folder.
    func testDefaultOutputFilesHoldTheExactBytes() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("printf 'a\\000b\\377\\n' && printf 'err\\r\\n' >&2\nprintf ''\n", to: "bytes.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "bytes.txt"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let output = folder.appendingPathComponent("bytes.txt.taskfarm/output")
        XCTAssertEqual(try Data(contentsOf: output.appendingPathComponent("0.out")), Data([0x61, 0x00, 0x62, 0xff, 0x0a]))
        XCTAssertEqual(try Data(contentsOf: output.appendingPathComponent("0.err")), Data("err\r\n".utf8))
        XCTAssertEqual(try Data(contentsOf: output.appendingPathComponent("1.out")), Data())
    }

    /// `--output` alone sends stderr to the same file, as sbatch does; `%4a` pads.
    func testOutputPatternsWithPaddingAndSharedStderr() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("echo out; echo err >&2\necho two\n", to: "t.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "t.txt", "--output", "logs/deep/%x-%4a.log"], ranks: 2, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(Harness.read("logs/deep/t-0000.log", in: folder), "out\nerr\n")
        XCTAssertEqual(Harness.read("logs/deep/t-0001.log", in: folder), "two\n")
    }

    /// The run id is kept in the state folder and reused when the same job runs again
    /// from it (here a resume that reruns a failed task).
    func testRunIDIsStableAcrossRuns() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("echo $TASKFARM_RUN_ID; test -e second\n", to: "t.txt", in: folder)
        XCTAssertEqual(try Harness.taskfarm(["run", "t.txt", "--output", "out-%A-%a"], ranks: 1, in: folder).status, 1)
        let first = try XCTUnwrap(Harness.read("t.txt.taskfarm/run-id", in: folder)).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(Harness.read("out-\(first)-0", in: folder), "\(first)\n")
        try Harness.write("", to: "second", in: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("out-\(first)-0"))
        let again = try Harness.taskfarm(["run", "t.txt", "--output", "out-%A-%a", "--rerun-failed"], ranks: 3, in: folder)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(Harness.read("out-\(first)-0", in: folder), "\(first)\n", "the rerun used another run id")
        let outputs = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("out-") }
        XCTAssertEqual(outputs, ["out-\(first)-0"])
    }
}
