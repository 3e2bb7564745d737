import XCTest
@testable import JobSpec

final class DAGRunStateTests: XCTestCase {
    private let diamond = "JOB A a.sub\nJOB B b.sub\nJOB C c.sub\nJOB D d.sub\nPARENT A CHILD B C\nPARENT B C CHILD D\n"

    /// Finishes the single proc of `name` and returns the actions.
    private func finish(_ name: String, _ outcome: DAGProcOutcome, _ job: DAGJob, _ state: inout DAGRunState) -> [DAGAction] {
        let node = state.node(name)
        let range = job.positions(of: node)
        XCTAssertEqual(range.count, 1, "helper expects one proc")
        return state.procFinished(position: range.lowerBound, outcome: outcome)
    }

    func testDiamondRunsInOrder() throws {
        var (job, state) = try DAGTestSupport.run(diamond)
        XCTAssertEqual(startedNodes(state.start(), state), ["A"])
        XCTAssertEqual(state.state(of: state.node("D")), .notReady)
        XCTAssertEqual(Set(startedNodes(finish("A", .exited(0), job, &state), state)), ["B", "C"])
        XCTAssertEqual(startedNodes(finish("B", .exited(0), job, &state), state), [], "D still waits for C")
        let last = finish("C", .exited(0), job, &state)
        XCTAssertEqual(startedNodes(last, state), ["D"])
        let end = finish("D", .exited(0), job, &state)
        XCTAssertEqual(finishedOutcome(end), DAGOutcome(succeeded: true, exitCode: 0, aborted: false, failedNodes: 0))
        XCTAssertEqual(state.stateCounts[DAGNodeState.done.rawValue], 4)
    }

    func testFailedNodeMakesDescendantsFutileAndIndependentBranchesGoOn() throws {
        var (job, state) = try DAGTestSupport.run(diamond + "JOB E e.sub\nJOB F f.sub\nPARENT E CHILD F\nPARENT D CHILD F\n")
        XCTAssertEqual(Set(startedNodes(state.start(), state)), ["A", "E"])
        _ = finish("A", .exited(0), job, &state)
        XCTAssertTrue(finish("B", .exited(3), job, &state).isEmpty)
        XCTAssertEqual(state.state(of: state.node("B")), .failed)
        XCTAssertEqual(state.state(of: state.node("D")), .futile)
        XCTAssertEqual(state.state(of: state.node("F")), .futile, "futile reaches every descendant")
        XCTAssertEqual(state.records[state.node("D")].details, "Had an ancestor node fail")
        XCTAssertEqual(startedNodes(finish("E", .exited(0), job, &state), state), [], "F has a futile parent")
        let end = finish("C", .exited(0), job, &state)
        XCTAssertEqual(finishedOutcome(end), DAGOutcome(succeeded: false, exitCode: 1, aborted: false, failedNodes: 1))
        XCTAssertEqual(state.stateCounts[DAGNodeState.futile.rawValue], 2)
        XCTAssertEqual(state.stateCounts[DAGNodeState.done.rawValue], 3)
    }

    func testRetryFixtureSemantics() throws {
        let dag = try DAGParser.parse(file: "retry.dag", workingDirectory: DAGTestSupport.fixtures)
        let job = try DAGJob(dag: dag, expand: DAGTestSupport.FakeExpander().expand)
        var state = DAGRunState(job: job)
        XCTAssertEqual(startedNodes(state.start(), state), ["A"])
        var attempts = startedNodes(finish("A", .exited(0), job, &state), state).filter { $0 == "B" }.count
        var last: [DAGAction] = []
        while finishedOutcome(last) == nil {
            last = finish("B", .exited(1), job, &state)
            if case .startProcs(_, _, let retry)? = last.first { XCTAssertEqual(retry, attempts) }
            attempts += startedNodes(last, state).count
            XCTAssertLessThan(attempts, 10, "runaway retries")
        }
        XCTAssertEqual(attempts, 3, "B is tried 1 + RETRY 2 times")
        XCTAssertEqual(finishedOutcome(last)?.succeeded, false)
        XCTAssertEqual(state.state(of: state.node("A")), .done)
        XCTAssertEqual(state.records[state.node("B")].retry, 2)
    }

    func testExitMatchingUnlessExitIsNotRetried() throws {
        let dag = try DAGParser.parse(file: "retry.dag", workingDirectory: DAGTestSupport.fixtures)
        let job = try DAGJob(dag: dag, expand: DAGTestSupport.FakeExpander().expand)
        var state = DAGRunState(job: job)
        _ = state.start()
        _ = finish("A", .exited(0), job, &state)
        let end = finish("B", .exited(42), job, &state)
        XCTAssertEqual(startedNodes(end, state), [])
        XCTAssertEqual(finishedOutcome(end)?.succeeded, false)
        XCTAssertEqual(state.records[state.node("B")].retry, 0)
        XCTAssertEqual(state.records[state.node("B")].lastReturn, 42)
    }

    func testSignalDeathsAreRecordedAsSignalsAndRetried() throws {
        var (job, state) = try DAGTestSupport.run("JOB B b.sub\nRETRY B 2 UNLESS-EXIT 9\n")
        XCTAssertEqual(startedNodes(state.start(), state), ["B"])
        XCTAssertEqual(startedNodes(finish("B", .signaled(9), job, &state), state), ["B"],
                       "signal 9 is -9, not exit 9, so UNLESS-EXIT 9 does not stop the retry")
        XCTAssertEqual(state.records[state.node("B")].lastSignal, 9)
        XCTAssertEqual(state.records[state.node("B")].lastReturn, -9)
        _ = finish("B", .signaled(9), job, &state)
        let end = finish("B", .signaled(15), job, &state)
        XCTAssertEqual(finishedOutcome(end)?.succeeded, false)
        XCTAssertEqual(state.records[state.node("B")].details, "job died on signal 15")
        XCTAssertEqual(state.records[state.node("B")].lastSignal, 15)
    }

    func testUnlessExitMatchesANegativeSignalNumber() throws {
        var (job, state) = try DAGTestSupport.run("JOB B b.sub\nRETRY B 2 UNLESS-EXIT -9\n")
        _ = state.start()
        XCTAssertNotNil(finishedOutcome(finish("B", .signaled(9), job, &state)))
    }

    func testPostScriptDecidesTheNodeAndGetsReturn() throws {
        var (job, state) = try DAGTestSupport.run("JOB A a.sub\nJOB B b.sub\nSCRIPT POST A post.sh $JOB $RETURN $PRE_SCRIPT_RETURN x=$RETURN\nPARENT A CHILD B\n")
        _ = state.start()
        let post = finish("A", .exited(1), job, &state)
        XCTAssertEqual(post, [.runScript(node: 0, kind: .post, argv: ["post.sh", "A", "1", "-1", "x=$RETURN"],
                                         directory: nil, delaySeconds: 0)])
        XCTAssertEqual(state.state(of: 0), .postRun)
        XCTAssertEqual(startedNodes(state.scriptFinished(node: 0, kind: .post, outcome: .exited(0)), state), ["B"],
                       "a POST script exiting 0 turns the job's failure into success")
        XCTAssertEqual(state.state(of: 0), .done)
    }

    func testPostScriptFailureFailsASuccessfulJob() throws {
        var (job, state) = try DAGTestSupport.run("JOB A a.sub\nSCRIPT POST A post.sh\n")
        _ = state.start()
        _ = finish("A", .exited(0), job, &state)
        let end = state.scriptFinished(node: 0, kind: .post, outcome: .exited(2))
        XCTAssertEqual(finishedOutcome(end)?.succeeded, false)
        XCTAssertEqual(state.records[0].lastReturn, 2)
    }

    func testPreScriptFailureSkipsJobAndPostAndRetriesWithRetryMacro() throws {
        var (_, state) = try DAGTestSupport.run("JOB A a.sub\nSCRIPT PRE A pre.sh $JOB $RETRY $MAX_RETRIES\nSCRIPT POST A post.sh\nRETRY A 1\n")
        XCTAssertEqual(state.start(), [.runScript(node: 0, kind: .pre, argv: ["pre.sh", "A", "0", "1"], directory: nil, delaySeconds: 0)])
        XCTAssertEqual(state.scriptFinished(node: 0, kind: .pre, outcome: .exited(1)),
                       [.runScript(node: 0, kind: .pre, argv: ["pre.sh", "A", "1", "1"], directory: nil, delaySeconds: 0)],
                       "the retry reruns the PRE script, not the POST script")
        let end = state.scriptFinished(node: 0, kind: .pre, outcome: .exited(1))
        XCTAssertEqual(finishedOutcome(end)?.succeeded, false)
        XCTAssertEqual(end.count, 1, "neither procs nor the POST script ran")
    }

    func testPreSkipMarksTheNodeDone() throws {
        var (_, state) = try DAGTestSupport.run("JOB A a.sub\nJOB B b.sub\nSCRIPT PRE A pre.sh\nSCRIPT POST A post.sh\nPRE_SKIP A 3\nPARENT A CHILD B\n")
        _ = state.start()
        XCTAssertEqual(startedNodes(state.scriptFinished(node: 0, kind: .pre, outcome: .exited(3)), state), ["B"])
        XCTAssertEqual(state.state(of: 0), .done)
    }

    func testPreScriptSuccessStartsProcsAndDeferRerunsTheScript() throws {
        var (_, state) = try DAGTestSupport.run("JOB A a.sub DIR w\nSCRIPT DEFER 5 30 PRE A pre.sh\n")
        _ = state.start()
        XCTAssertEqual(state.scriptFinished(node: 0, kind: .pre, outcome: .exited(5)),
                       [.runScript(node: 0, kind: .pre, argv: ["pre.sh"], directory: "w", delaySeconds: 30)])
        XCTAssertEqual(state.scriptFinished(node: 0, kind: .pre, outcome: .exited(0)),
                       [.startProcs(node: 0, positions: 0..<1, retry: 0)])
        XCTAssertEqual(state.scriptFinished(node: 0, kind: .pre, outcome: .exited(0)), [], "a stale report is ignored")
    }

    func testMultiProcNodeSucceedsOnlyWhenAllProcsDoAndFirstFailureIsReturn() throws {
        var (job, state) = try DAGTestSupport.run("JOB A a.sub\nVARS A PROCS=\"3\"\nSCRIPT POST A post.sh $RETURN\n")
        XCTAssertEqual(state.start(), [.startProcs(node: 0, positions: 0..<3, retry: 0)])
        XCTAssertEqual(job.positions(of: 0), 0..<3)
        XCTAssertEqual(state.procFinished(position: 1, outcome: .exited(7)), [.cancelProcs(node: 0, positions: 0..<3)])
        XCTAssertEqual(state.procFinished(position: 1, outcome: .exited(7)), [], "a repeated report is ignored")
        XCTAssertEqual(state.procsPending(of: 0), 2)
        XCTAssertEqual(state.procFinished(position: 0, outcome: .exited(0)), [])
        XCTAssertEqual(state.procFinished(position: 2, outcome: .cancelled),
                       [.runScript(node: 0, kind: .post, argv: ["post.sh", "7"], directory: nil, delaySeconds: 0)])
    }

    func testAbortDagOnStopsEverythingOverridesRetriesAndRunsFinal() throws {
        var (job, state) = try DAGTestSupport.run(diamond + "RETRY B 3\nABORT-DAG-ON B 10 RETURN 4\nFINAL F f.sub\n")
        _ = state.start()
        _ = finish("A", .exited(0), job, &state)
        let actions = finish("B", .exited(10), job, &state)
        XCTAssertEqual(actions.first, .abortDAG(exitCode: 4))
        XCTAssertEqual(startedNodes(actions, state), ["F"], "only the FINAL node starts")
        XCTAssertEqual(state.state(of: state.node("B")), .failed, "no retry after an abort")
        XCTAssertEqual(state.state(of: state.node("C")), .failed, "a running node is stopped")
        XCTAssertEqual(state.state(of: state.node("D")), .futile, "B failed for good")
        XCTAssertEqual(finish("C", .exited(0), job, &state), [], "reports from stopped nodes are ignored")
        let end = finish("F", .exited(0), job, &state)
        XCTAssertEqual(finishedOutcome(end), DAGOutcome(succeeded: true, exitCode: 0, aborted: true, failedNodes: 2),
                       "the FINAL node's success decides the DAG, as in DAGMan")
    }

    func testAbortWithoutFinalExitsWithTheReturnValue() throws {
        var (job, state) = try DAGTestSupport.run(diamond + "ABORT-DAG-ON B 10\n")
        _ = state.start()
        _ = finish("A", .exited(0), job, &state)
        let end = finish("B", .exited(10), job, &state)
        XCTAssertEqual(finishedOutcome(end), DAGOutcome(succeeded: false, exitCode: 10, aborted: true, failedNodes: 2))
    }

    func testAbortOnSuccessWithReturnZeroIsASuccessfulStop() throws {
        var (job, state) = try DAGTestSupport.run("JOB A a.sub\nJOB B b.sub\nPARENT A CHILD B\nABORT-DAG-ON A 0 RETURN 0\n")
        _ = state.start()
        let end = finish("A", .exited(0), job, &state)
        XCTAssertEqual(startedNodes(end, state), [], "B never starts")
        XCTAssertEqual(state.state(of: 0), .done)
        XCTAssertEqual(finishedOutcome(end)?.succeeded, true)
    }

    func testFinalRunsLastAfterFailureAndDecides() throws {
        var (job, state) = try DAGTestSupport.run("JOB A a.sub\nJOB B b.sub\nFINAL F f.sub\nSCRIPT PRE F pre.sh $DAG_STATUS $FAILED_COUNT\n")
        XCTAssertEqual(Set(startedNodes(state.start(), state)), ["A", "B"])
        XCTAssertEqual(finish("A", .exited(1), job, &state), [])
        let finalPre = finish("B", .exited(0), job, &state)
        XCTAssertEqual(finalPre, [.runScript(node: 2, kind: .pre, argv: ["pre.sh", "2", "1"], directory: nil, delaySeconds: 0)])
        _ = state.scriptFinished(node: 2, kind: .pre, outcome: .exited(0))
        let end = finish("F", .exited(1), job, &state)
        XCTAssertEqual(finishedOutcome(end), DAGOutcome(succeeded: false, exitCode: 1, aborted: false, failedNodes: 2))
    }

    func testCategoryLimitIsNeverExceededAndPriorityOrdersStarts() throws {
        var text = "MAXJOBS io 2\n"
        for i in 0..<6 { text += "JOB N\(i) n.sub\nCATEGORY N\(i) io\nPRIORITY N\(i) \(i)\n" }
        text += "JOB Free f.sub\n"
        var (job, state) = try DAGTestSupport.run(text)
        var running = Set(startedNodes(state.start(), state))
        XCTAssertEqual(running, ["Free", "N5", "N4"], "highest priorities first, unlimited nodes start at once")
        var order: [String] = ["N5", "N4"]
        running.remove("Free")
        _ = finish("Free", .exited(0), job, &state)
        while !running.isEmpty {
            XCTAssertLessThanOrEqual(state.categoryActive["io"] ?? 0, 2)
            let next = running.sorted().first!
            running.remove(next)
            let started = startedNodes(finish(next, .exited(0), job, &state), state)
            order += started
            running.formUnion(started)
            XCTAssertLessThanOrEqual(running.count, 2)
        }
        XCTAssertEqual(order, ["N5", "N4", "N3", "N2", "N1", "N0"])
        XCTAssertEqual(state.categoryActive["io"], 0)
        XCTAssertEqual(state.outcome?.succeeded, true)
    }

    func testDoneAndNoopNodesPassThrough() throws {
        var (_, state) = try DAGTestSupport.run("JOB A a.sub DONE\nJOB N n.sub NOOP\nJOB B b.sub\nPARENT A CHILD N\nPARENT N CHILD B\n")
        XCTAssertEqual(startedNodes(state.start(), state), ["B"])
        XCTAssertEqual(state.state(of: 0), .done)
        XCTAssertEqual(state.state(of: 1), .done)
    }

    func testExternalAbortStopsRunningNodesAndFinishes() throws {
        var (_, state) = try DAGTestSupport.run(diamond)
        _ = state.start()
        let actions = state.abort(exitCode: 2)
        XCTAssertEqual(actions.first, .abortDAG(exitCode: 2))
        XCTAssertEqual(finishedOutcome(actions), DAGOutcome(succeeded: false, exitCode: 2, aborted: true, failedNodes: 1))
        XCTAssertEqual(state.state(of: state.node("A")), .failed)
    }
}
