import XCTest
@testable import JobSpec

final class DAGRescueTests: XCTestCase {
    private let created = Date(timeIntervalSince1970: 1_800_000_000)

    /// Copies the retry.dag fixture into a scratch folder (rescue files are written next to it).
    private func retryFolder() throws -> String {
        var files: [String: String] = [:]
        for name in ["retry.dag", "a.sub", "b.sub"] {
            files[name] = try String(contentsOfFile: DAGTestSupport.fixtures + "/" + name, encoding: .utf8)
        }
        return try DAGTestSupport.folder(files, testCase: self)
    }

    /// Runs the loaded DAG with B exiting `bExit` every time; returns the state and the nodes
    /// started, in order.
    private func run(_ dag: DAG, bExit: DAGProcOutcome) throws -> (DAGRunState, [String]) {
        let job = try DAGJob(dag: dag, expand: DAGTestSupport.FakeExpander().expand)
        var state = DAGRunState(job: job)
        var pending = state.start()
        var started: [String] = []
        while !pending.isEmpty {
            let action = pending.removeFirst()
            guard case .startProcs(let node, let positions, _) = action else { continue }
            let name = dag.nodes[node].name
            started.append(name)
            pending += state.procFinished(position: positions.lowerBound, outcome: name == "B" ? bExit : .exited(0))
        }
        return (state, started)
    }

    func testRetryDagFailsWritesRescueWithADoneAndRerunRunsOnlyB() throws {
        let folder = try retryFolder()
        let first = try DAGRescue.load(dagFile: "retry.dag", workingDirectory: folder)
        XCTAssertNil(first.rescueFile)
        let (state, started) = try run(first.dag, bExit: .exited(1))
        XCTAssertEqual(started, ["A", "B", "B", "B"])
        XCTAssertEqual(state.outcome?.succeeded, false)

        let path = try DAGRescue.write(state, workingDirectory: folder, created: created)
        XCTAssertEqual(path, "retry.dag.rescue001")
        let text = try String(contentsOfFile: folder + "/" + path, encoding: .utf8)
        XCTAssertTrue(text.contains("\nDONE A\n"), text)
        XCTAssertFalse(text.contains("DONE B"), text)
        XCTAssertFalse(text.contains("RETRY"), "retries reset on rescue, DAGMan's default: no RETRY lines\n" + text)
        XCTAssertTrue(text.contains("# Rescue DAG version: 2.0.1 (partial)\n"), text)
        XCTAssertTrue(text.contains("# Nodes that failed: 1\n#   B,<ENDLIST>"), text)
        XCTAssertTrue(text.contains("# Created 1/15/2027 08:00:00 UTC"), text)

        let second = try DAGRescue.load(dagFile: "retry.dag", workingDirectory: folder)
        XCTAssertEqual(second.rescueFile, "retry.dag.rescue001", "the newest rescue file is used automatically")
        XCTAssertTrue(second.dag.nodes[0].done)
        let (rerun, rerunStarted) = try run(second.dag, bExit: .exited(1))
        XCTAssertEqual(rerunStarted, ["B", "B", "B"], "only B runs, with its full retries again")
        XCTAssertEqual(try DAGRescue.write(rerun, workingDirectory: folder, created: created), "retry.dag.rescue002")
        XCTAssertEqual(DAGRescue.existingNumbers(for: "retry.dag", workingDirectory: folder), [1, 2])
    }

    func testUnlessExitStopNoteAndRescueFromAndRetire() throws {
        let folder = try retryFolder()
        let (state, started) = try run(try DAGParser.parse(file: "retry.dag", workingDirectory: folder), bExit: .exited(42))
        XCTAssertEqual(started, ["A", "B"])
        let text = DAGRescue.render(state, created: created)
        XCTAssertTrue(text.contains("# 0 of 2 retries performed; remaining attempts aborted after node returned 42\n"), text)
        XCTAssertFalse(text.contains("RETRY B"), text)

        for number in 1...3 {
            try "DONE \(number == 2 ? "A" : "B")\n".write(toFile: folder + "/" + DAGRescue.path(for: "retry.dag", number: number),
                                                          atomically: true, encoding: .utf8)
        }
        try "ignored".write(toFile: folder + "/retry.dag.rescue1", atomically: true, encoding: .utf8)
        XCTAssertEqual(DAGRescue.newestNumber(for: "retry.dag", workingDirectory: folder), 3)
        let chosen = try DAGRescue.load(dagFile: "retry.dag", workingDirectory: folder, rescueFrom: 2)
        XCTAssertEqual(chosen.rescueFile, "retry.dag.rescue002")
        XCTAssertEqual(chosen.dag.nodes.map(\.done), [true, false])
        XCTAssertNil(try DAGRescue.load(dagFile: "retry.dag", workingDirectory: folder, autorescue: false).rescueFile)
        XCTAssertThrowsError(try DAGRescue.load(dagFile: "retry.dag", workingDirectory: folder, rescueFrom: 9)) {
            XCTAssertTrue(($0 as! JobSpecError).message.contains("--rescue-from 9"))
        }
        XCTAssertEqual(DAGRescue.retireNewer(than: 2, for: "retry.dag", workingDirectory: folder).count, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/retry.dag.rescue003.old"))
        XCTAssertEqual(DAGRescue.nextNumber(for: "retry.dag", workingDirectory: folder), 3)
    }

    /// The DAG remembers which rescue file was applied, and the newest written before a time
    /// is the one a run that began then read, whatever it and later runs wrote since.
    func testTheAppliedRescueIsRememberedAndTheOneBeforeARunIsFound() throws {
        let folder = try retryFolder()
        XCTAssertNil(try DAGRescue.load(dagFile: "retry.dag", workingDirectory: folder).dag.rescueNumber)
        for (number, age) in [(1, 300.0), (2, 200), (3, 0)] {
            let file = folder + "/" + DAGRescue.path(for: "retry.dag", number: number)
            try "DONE A\n".write(toFile: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -age)], ofItemAtPath: file)
        }
        XCTAssertEqual(try DAGRescue.load(dagFile: "retry.dag", workingDirectory: folder).dag.rescueNumber, 3)
        XCTAssertEqual(try DAGRescue.load(dagFile: "retry.dag", workingDirectory: folder, rescueFrom: 2).dag.rescueNumber, 2)
        let now = Date().timeIntervalSince1970
        XCTAssertEqual(DAGRescue.newestNumber(for: "retry.dag", workingDirectory: folder, writtenBefore: now - 100), 2)
        XCTAssertEqual(DAGRescue.newestNumber(for: "retry.dag", workingDirectory: folder, writtenBefore: now - 250), 1)
        XCTAssertNil(DAGRescue.newestNumber(for: "retry.dag", workingDirectory: folder, writtenBefore: now - 1000))
    }

    func testRescueFileNamesAndBadRescueLines() throws {
        XCTAssertEqual(DAGRescue.path(for: "dir/x.dag", number: 7), "dir/x.dag.rescue007")
        XCTAssertEqual(DAGRescue.path(for: "x.dag", number: 100), "x.dag.rescue100")
        var dag = try DAGParser.parse(text: "JOB A a\nFINAL F f\n", file: "x.dag", checkSubmitFiles: false)
        XCTAssertThrowsError(try DAGRescue.apply(rescueText: "# c\nDONE Z\n", file: "x.dag.rescue001", to: &dag)) {
            XCTAssertEqual(($0 as! JobSpecError).location, SourceLocation(file: "x.dag.rescue001", line: 2, column: 6))
        }
        XCTAssertThrowsError(try DAGRescue.apply(rescueText: "DONE F\n", file: "r", to: &dag))
        XCTAssertThrowsError(try DAGRescue.apply(rescueText: "JOB A a\n", file: "r", to: &dag))
        // A garbage line is told to be one, not taken for a rescue line naming an undeclared node.
        XCTAssertThrowsError(try DAGRescue.apply(rescueText: "DONE A\nhello world\n", file: "x.dag.rescue001", to: &dag)) {
            let error = $0 as! JobSpecError
            XCTAssertEqual(error.location, SourceLocation(file: "x.dag.rescue001", line: 2, column: 1))
            XCTAssertTrue(error.message.hasPrefix("expected DONE NodeName or RETRY NodeName N"), error.message)
            XCTAssertTrue(error.message.contains("not 'hello'"), error.message)
            XCTAssertFalse(error.message.contains("names node"), error.message)
        }
        XCTAssertThrowsError(try DAGRescue.apply(rescueText: "RETRY A\n", file: "r", to: &dag)) {
            XCTAssertTrue(($0 as! JobSpecError).message.hasPrefix("expected RETRY NodeName N"), "\($0)")
        }
        try DAGRescue.apply(rescueText: "DONE A\nRETRY A 4 UNLESS-EXIT 3\n", file: "r", to: &dag)
        XCTAssertEqual(dag.nodes[0].done, true)
        XCTAssertEqual(dag.nodes[0].retries, 4)
        XCTAssertEqual(dag.nodes[0].unlessExit, 3)
    }

    /// A rescue file's bytes reach the terminal only escaped: a control sequence in a bad
    /// line is printed as `\x1B[31m`, and a byte that is not UTF-8 is refused naming its line
    /// and byte, not decoded to U+FFFD and quoted.
    func testARescueFilesControlCharactersAreEscapedAndBadBytesAreNamed() throws {
        let folder = try retryFolder()
        let rescue = folder + "/" + DAGRescue.path(for: "retry.dag", number: 1)
        try Data("DONE A\n\u{01}\u{1B}[31mRED\n".utf8).write(to: URL(fileURLWithPath: rescue))
        XCTAssertThrowsError(try DAGRescue.load(dagFile: "retry.dag", workingDirectory: folder)) {
            let text = "\($0)"
            XCTAssertTrue(text.hasPrefix("retry.dag.rescue001:2:1: error: expected DONE NodeName"), text)
            XCTAssertTrue(text.contains("not '\\x01\\x1B[31mRED'"), text)
            XCTAssertFalse(text.unicodeScalars.contains { $0.value < 0x20 }, "no control character reaches the terminal: \(text)")
        }
        try Data([UInt8]("DONE A\nDONE R".utf8) + [0xFF] + [UInt8]("D\n".utf8)).write(to: URL(fileURLWithPath: rescue))
        XCTAssertThrowsError(try DAGRescue.load(dagFile: "retry.dag", workingDirectory: folder)) {
            let error = $0 as! JobSpecError
            XCTAssertEqual(error.location, SourceLocation(file: "retry.dag.rescue001", line: 2, column: 7))
            XCTAssertTrue(error.message.contains("is not UTF-8 text"), error.message)
            XCTAssertFalse("\(error)".contains("\u{FFFD}"), "\(error)")
        }
    }

    func testFinalNodeIsNeverMarkedDone() throws {
        var (_, state) = try DAGTestSupport.run("JOB A a NOOP\nFINAL F f NOOP\n")
        XCTAssertEqual(finishedOutcome(state.start())?.succeeded, true)
        let text = DAGRescue.render(state, created: created)
        XCTAssertTrue(text.contains("DONE A\n"))
        XCTAssertFalse(text.contains("DONE F"))
    }

    func testInterruptedDagResumesThroughItsRescueFile() throws {
        let folder = try DAGTestSupport.folder([
            "d.dag": "JOB A a.sub\nJOB B b.sub\nJOB C c.sub\nJOB D d.sub\nPARENT A CHILD B C\nPARENT B C CHILD D\n",
        ], testCase: self)
        let dag = try DAGParser.parse(file: "d.dag", workingDirectory: folder, checkSubmitFiles: false)
        let job = try DAGJob(dag: dag, expand: DAGTestSupport.FakeExpander().expand)
        var state = DAGRunState(job: job)
        _ = state.start()
        _ = state.procFinished(position: job.positions(of: 0).lowerBound, outcome: .exited(0))
        _ = state.procFinished(position: job.positions(of: 1).lowerBound, outcome: .exited(0))
        let stop = state.abort(exitCode: 143)
        XCTAssertEqual(finishedOutcome(stop)?.exitCode, 143)
        XCTAssertEqual(try DAGRescue.write(state, workingDirectory: folder, created: created), "d.dag.rescue001")
        let status = DAGNodeStatusFile.render(state, dagFiles: ["d.dag"], now: created, nextUpdate: nil)
        XCTAssertTrue(status.contains("DagStatus = 6; /* \"STATUS_ERROR (aborted)\" */"), status)
        XCTAssertTrue(status.contains("StatusDetails = \"Was STATUS_SUBMITTED when the DAG was aborted\";"), status)

        let resumed = try DAGRescue.load(dagFile: "d.dag", workingDirectory: folder, checkSubmitFiles: false)
        XCTAssertEqual(resumed.dag.nodes.map(\.done), [true, true, false, false])
        let resumedJob = try DAGJob(dag: resumed.dag, expand: DAGTestSupport.FakeExpander().expand)
        var again = DAGRunState(job: resumedJob)
        XCTAssertEqual(startedNodes(again.start(), again), ["C"], "A and B are not run again; C was cut short")
    }
}
