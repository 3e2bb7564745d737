import XCTest
@testable import JobSpec

/// The cases in `../shared/cases/submit` and `../shared/cases/arrays`, as described in
/// its README, checked against copies in `Fixtures/`.
final class SharedCasesTests: XCTestCase {
    func testArgumentsQuotingGivesTheExactArgvAndOutputNames() throws {
        let job = try JobLoader.load(path: Fixture.path("submit/arguments-quoting.sub"), options: testOptions())
        XCTAssertEqual(job.taskCount, 2)
        for proc in 0 ..< 2 {
            let task = job.task(at: proc)
            XCTAssertEqual(task.command.executedArgv.first, "/work/sub/prog")
            XCTAssertEqual(arguments(task), ["--sh", "convert -swirl 90 a.jpg b.jpg", "--stop", "\"2025-01-01",
                                             "00:00\"", "--tag", "it's"])
            XCTAssertEqual(task.stdout, "/work/sub/logs/o.42.\(proc)")
            XCTAssertEqual(task.stderr, "/work/sub/logs/e.42.\(proc)")
            XCTAssertEqual(task.attributes["condor.log"], "/work/sub/quoting.log")
            XCTAssertEqual(task.attributes["condor.cluster"], "42")
            XCTAssertEqual(task.attributes["condor.proc"], String(proc))
            XCTAssertEqual(task.arrayIndex, proc)
            for name in [task.stdout, task.stderr, task.attributes["condor.log"]] {
                XCTAssertFalse(name?.contains("$(") ?? true, "unexpanded macro in \(name ?? "nil")")
            }
        }
    }

    func testOldSyntaxErrorIsRejectedNamingLineTwo() {
        let path = Fixture.path("submit/old-syntax-error.sub")
        let error = expectError { () throws(JobSpecError) in _ = try JobLoader.load(path: path, options: testOptions()) }
        XCTAssertEqual(error?.location.file, path)
        XCTAssertEqual(error?.location.line, 2)
        XCTAssertTrue(error?.description.contains("old-syntax-error.sub:2") ?? false, error?.description ?? "")
    }

    /// Each line of `arrays/pbs-ranges.txt` as its own script.
    func testArrayRangeCases() throws {
        let lines = try Fixture.text("arrays/pbs-ranges.txt").split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4)

        let first = try PBSScript(text: lines[0] + "\n./prog\n", file: "a.pbs", options: testOptions()).job
        XCTAssertEqual((0 ..< first.taskCount).map { first.task(at: $0).arrayIndex }, [0, 5, 10])

        // `-J 4-4` is pointed at its start; `-J 3,9,27` at its first comma.
        for (line, text, column, reason) in [(1, lines[1], 9, "start < end"), (2, lines[2], 10, "not a list")] {
            let error = expectError { () throws(JobSpecError) in
                _ = try PBSScript(text: text + "\n./prog\n", file: "r\(line).pbs", options: testOptions())
            }
            XCTAssertEqual(error?.location.file, "r\(line).pbs")
            XCTAssertEqual(error?.location.line, 1)
            XCTAssertEqual(error?.location.column, column)
            XCTAssertTrue(error?.message.contains("PBS Pro") ?? false, error?.message ?? "")
            XCTAssertTrue(error?.message.contains(reason) ?? false, error?.message ?? "")
        }

        let slurm = try SlurmScript(text: "#!/bin/sh\n" + lines[3] + "\n./prog\n", file: "s.sh",
                                    options: testOptions()).job
        XCTAssertEqual((0 ..< slurm.taskCount).map { slurm.task(at: $0).arrayIndex }, [1, 4, 7])
        XCTAssertEqual(slurm.maxConcurrent, 2)
    }

    /// The whole file read as one PBS script stops at its first bad directive, line 2:
    /// it never runs zero tasks.
    func testWholeRangesFileIsRejectedAtLineTwo() {
        let path = Fixture.path("arrays/pbs-ranges.txt")
        let error = expectError { () throws(JobSpecError) in
            _ = try JobLoader.load(path: path, format: .pbs, options: testOptions())
        }
        XCTAssertEqual(error?.location.line, 2)
    }
}
