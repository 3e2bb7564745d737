import XCTest
@testable import JobSpec

/// DOT, the node status file, `taskfarm check`'s report, and task-list barriers.
final class DAGOutputTests: XCTestCase {
    private let diamond = "JOB A a.sub\nJOB B b.sub\nJOB C c.sub\nJOB D d.sub\nPARENT A CHILD B C\nPARENT B C CHILD D\n"

    func testDotListsNodesAndEdgesWithQuotedNames() throws {
        let dag = try DAGParser.parse(text: diamond + "JOB \"odd\" x NOOP\n", file: "d.dag", checkSubmitFiles: false)
        let dot = DAGDot.render(dag)
        XCTAssertTrue(dot.hasPrefix("digraph DAG {\n"))
        XCTAssertTrue(dot.hasSuffix("}\n"))
        for edge in ["\"A\" -> \"B\";", "\"A\" -> \"C\";", "\"B\" -> \"D\";", "\"C\" -> \"D\";"] {
            XCTAssertTrue(dot.contains(edge), edge)
        }
        XCTAssertEqual(dot.components(separatedBy: " -> ").count - 1, 4)
        XCTAssertTrue(dot.contains("\"\\\"odd\\\"\" [shape=box"), dot)
    }

    func testDotShowsStatesDuringARun() throws {
        var (_, state) = try DAGTestSupport.run(diamond)
        _ = state.start()
        let dot = DAGDot.render(state.dag, state: state.state(of:))
        XCTAssertTrue(dot.contains("label=\"A (running)\""), dot)
        XCTAssertTrue(dot.contains("label=\"D (waiting)\""), dot)
    }

    func testNodeStatusFileFollowsDAGMansFormat() throws {
        var (job, state) = try DAGTestSupport.run(diamond + "JOB E e.sub DONE\nRETRY B 1\n")
        _ = state.start()
        _ = state.procFinished(position: job.positions(of: 0).lowerBound, outcome: .exited(0))
        _ = state.procFinished(position: job.positions(of: 1).lowerBound, outcome: .exited(1))
        let text = DAGNodeStatusFile.render(state, dagFiles: ["d.dag"], now: Date(timeIntervalSince1970: 1000),
                                            nextUpdate: Date(timeIntervalSince1970: 1060))
        XCTAssertTrue(text.hasPrefix("[\n  Type = \"DagStatus\";\n  DagFiles = {\n    \"d.dag\"\n  };\n  Timestamp = 1000;\n"), text)
        XCTAssertTrue(text.contains("  DagStatus = 3; /* \"STATUS_SUBMITTED ()\" */\n"), text)
        XCTAssertTrue(text.contains("  NodesTotal = 5;\n  NodesDone = 2;\n  NodesPre = 0;\n  NodesQueued = 2;\n"), text)
        XCTAssertTrue(text.contains("  NodesUnready = 1;\n  NodesFutile = 0;\n  NodesFailed = 0;\n"), text)
        XCTAssertTrue(text.contains("  Node = \"B\";\n  NodeStatus = 3; /* \"STATUS_SUBMITTED\" */\n  StatusDetails = \"\";\n  RetryCount = 1;\n  JobProcsQueued = 1;\n"), text)
        XCTAssertTrue(text.contains("  Node = \"E\";\n  NodeStatus = 5; /* \"STATUS_DONE\" */\n  StatusDetails = \"User defined as DONE\";\n"), text)
        XCTAssertTrue(text.hasSuffix("[\n  Type = \"StatusEnd\";\n  EndTime = 1000;\n  NextUpdate = 1060;\n]\n"), text)

        let folder = try DAGTestSupport.folder([:], testCase: self)
        try DAGNodeStatusFile.write(text, to: folder + "/s.status")
        XCTAssertEqual(try String(contentsOfFile: folder + "/s.status", encoding: .utf8), text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/s.status.tmp"))
    }

    func testCheckReportListsNodesInOrderWithTasksAndCriticalPath() throws {
        let dag = try DAGParser.parse(text: diamond + "RETRY B 2 UNLESS-EXIT 42\nCATEGORY C io\nMAXJOBS io 1\nVARS D PROCS=\"2\"\n",
                                      file: "d.dag", checkSubmitFiles: false)
        let job = try DAGJob(dag: dag, expand: DAGTestSupport.FakeExpander().expand)
        let report = try DAGCheck.render(dag, job: job)
        XCTAssertTrue(report.hasPrefix("DAG d.dag: 4 nodes, 4 edges, critical path 3 nodes, 5 tasks\n"), report)
        XCTAssertTrue(report.contains("categories: io maxjobs 1\n"), report)
        XCTAssertTrue(report.contains("B  b.sub  [retry 2 unless-exit 42]  after A\n    task 1: echo B b.sub 0\n"), report)
        XCTAssertTrue(report.contains("D  d.sub  [vars PROCS=\"2\"]  after B C\n    task 3: echo D d.sub 0\n    task 4: echo D d.sub 1\n"), report)
        let lines = report.split(separator: "\n").filter { !$0.hasPrefix(" ") }.dropFirst(2).map { $0.prefix(1) }
        XCTAssertEqual(lines.first, "A")
        XCTAssertEqual(lines.last, "D")
    }

    func testBarrierDirectiveSyntax() {
        XCTAssertTrue(TaskListBarriers.isBarrier("#DISBATCH BARRIER"))
        XCTAssertTrue(TaskListBarriers.isBarrier("  #disbatch barrier stage2"))
        XCTAssertTrue(TaskListBarriers.isBarrier("#TASKFARM BARRIER"))
        XCTAssertFalse(TaskListBarriers.isBarrier("BARRIER"), "a bare BARRIER line stays a command")
        XCTAssertFalse(TaskListBarriers.isBarrier("# DISBATCH BARRIER"))
        XCTAssertFalse(TaskListBarriers.isBarrier("#DISBATCH PREFIX x"))
    }

    func testBarrierPrerequisitesCoverEveryEarlierTaskByInduction() {
        // tasks 0 1 2 | 3 4 | | 5 ; a barrier at the top too
        let barriers = TaskListBarriers(tasksBefore: [0, 3, 5, 5])
        XCTAssertEqual(barriers.prerequisites(of: 0), 0..<0)
        XCTAssertEqual(barriers.prerequisites(of: 2), 0..<0)
        XCTAssertEqual(barriers.prerequisites(of: 3), 0..<3)
        XCTAssertEqual(barriers.prerequisites(of: 4), 0..<3)
        XCTAssertEqual(barriers.prerequisites(of: 5), 3..<5, "two barriers in a row act as one")
        XCTAssertEqual(barriers.prerequisites(of: 9), 3..<5)
        XCTAssertEqual(TaskListBarriers(tasksBefore: []).prerequisites(of: 4), 0..<0)

        // Closing the "waits for" relation gives every earlier task.
        func closure(_ position: Int) -> Set<Int> {
            var result = Set<Int>()
            var pending = Array(barriers.prerequisites(of: position))
            while let p = pending.popLast() {
                if result.insert(p).inserted { pending += barriers.prerequisites(of: p) }
            }
            return result
        }
        XCTAssertEqual(closure(5), Set(0..<5))
        XCTAssertEqual(closure(4), Set(0..<3))
    }
}
