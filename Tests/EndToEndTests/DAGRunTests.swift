import Foundation
import TestSupport
import XCTest

/// DAGMan DAG files run for real under `mpirun -np 4` (scheduler, name server, 2 workers):
/// order, retries and rescue, scripts, abort, categories, splices, interruption; and the
/// barrier of plain task lists.
final class DAGRunTests: XCTestCase {
    /// A node's submit file that runs `sh -c COMMAND` from the DAG's folder.
    private func submit(_ command: String) -> String {
        "executable = /bin/sh\narguments = \"-c '\(command)'\"\nqueue\n"
    }

    /// Writes `FILE.sub` for each node command, and the DAG.
    private func writeDAG(_ dag: String, nodes: [String: String], in folder: URL, name: String = "w.dag") throws {
        for (node, command) in nodes { try Harness.write(submit(command), to: "\(node).sub", in: folder) }
        try Harness.write(dag, to: name, in: folder)
    }

    private func lines(_ name: String, in folder: URL) -> [String] {
        (Harness.read(name, in: folder) ?? "").split(separator: "\n").map(String.init)
    }

    /// The journal's `started` records, as (position, attempt).
    private func starts(in folder: URL, state: String = "w.dag.taskfarm") -> [(position: Int, attempt: Int)] {
        lines("\(state)/journal", in: folder).compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count > 3, fields[1] == "started" else { return nil }
            return (Int(fields[2])!, Int(fields[3])!)
        }
    }

    /// Nanosecond stamps a node writes around a 1 s sleep: `NAME.t` holds start, then end.
    private let stamp = "date +%s%N > $(node).t; sleep 1; date +%s%N >> $(node).t"

    private func interval(_ node: String, in folder: URL) throws -> (start: Int, end: Int) {
        let values = lines("\(node).t", in: folder).compactMap { Int($0) }
        guard values.count == 2 else { throw XCTSkip("node \(node) left no complete stamps") }
        return (values[0], values[1])
    }

    func testDiamondRunsParentsBeforeChildrenAndSiblingsTogether() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("executable = /bin/sh\narguments = \"-c '\(stamp)'\"\nqueue\n", to: "s.sub", in: folder)
        try Harness.write("""
            JOB A s.sub
            JOB B s.sub
            JOB C s.sub
            JOB D s.sub
            VARS A node="A"
            VARS B node="B"
            VARS C node="C"
            VARS D node="D"
            PARENT A CHILD B C
            PARENT B C CHILD D
            """, to: "w.dag", in: folder)
        let run = try Harness.taskfarm(["run", "w.dag"], ranks: 4, in: folder)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("4 nodes: 4 done, 0 failed"), run.stdout)
        let a = try interval("A", in: folder), b = try interval("B", in: folder)
        let c = try interval("C", in: folder), d = try interval("D", in: folder)
        XCTAssertLessThanOrEqual(a.end, b.start)
        XCTAssertLessThanOrEqual(a.end, c.start)
        XCTAssertLessThanOrEqual(b.end, d.start)
        XCTAssertLessThanOrEqual(c.end, d.start)
        // Two free workers and two ready nodes: B and C overlap.
        XCTAssertLessThan(max(b.start, c.start), min(b.end, c.end), "B and C did not run in parallel")
    }

    func testDiamondExampleChecksItsResult() throws {
        let folder = try Harness.temporaryFolder()
        let example = Harness.packageRoot.appendingPathComponent("Examples/dag/diamond")
        for name in ["diamond.dag", "step.sub", "step.sh"] {
            try FileManager.default.copyItem(at: example.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let run = try Harness.taskfarm(["run", "diamond.dag"], ranks: 4, in: folder)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(Harness.read("check.log", in: folder)?.contains("diamond check passed") == true)
        XCTAssertTrue(Harness.read("diamond.dot", in: folder)?.contains("\"A\" -> \"B\";") == true, "no DOT file")
        XCTAssertTrue(Harness.read("diamond.status", in: folder)?.contains("NodesDone = 4;") == true, "no node status file")
        let status = try Harness.run(Harness.taskfarm, ["status", "diamond.dag.taskfarm"], in: folder)
        XCTAssertTrue(status.stdout.contains("DAG diamond.dag succeeded: 4 nodes: 4 done"), status.stdout)
    }

    func testSweepExampleRunsItsProcsAndChecksTheReduction() throws {
        let folder = try Harness.temporaryFolder()
        let example = Harness.packageRoot.appendingPathComponent("Examples/dag/sweep")
        for name in ["sweep.dag", "prepare.sub", "sweep.sub", "reduce.sub", "steps.sh"] {
            try FileManager.default.copyItem(at: example.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let run = try Harness.taskfarm(["run", "sweep.dag"], ranks: 4, in: folder)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("10 of 10 tasks succeeded"), run.stdout)
        XCTAssertTrue(Harness.read("logs/reduce.log", in: folder)?.contains("sweep check passed") == true)
        XCTAssertTrue(Harness.read("sweep.dag.taskfarm/dag-scripts/reduce.post.out", in: folder)?.contains("sweep check passed") == true)
    }

    /// ../shared/cases/dag/retry.dag: B is tried exactly 3 times, the DAG fails, the rescue
    /// file marks A done, and the rerun runs only B (again 3 times: retries start from zero).
    func testSharedRetryCaseWritesARescueThatRerunsOnlyB() throws {
        let folder = try Harness.temporaryFolder()
        for name in ["retry.dag", "a.sub", "b.sub"] {
            try FileManager.default.copyItem(at: Harness.fixtures.appendingPathComponent("dag-retry/\(name)"),
                                             to: folder.appendingPathComponent(name))
        }
        let first = try Harness.taskfarm(["run", "retry.dag"], ranks: 4, in: folder)
        XCTAssertEqual(first.status, 1, first.stdout + first.stderr)
        // Positions: A is 0, B is 1 (topological order).
        let firstStarts = starts(in: folder, state: "retry.dag.taskfarm")
        XCTAssertEqual(firstStarts.filter { $0.position == 0 }.count, 1)
        XCTAssertEqual(firstStarts.filter { $0.position == 1 }.map(\.attempt), [1, 2, 3])
        let rescue = try XCTUnwrap(Harness.read("retry.dag.rescue001", in: folder), "no rescue file")
        XCTAssertTrue(rescue.contains("\nDONE A\n"), rescue)
        XCTAssertFalse(rescue.contains("DONE B"), rescue)

        let second = try Harness.taskfarm(["run", "retry.dag"], ranks: 4, in: folder)
        XCTAssertEqual(second.status, 1, second.stdout + second.stderr)
        XCTAssertTrue(second.stdout.contains("2 nodes: 1 done, 1 failed"), second.stdout)
        // Only B's proc was expanded (position 0 now), tried 3 times again.
        let secondStarts = starts(in: folder, state: "retry.dag.taskfarm")
        XCTAssertEqual(secondStarts.map(\.position), [0, 0, 0])
        XCTAssertNotNil(Harness.read("retry.dag.rescue002", in: folder), "the rerun wrote no next rescue file")
        XCTAssertNotNil(Harness.read("retry.dag.taskfarm/journal.1", in: folder), "the first run's journal was not kept")
    }

    func testUnlessExitStopsRetries() throws {
        let folder = try Harness.temporaryFolder()
        try writeDAG("""
            JOB X x.sub
            RETRY X 3 UNLESS-EXIT 42
            JOB Y y.sub
            RETRY Y 2 UNLESS-EXIT 42
            """, nodes: ["x": "echo try >> x.log; exit 42", "y": "echo try >> y.log; exit 3"], in: folder)
        let run = try Harness.taskfarm(["run", "w.dag"], ranks: 4, in: folder)
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertEqual(lines("x.log", in: folder).count, 1, "exit 42 was retried despite UNLESS-EXIT 42")
        XCTAssertEqual(lines("y.log", in: folder).count, 3, "exit 3 was not retried twice")
        XCTAssertTrue(Harness.read("w.dag.rescue001", in: folder)?.contains("remaining attempts aborted after node returned 42") == true)
    }

    func testPostScriptTurnsAFailureIntoSuccess() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("#!/bin/sh\necho \"node $1 returned $2\"\n[ \"$2\" = 1 ]\n", to: "post.sh", in: folder, executable: true)
        try writeDAG("""
            JOB P p.sub
            SCRIPT POST P post.sh $JOB $RETURN
            JOB Q q.sub
            PARENT P CHILD Q
            """, nodes: ["p": "exit 1", "q": "echo ran > q.log"], in: folder)
        let run = try Harness.taskfarm(["run", "w.dag"], ranks: 4, in: folder)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertEqual(Harness.read("q.log", in: folder), "ran\n", "the child of a rescued node did not run")
        XCTAssertEqual(Harness.read("w.dag.taskfarm/dag-scripts/P.post.out", in: folder), "node P returned 1\n")
        XCTAssertNil(Harness.read("w.dag.rescue001", in: folder), "a rescue file after success")
    }

    /// A node with `DIR`: its submit file, procs and scripts all work from that folder.
    func testNodeDirectoryHoldsItsSubmitFileProcsAndScripts() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("#!/bin/sh\npwd > pre.log\n", to: "sub/pre.sh", in: folder, executable: true)
        try Harness.write(submit("pwd > job.log"), to: "sub/n.sub", in: folder)
        try Harness.write("JOB N n.sub DIR sub\nSCRIPT PRE N pre.sh\n", to: "w.dag", in: folder)
        let run = try Harness.taskfarm(["run", "w.dag"], ranks: 4, in: folder)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let expected = folder.appendingPathComponent("sub").resolvingSymlinksInPath().path
        for log in ["sub/pre.log", "sub/job.log"] {
            let seen = try XCTUnwrap(Harness.read(log, in: folder), "\(log) missing")
            XCTAssertEqual(URL(fileURLWithPath: seen.trimmingCharacters(in: .newlines)).resolvingSymlinksInPath().path, expected)
        }
    }

    func testPreScriptFailureSkipsTheJobAndDefersReruns() throws {
        let folder = try Harness.temporaryFolder()
        // The PRE script asks to be run again (DEFER 5 1) until it has run twice.
        try Harness.write("#!/bin/sh\necho pre >> pre.log\n[ $(wc -l < pre.log) -ge 2 ] || exit 5\n", to: "pre.sh",
                          in: folder, executable: true)
        try writeDAG("""
            JOB A a.sub
            SCRIPT DEFER 5 1 PRE A pre.sh
            JOB B b.sub
            SCRIPT PRE B /bin/false
            JOB C c.sub
            PARENT B CHILD C
            """, nodes: ["a": "echo a > a.log", "b": "echo b > b.log", "c": "echo c > c.log"], in: folder)
        let run = try Harness.taskfarm(["run", "w.dag"], ranks: 4, in: folder)
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertEqual(lines("pre.log", in: folder).count, 2, "the deferred PRE script did not run again")
        XCTAssertEqual(Harness.read("a.log", in: folder), "a\n")
        XCTAssertNil(Harness.read("b.log", in: folder), "B's job ran although its PRE script failed")
        XCTAssertNil(Harness.read("c.log", in: folder), "a futile node ran")
        XCTAssertTrue(run.stdout.contains("3 nodes: 1 done, 1 failed, 1 futile"), run.stdout)
    }

    func testAbortDagOnStopsEverythingAndWritesARescue() throws {
        let folder = try Harness.temporaryFolder()
        try writeDAG("""
            JOB A a.sub
            ABORT-DAG-ON A 7 RETURN 3
            JOB B b.sub
            JOB C c.sub
            PARENT A CHILD C
            """, nodes: ["a": "sleep 1; exit 7", "b": "echo started > b.log; sleep 60; echo finished >> b.log",
                         "c": "echo c > c.log"], in: folder)
        let run = try Harness.taskfarm(["run", "w.dag"], ranks: 4, in: folder, timeout: 50)
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("aborted by ABORT-DAG-ON with RETURN 3"), run.stdout)
        XCTAssertEqual(Harness.read("b.log", in: folder), "started\n", "B was not stopped")
        XCTAssertNil(Harness.read("c.log", in: folder), "a child of the aborting node ran")
        let rescue = try XCTUnwrap(Harness.read("w.dag.rescue001", in: folder))
        XCTAssertFalse(rescue.contains("\nDONE "), rescue)
    }

    /// After an abort the FINAL node still runs, and its success decides the DAG's (DAGMan).
    func testFinalNodeRunsAfterAnAbortAndDecides() throws {
        let folder = try Harness.temporaryFolder()
        try writeDAG("""
            JOB A a.sub
            ABORT-DAG-ON A 7 RETURN 3
            JOB B b.sub
            FINAL F f.sub
            """, nodes: ["a": "exit 7", "b": "sleep 60; echo finished > b.log", "f": "echo final > f.log"], in: folder)
        let run = try Harness.taskfarm(["run", "w.dag"], ranks: 4, in: folder, timeout: 50)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("aborted by ABORT-DAG-ON with RETURN 3"), run.stdout)
        XCTAssertEqual(Harness.read("f.log", in: folder), "final\n", "the FINAL node did not run")
        XCTAssertNil(Harness.read("b.log", in: folder), "B was not stopped")
    }

    func testCycleIsRefusedNamingItsNodes() throws {
        let folder = try Harness.temporaryFolder()
        try writeDAG("""
            JOB A a.sub
            JOB B b.sub
            JOB C c.sub
            PARENT A CHILD B
            PARENT B CHILD C
            PARENT C CHILD B
            """, nodes: ["a": "echo a > a.log", "b": "true", "c": "true"], in: folder)
        let run = try Harness.taskfarm(["run", "w.dag"], ranks: 4, in: folder)
        XCTAssertEqual(run.status, 65, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("cycle"), run.stderr)
        XCTAssertTrue(run.stderr.contains("B") && run.stderr.contains("C"), run.stderr)
        XCTAssertNil(Harness.read("a.log", in: folder), "a node ran although the DAG has a cycle")
    }

    func testSpliceRunsInsideTheOuterOrder() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write(submit("echo $(node) >> order.log"), to: "n.sub", in: folder)
        try Harness.write("JOB X n.sub\nVARS X node=\"inner-X\"\nJOB Y n.sub\nVARS Y node=\"inner-Y\"\nPARENT X CHILD Y\n",
                          to: "inner.dag", in: folder)
        try Harness.write("""
            JOB Start n.sub
            VARS Start node="start"
            SPLICE S inner.dag
            JOB End n.sub
            VARS End node="end"
            PARENT Start CHILD S
            PARENT S CHILD End
            """, to: "w.dag", in: folder)
        let run = try Harness.taskfarm(["run", "w.dag"], ranks: 4, in: folder)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertEqual(lines("order.log", in: folder), ["start", "inner-X", "inner-Y", "end"])
        XCTAssertTrue(run.stdout.contains("4 nodes: 4 done"), run.stdout)
    }

    /// One worker slot and four ready nodes: they start by PRIORITY, highest first, ties
    /// in file order.
    func testReadyNodesStartByPriority() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write(submit("echo $(node) >> order.log"), to: "n.sub", in: folder)
        try Harness.write("""
            JOB Low n.sub
            VARS Low node="low"
            JOB High n.sub
            VARS High node="high"
            PRIORITY High 10
            JOB Mid n.sub
            VARS Mid node="mid"
            PRIORITY Mid 5
            JOB Low2 n.sub
            VARS Low2 node="low2"
            """, to: "w.dag", in: folder)
        // One slot: the log's order is then the start order. With two, two nodes started
        // together race to write their line.
        let run = try Harness.taskfarm(["run", "w.dag", "--name-server-rank", "0", "--slots-per-worker", "1"],
                                       ranks: 2, in: folder)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertEqual(lines("order.log", in: folder), ["high", "mid", "low", "low2"])
    }

    func testCategoryMaxJobsIsNeverExceeded() throws {
        let folder = try Harness.temporaryFolder()
        // Each proc marks its start and end; 4 slots, 6 nodes of category c limited to 2.
        try Harness.write(submit("echo + `date +%s%N` >> c.log; sleep 0.5; echo - `date +%s%N` >> c.log"),
                          to: "c.sub", in: folder)
        let nodes = (1...6).map { "JOB N\($0) c.sub\nCATEGORY N\($0) c\n" }.joined()
        try Harness.write(nodes + "MAXJOBS c 2\n", to: "w.dag", in: folder)
        let run = try Harness.taskfarm(["run", "w.dag", "--slots-per-worker", "2"], ranks: 4, in: folder)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        // Ends sort before starts at the same nanosecond: a tie never counts as overlap.
        let events: [(time: Int, delta: Int)] = lines("c.log", in: folder).map { line in
            let parts = line.split(separator: " ")
            return (Int(parts[1]) ?? 0, parts[0] == "+" ? 1 : -1)
        }.sorted { left, right in left.time != right.time ? left.time < right.time : left.delta < right.delta }
        XCTAssertEqual(events.count, 12)
        var running = 0
        var most = 0
        for event in events {
            running += event.delta
            most = max(most, running)
        }
        XCTAssertLessThanOrEqual(most, 2, "more than MAXJOBS procs of the category ran at once")
    }

    /// SIGTERM during B: exit 75 and a rescue file with A done; the rerun runs B and C only.
    func testInterruptedDAGResumesThroughItsRescueFile() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("60\n", to: "b-seconds", in: folder)
        try writeDAG("""
            JOB A a.sub
            JOB B b.sub
            JOB C c.sub
            PARENT A CHILD B
            PARENT B CHILD C
            """, nodes: ["a": "echo a >> a.log", "b": "echo b >> b.log; sleep `cat b-seconds`", "c": "echo c >> c.log"],
            in: folder)
        let process = try Harness.start(["run", "w.dag"], ranks: 4, in: folder, stdout: "first.out")
        let deadline = Date().addingTimeInterval(60)
        while Harness.read("b.log", in: folder) == nil, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertNotNil(Harness.read("b.log", in: folder), "B never started")
        process.signal(SIGTERM)
        XCTAssertNotNil(process.wait(timeout: 30), "the DAG did not stop after SIGTERM")
        let verdict = try XCTUnwrap(Harness.read("w.dag.taskfarm/verdict.json", in: folder))
        XCTAssertTrue(verdict.contains("\"exitStatus\": 75"), verdict)
        XCTAssertTrue(Harness.read("first.out", in: folder)?.contains("DAG w.dag interrupted") == true)
        let rescue = try XCTUnwrap(Harness.read("w.dag.rescue001", in: folder), "no rescue file after SIGTERM")
        XCTAssertTrue(rescue.contains("\nDONE A\n"), rescue)
        XCTAssertFalse(rescue.contains("DONE B"), rescue)

        try Harness.write("0\n", to: "b-seconds", in: folder)
        let resumed = try Harness.taskfarm(["run", "w.dag"], ranks: 4, in: folder)
        XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
        XCTAssertEqual(lines("a.log", in: folder).count, 1, "A ran again although the rescue file marks it done")
        XCTAssertEqual(lines("b.log", in: folder).count, 2)
        XCTAssertEqual(lines("c.log", in: folder).count, 1)
        XCTAssertTrue(resumed.stdout.contains("3 nodes: 3 done"), resumed.stdout)
    }

    func testRescueFromPicksAGivenRescueFileAndRetiresNewerOnes() throws {
        let folder = try Harness.temporaryFolder()
        try writeDAG("JOB A a.sub\nJOB B b.sub\nPARENT A CHILD B\n",
                     nodes: ["a": "echo a >> a.log", "b": "echo b >> b.log; exit 1"], in: folder)
        try Harness.write("DONE A\n", to: "w.dag.rescue001", in: folder)
        try Harness.write("DONE A\nDONE B\n", to: "w.dag.rescue002", in: folder)
        let run = try Harness.taskfarm(["run", "w.dag", "--rescue-from", "1"], ranks: 4, in: folder)
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertNil(Harness.read("a.log", in: folder), "A ran although rescue001 marks it done")
        XCTAssertEqual(lines("b.log", in: folder).count, 1, "B did not run: the newest rescue file was used")
        XCTAssertNotNil(Harness.read("w.dag.rescue002.old", in: folder), "the newer rescue file was not retired")
        XCTAssertEqual(Harness.read("w.dag.rescue002", in: folder).map { $0.contains("DONE A") }, true,
                       "the next rescue file should follow the one used")
    }

    /// A DAG's procs share array indexes (each node's first is 0), so `status` numbers them by
    /// position, and `status --task`, `output`, `report`, `status --json` and the end-of-run
    /// line use the same numbers; every proc is reachable. The tasks are rebuilt with the
    /// rescue file the run read (none here), not the one it wrote at its end, which marks A
    /// and B done and would leave C alone at position 0.
    func testStatusOutputAndReportOfADAGNameEachProcByTheNumberStatusShows() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("""
            executable = /bin/sh
            arguments = "-c 'echo node $(JOB) proc $(Process); exit $(code)'"
            output = $(JOB).$(Process).out
            error = $(JOB).$(Process).err
            queue $(n)
            """, to: "node.sub", in: folder)
        try Harness.write("""
            JOB A node.sub
            VARS A code="0" n="2"
            JOB B node.sub
            VARS B code="0" n="3"
            JOB C node.sub
            VARS C code="1" n="1"
            PARENT A CHILD B
            PARENT B CHILD C
            """, to: "w.dag", in: folder)
        let run = try Harness.taskfarm(["run", "w.dag"], ranks: 3, in: folder)
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertTrue(Harness.read("w.dag.rescue001", in: folder)?.contains("DONE B") == true, "C failed: the rescue file marks A and B done")
        // A is positions 0-1, B 2-4, C 5.
        XCTAssertTrue(run.stdout.contains("first failures at index 5\n"), run.stdout)
        let verdict = try XCTUnwrap(Harness.read("w.dag.taskfarm/verdict.json", in: folder))
        XCTAssertTrue(verdict.contains("\"firstFailures\": [5]"), verdict)
        let json = try Harness.run(Harness.taskfarm, ["status", "w.dag", "--json"], in: folder)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        let failed = try XCTUnwrap(object["failed"] as? [[String: Any]], json.stdout)
        XCTAssertEqual(failed.map { $0["index"] as? Int }, [5], json.stdout)
        XCTAssertEqual(failed.map { $0["position"] as? Int }, [5], json.stdout)
        let status = try Harness.run(Harness.taskfarm, ["status", "w.dag"], in: folder)
        XCTAssertTrue(status.stdout.contains("\n  task 5  attempt 1  exit 1"), status.stdout)

        for (number, node, proc) in [(0, "A", 0), (1, "A", 1), (2, "B", 0), (3, "B", 1), (4, "B", 2), (5, "C", 0)] {
            let output = try Harness.run(Harness.taskfarm, ["output", "w.dag", "\(number)"], in: folder)
            XCTAssertEqual(output.stdout, "node \(node) proc \(proc)\n", "output w.dag \(number): \(output.stderr)")
            let story = try Harness.run(Harness.taskfarm, ["status", "w.dag", "--task", "\(number)"], in: folder)
            XCTAssertEqual(story.status, 0, story.stderr)
            XCTAssertTrue(story.stdout.hasPrefix("task \(number) (position \(number)): \(node == "C" ? "failed" : "succeeded")\n"),
                          story.stdout)
            XCTAssertTrue(story.stdout.contains("  node:    \(node), proc \(proc) of \(["A": 2, "B": 3, "C": 1][node]!)\n"), story.stdout)
            XCTAssertTrue(story.stdout.contains("echo node \(node) proc \(proc); exit"), story.stdout)
            XCTAssertTrue(story.stdout.contains("/\(node).\(proc).out\n"), story.stdout)
        }
        let unknown = try Harness.run(Harness.taskfarm, ["output", "w.dag", "6"], in: folder)
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("the run's 6 tasks"), unknown.stderr)

        XCTAssertEqual(try Harness.run(Harness.taskfarm, ["report", "w.dag", "-o", "r.html"], in: folder).status, 0)
        let html = try XCTUnwrap(Harness.read("r.html", in: folder))
        XCTAssertTrue(html.contains("6 tasks, 6 attempts"), "every proc's attempt is drawn")
        XCTAssertTrue(html.contains("echo node C proc 0; exit 1"), "C's command is in the failures table")
    }

    func testSignalDeathIsRetriedLikeAFailure() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("#!/bin/sh\necho try >> k.log\nkill -9 $$\n", to: "k.sh", in: folder, executable: true)
        try Harness.write("executable = k.sh\nqueue\n", to: "k.sub", in: folder)
        try Harness.write("JOB K k.sub\nRETRY K 1\n", to: "w.dag", in: folder)
        let run = try Harness.taskfarm(["run", "w.dag"], ranks: 4, in: folder)
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertEqual(lines("k.log", in: folder).count, 2, "a death by signal was not retried")
        let status = try Harness.run(Harness.taskfarm, ["status", "w.dag.taskfarm"], in: folder)
        XCTAssertTrue(status.stdout.contains("K: job died on signal 9"), status.stdout)
    }

    /// `#TASKFARM BARRIER`: the task after it starts only once every task before it ended.
    func testBarrierInATaskListWaitsForEveryEarlierTask() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("""
            sleep 1; echo one >> done.log
            sleep 1; echo two >> done.log
            sleep 1; echo three >> done.log
            #TASKFARM BARRIER
            wc -l < done.log > seen.log
            #DISBATCH BARRIER
            cat seen.log > seen2.log
            """, to: "t.txt", in: folder)
        let run = try Harness.taskfarm(["run", "t.txt"], ranks: 4, in: folder)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertEqual(Harness.read("seen.log", in: folder)?.trimmingCharacters(in: .whitespacesAndNewlines), "3",
                       "the task after the barrier started before the tasks above it ended")
        XCTAssertEqual(Harness.read("seen2.log", in: folder)?.trimmingCharacters(in: .whitespacesAndNewlines), "3")
    }
}
