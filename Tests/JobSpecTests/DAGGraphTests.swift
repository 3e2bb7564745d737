import XCTest
@testable import JobSpec

/// Topological order, critical path, readiness and expansion into tasks.
final class DAGGraphTests: XCTestCase {
    private func parse(_ text: String) throws -> DAG {
        try DAGParser.parse(text: text, file: "g.dag", checkSubmitFiles: false)
    }

    private func assertTopological(_ dag: DAG, _ order: [Int], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(order.count, dag.nodes.count, file: file, line: line)
        var place = [Int](repeating: -1, count: dag.nodes.count)
        for (i, node) in order.enumerated() { place[node] = i }
        XCTAssertFalse(place.contains(-1), "every node appears", file: file, line: line)
        for node in dag.nodes.indices {
            for child in dag.children[node] where place[node] >= place[Int(child)] {
                XCTFail("\(dag.nodes[node].name) must come before \(dag.nodes[Int(child)].name)", file: file, line: line)
                return
            }
        }
    }

    func testOrderAndCriticalPathOfADiamondWithFinal() throws {
        let dag = try parse("FINAL F f\nJOB D d\nJOB C c\nJOB B b\nJOB A a\nPARENT A CHILD B C\nPARENT B C CHILD D\nJOB E e\n")
        let order = try dag.topologicalOrder()
        assertTopological(dag, order)
        XCTAssertEqual(dag.nodes[order.last!].name, "F", "the FINAL node comes last")
        XCTAssertEqual(try dag.criticalPathLength(), 4, "A, B or C, D, then FINAL")
        XCTAssertEqual(try parse("JOB A a\nJOB B b\n").criticalPathLength(), 1)
        XCTAssertEqual(try parse("").criticalPathLength(), 0)
    }

    func testReadinessCountsUnfinishedParents() throws {
        let dag = try parse("JOB A a\nJOB B b\nJOB C c\nPARENT A B CHILD C\n")
        var readiness = DAGReadiness(dag)
        XCTAssertEqual(readiness.unfinishedParents, [0, 0, 2])
        XCTAssertEqual(readiness.complete(0), [])
        XCTAssertFalse(readiness.isReady(2))
        XCTAssertEqual(readiness.complete(1), [2])
        XCTAssertTrue(readiness.isReady(2))
    }

    func testHundredThousandNodesWideFanOutAndLongChain() throws {
        let nodeCount = 100_000
        let dag = try DAGParser.parse(text: DAGGenerator.wideAndLong(nodeCount: nodeCount), file: "big.dag",
                                      checkSubmitFiles: false)
        XCTAssertEqual(dag.nodes.count, nodeCount)
        let chain = nodeCount - 1 - (nodeCount - 1) / 2
        XCTAssertEqual(dag.edgeCount, (nodeCount - 1) / 2 + chain)
        let order = try dag.topologicalOrder()
        assertTopological(dag, order)
        XCTAssertEqual(try dag.criticalPathLength(), 1 + chain)

        // Run it: one proc per node, each finishing in the order the state machine starts them.
        let job = try DAGJob(dag: dag) { (_, _, _, node) throws(JobSpecError) in
            [TaskSpec(position: 0, arrayIndex: 0, command: .argv(["true", node]), source: SourceLocation(file: "n.sub", line: 1))]
        }
        XCTAssertEqual(job.taskCount, nodeCount)
        var state = DAGRunState(job: job)
        var pending = state.start()
        var started = 0
        var outcome: DAGOutcome?
        var finishedNodes = Set<Int>()
        while let action = pending.popLast() {
            switch action {
            case .startProcs(let node, let positions, _):
                for parent in dag.parents[node] {
                    XCTAssertTrue(finishedNodes.contains(Int(parent)), "a node starts only after its parents")
                }
                started += 1
                finishedNodes.insert(node)
                pending += state.procFinished(position: positions.lowerBound, outcome: .exited(0))
            case .finished(let result): outcome = result
            default: XCTFail("unexpected \(action)")
            }
        }
        XCTAssertEqual(started, nodeCount)
        XCTAssertEqual(outcome?.succeeded, true)
        XCTAssertEqual(state.stateCounts[DAGNodeState.done.rawValue], nodeCount)
    }

    func testLongNoopChainDoesNotRecurse() throws {
        var text = "JOB N0 x NOOP\n"
        for i in 1..<50_000 { text += "JOB N\(i) x NOOP\nPARENT N\(i - 1) CHILD N\(i)\n" }
        var (_, state) = try DAGTestSupport.run(text)
        XCTAssertEqual(finishedOutcome(state.start())?.succeeded, true)
    }

    func testJobLaysOutProcsInTopologicalOrderWithPrerequisites() throws {
        let dag = try parse("""
        JOB D d.sub
        JOB A a.sub DIR wa
        JOB N n.sub NOOP
        JOB B b.sub
        JOB Done done.sub DONE
        FINAL F f.sub
        VARS A PROCS="2" greeting="hi"
        VARS B PROCS="3" JOB="custom"
        PARENT A CHILD N
        PARENT N Done CHILD B
        PARENT B CHILD D
        """)
        let expander = DAGTestSupport.FakeExpander()
        let job = try DAGJob(dag: dag, expand: expander.expand)
        XCTAssertEqual(expander.calls.map(\.node), ["A", "B", "D", "F"], "NOOP and DONE nodes are not expanded")
        XCTAssertEqual(expander.calls[0].directory, "wa")
        XCTAssertEqual(expander.calls[0].vars, ["PROCS": "2", "greeting": "hi", "JOB": "A", "RETRY": "0",
                                                "DAG_PARENT_NAMES": "", "DAG_STATUS": "0", "FAILED_COUNT": "0"])
        XCTAssertEqual(expander.calls[1].vars["DAG_PARENT_NAMES"], "N,Done", "B's parents, for $(DAG_PARENT_NAMES)")
        XCTAssertEqual(expander.calls[1].vars["JOB"], "custom", "a user's VARS JOB is kept")
        let a = dag.node(named: "A")!, b = dag.node(named: "B")!, d = dag.node(named: "D")!, f = dag.node(named: "F")!
        XCTAssertEqual(job.positions(of: a), 0..<2)
        XCTAssertEqual(job.positions(of: b), 2..<5)
        XCTAssertEqual(job.positions(of: d), 5..<6)
        XCTAssertEqual(job.positions(of: f), 6..<7)
        XCTAssertEqual(job.positions(of: dag.node(named: "N")!), 2..<2)
        XCTAssertEqual((0..<job.taskCount).map(job.node(ofPosition:)), [a, a, b, b, b, d, f])
        XCTAssertEqual(job.tasks.map(\.position), Array(0..<7))
        XCTAssertEqual(job.prerequisites(of: 0), [])
        XCTAssertEqual(job.prerequisites(of: 3), [0, 1], "through the NOOP node to A; the DONE parent needs nothing")
        XCTAssertEqual(job.prerequisites(of: 5), [2, 3, 4])
        XCTAssertEqual(job.prerequisites(of: 6), [0, 1, 2, 3, 4, 5], "FINAL waits for everything")
        let task = job.task(at: 2)
        XCTAssertEqual(task.maxRetries, 0, "retries are per node")
        XCTAssertEqual(task.label, "B: echo B b.sub 0", "the label names the node")
        XCTAssertEqual(task.arrayIndex, 0)
        XCTAssertEqual(job.task(at: 1).workingDirectory, "wa")
        XCTAssertEqual(job.name, "g")
    }

    func testExpansionErrorsPropagate() throws {
        let dag = try parse("JOB A a.sub\n")
        XCTAssertThrowsError(try DAGJob(dag: dag) { (file, _, _, _) throws(JobSpecError) in
            throw JobSpecError("bad submit file", file: file, line: 3)
        }) { XCTAssertEqual(($0 as! JobSpecError).location, SourceLocation(file: "a.sub", line: 3)) }
    }
}
