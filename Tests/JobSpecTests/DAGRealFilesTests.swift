import XCTest
@testable import JobSpec

/// What real DAG files use, from the DAGMan manual: continued lines, the SCRIPT argument
/// macros, a cycle beside a FINAL node, and a submit file made by a PRE script.
final class DAGRealFilesTests: XCTestCase {
    func testBackslashContinuesALine() throws {
        let dag = try DAGParser.parse(text: "JOB A a.sub\nJOB B \\\n   b.sub\nVARS A x=\"1\" \\\n  y=\"2\"\nPARENT A \\\n CHILD B\n",
                                      file: "t.dag", checkSubmitFiles: false)
        XCTAssertEqual(dag.nodes.map(\.submitFile), ["a.sub", "b.sub"])
        XCTAssertEqual(dag.nodes[0].vars, ["x": "1", "y": "2"])
        XCTAssertEqual(dag.children[0].map(Int.init), [1])
        let error = expectError { () throws(JobSpecError) in
            _ = try DAGParser.parse(text: "JOB A a.sub\nPARENT A \\\n CHILD Z\n", file: "t.dag", checkSubmitFiles: false)
        }
        XCTAssertEqual(error?.location.line, 2, "a continued statement is reported at its first line")
    }

    func testScriptMacros() throws {
        let script = DAGScript(kind: .post, executable: "post.sh",
                               arguments: ["$NODE", "$JOB", "$JOBID", "$CLUSTERID", "$JOB_COUNT", "$SUCCESS", "$RETURN",
                                           "$EXIT_CODES", "$EXIT_CODE_COUNTS", "$NODE_COUNT", "$DONE_COUNT",
                                           "$QUEUED_COUNT", "$FUTILE_COUNT", "$DAGID", "x$NODE"],
                               source: SourceLocation(file: "t.dag", line: 1))
        var macros = DAGScript.Macros(job: "B", retry: 0, maxRetries: 0, returnValue: 3)
        macros.nodeCount = 5
        macros.doneCount = 2
        macros.queuedCount = 1
        macros.futileCount = 1
        macros.dagID = 77
        macros.jobCount = 3
        macros.exitCodes = [3, 0, 3]
        XCTAssertEqual(script.argv(macros), ["post.sh", "B", "B", "77.0", "77", "3", "False", "3", "0,3", "0:1,3:2",
                                             "5", "2", "1", "1", "77", "x$NODE"])
        let pre = DAGScript(kind: .pre, executable: "pre.sh", arguments: ["$NODE", "$RETURN", "$JOBID", "$DAGID"],
                            source: SourceLocation(file: "t.dag", line: 1))
        XCTAssertEqual(pre.argv(macros), ["pre.sh", "B", "$RETURN", "$JOBID", "77"], "POST-only macros stay in PRE")
    }

    /// A cycle with a FINAL node: nothing else runs, FINAL sees DAG_STATUS 5, the DAG fails.
    func testACycleRunsOnlyTheFinalNodeWithStatusFive() throws {
        let (_, initial) = try DAGTestSupport.run("""
            JOB A a.sub
            JOB B b.sub
            FINAL F f.sub
            SCRIPT PRE F pre.sh $DAG_STATUS
            PARENT A CHILD B
            PARENT B CHILD A
            """)
        var state = initial
        XCTAssertTrue(state.dag.warnings.contains { $0.message.contains("cycle") && $0.message.contains("FINAL") })
        let actions = state.start()
        guard case .runScript(let node, .pre, let argv, _, _)? = actions.first else { return XCTFail("\(actions)") }
        XCTAssertEqual(state.dag.nodes[node].name, "F")
        XCTAssertEqual(argv, ["pre.sh", "5"])
        XCTAssertEqual(startedNodes(actions, state), [])
        let final = state.node("F")
        var ended = state.scriptFinished(node: final, kind: .pre, outcome: .exited(0))
        for case .startProcs(_, let positions, _) in ended {
            for position in positions { ended += state.procFinished(position: position, outcome: .exited(0)) }
        }
        XCTAssertEqual(finishedOutcome(ended)?.succeeded, false, "a cyclic DAG fails even when FINAL succeeds")
        XCTAssertThrowsError(try DAGParser.parse(text: "JOB A a\nPARENT A CHILD A\n", file: "t.dag",
                                                 checkSubmitFiles: false), "without FINAL a cycle is an error")
    }

    /// A node's submit file may be written by its PRE script: it is read then (DAGMan reads
    /// it only when it submits the node); without a PRE script a missing file is an error.
    func testSubmitFileMadeByThePreScript() throws {
        let folder = try DAGTestSupport.folder(["a.sub": "queue\n"], testCase: self)
        XCTAssertNoThrow(try DAGParser.parse(text: "JOB A a.sub\nJOB B later.sub\nSCRIPT PRE B make.sh\n", file: "t.dag",
                                             workingDirectory: folder))
        XCTAssertThrowsError(try DAGParser.parse(text: "JOB A a.sub\nJOB B later.sub\n", file: "t.dag",
                                                 workingDirectory: folder))
        let dag = try DAGParser.parse(text: "JOB B later.sub\nSCRIPT PRE B make.sh\n", file: "t.dag", workingDirectory: folder)
        let expand: DAGLateExpansion.Expander = { file, _, vars, _ throws(JobSpecError) in
            guard FileManager.default.fileExists(atPath: folder + "/" + file) else {
                throw JobSpecError("cannot read \(file)", file: file)
            }
            return [TaskSpec(position: 0, arrayIndex: 0, command: .argv(["/bin/echo", vars["JOB"] ?? ""]),
                             source: SourceLocation(file: file, line: 1))]
        }
        let job = try DAGJob(dag: dag, late: DAGLateExpansion(expand: expand), expand: expand)
        XCTAssertEqual(job.taskCount, 1)
        XCTAssertNotNil(job.task(at: 0).attributes[MachinePlacement.failureAttribute], "not readable yet")
        XCTAssertTrue(job.warnings.contains { $0.message.contains("read again after the node's PRE script") })
        try "queue\n".write(toFile: folder + "/later.sub", atomically: true, encoding: .utf8)
        job.prepareToStart(node: 0, dagStatus: 0, failedCount: 0)
        XCTAssertEqual(job.task(at: 0).command.executedArgv, ["/bin/echo", "B"])
        XCTAssertNil(job.task(at: 0).attributes[MachinePlacement.failureAttribute])
    }

    func testInlineAndNamedSubmitDescriptions() throws {
        let dag = try DAGParser.parse(text: """
            JOB A {
                executable = /bin/echo
                arguments = a
            }
            SUBMIT-DESCRIPTION Greeting {
                executable = /bin/echo
                arguments = $(who)
                queue 2
            }
            JOB B Greeting
            FINAL F {
                executable = /bin/true
            } DIR sub
            VARS B who="bee"
            PARENT A CHILD B
            """, file: "t.dag", workingDirectory: "/nonexistent")
        XCTAssertEqual(dag.nodes.map(\.name), ["A", "B", "F"])
        XCTAssertEqual(dag.nodes[0].submitFile, "t.dag:1")
        XCTAssertEqual(dag.submitDescriptions["t.dag:1"], "executable = /bin/echo\narguments = a\nqueue\n")
        XCTAssertEqual(dag.submitDescriptions["Greeting"]?.hasSuffix("queue 2\n"), true)
        XCTAssertEqual(dag.nodes[2].directory, "sub", "words after the closing brace belong to the JOB line")
        XCTAssertEqual(dag.node(named: "B").map { dag.parents[$0].count }, 1, "line numbers and statements survive")
        let error = expectError { () throws(JobSpecError) in
            _ = try DAGParser.parse(text: "JOB A {\nexecutable = x\n", file: "t.dag", checkSubmitFiles: false)
        }
        XCTAssertEqual(error?.location.line, 1)
    }

    /// `VARS node +Name="value"` sets a job attribute that `$$([MY.Name ...])` reads when the
    /// node's proc is placed on a worker.
    func testVarsJobAttributesReachMachineExpressions() throws {
        let dag = try DAGParser.parse(text: "JOB A a.sub\nVARS A +Scale=\"3\" who=\"x\"\n", file: "t.dag",
                                      checkSubmitFiles: false)
        let appended = dag.nodes[0].vars.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
        let tasks = try SubmitDescription(text: "executable = /bin/echo\narguments = $$([MY.Scale * Cpus]) $(who)\nqueue\n",
                                          file: "a.sub", options: testOptions(), appending: appended).tasks
        XCTAssertEqual(tasks[0].attributes["classad.Scale"], "3")
        let placed = MachinePlacement.place(tasks[0], on: ["Cpus": .integer(4)])
        XCTAssertEqual(Array(placed.command.executedArgv.dropFirst()), ["12", "x"])
    }

    /// CONNECT joins two splices pin by pin (DAGMan manual, "Splice Connections").
    func testConnectJoinsSplicesByPins() throws {
        let folder = try DAGTestSupport.folder([
            "a.dag": "JOB A1 x.sub\nJOB A2 x.sub\nPIN_OUT A1 1\nPIN_OUT A2 2\n",
            "b.dag": "JOB B1 x.sub\nJOB B2 x.sub\nPIN_IN B1 1\nPIN_IN B2 2\n",
            "c.dag": "JOB C1 x.sub\nPIN_IN C1 1\n",
        ], testCase: self)
        let dag = try DAGParser.parse(text: "SPLICE A a.dag\nSPLICE B b.dag\nCONNECT A B\n", file: "t.dag",
                                      workingDirectory: folder, checkSubmitFiles: false)
        func children(_ name: String) -> [String] {
            dag.children[dag.node(named: name)!].map { dag.nodes[Int($0)].name }.sorted()
        }
        XCTAssertEqual(children("A+A1"), ["B+B1"])
        XCTAssertEqual(children("A+A2"), ["B+B2"])
        XCTAssertEqual(dag.edgeCount, 2)
        let mismatch = expectError { () throws(JobSpecError) in
            _ = try DAGParser.parse(text: "SPLICE A a.dag\nSPLICE C c.dag\nCONNECT A C\n", file: "t.dag",
                                    workingDirectory: folder, checkSubmitFiles: false)
        }
        XCTAssertEqual(mismatch?.location.line, 3)
        XCTAssertTrue(mismatch?.message.contains("same pins") ?? false, "\(String(describing: mismatch))")
    }
}
