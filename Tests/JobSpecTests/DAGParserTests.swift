import XCTest
@testable import JobSpec

final class DAGParserTests: XCTestCase {
    private func parse(_ text: String) throws(JobSpecError) -> DAG {
        try DAGParser.parse(text: text, file: "t.dag", checkSubmitFiles: false)
    }

    private func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JobSpecError? {
        do {
            _ = try parse(text)
            XCTFail("expected an error", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    private func edges(_ dag: DAG) -> Set<String> {
        var result: Set<String> = []
        for node in dag.nodes.indices {
            for child in dag.children[node] { result.insert(dag.nodes[node].name + "->" + dag.nodes[Int(child)].name) }
        }
        return result
    }

    func testRetryFixtureParsesFromItsFolder() throws {
        let dag = try DAGParser.parse(file: "retry.dag", workingDirectory: DAGTestSupport.fixtures)
        XCTAssertEqual(dag.nodes.map(\.name), ["A", "B"])
        XCTAssertEqual(dag.nodes[1].retries, 2)
        XCTAssertEqual(dag.nodes[1].unlessExit, 42)
        XCTAssertEqual(dag.nodes[0].retries, 0)
        XCTAssertEqual(edges(dag), ["A->B"])
    }

    func testKeywordsAreCaseInsensitiveCommentsAndCRLFIgnored() throws {
        let dag = try parse("# comment\r\n   # indented comment\r\njob A a.sub\r\nJob B b.sub dir sub noop\r\n\r\nparent A child B\r\nretry B 3\r\n")
        XCTAssertEqual(dag.nodes.map(\.name), ["A", "B"])
        XCTAssertEqual(dag.nodes[1].directory, "sub")
        XCTAssertTrue(dag.nodes[1].noop)
        XCTAssertEqual(dag.nodes[1].submitFile, "b.sub")
        XCTAssertEqual(edges(dag), ["A->B"])
        XCTAssertEqual(dag.nodes[1].retries, 3)
    }

    // Found by the fuzz target `dag` in CI: a backslash alone on a line trapped.
    func testAContinuationWithNothingOnItIsABlankStatement() throws {
        XCTAssertEqual(try parse("\\\n").nodes.count, 0)
        XCTAssertEqual(try parse("JOB A a.sub\n\\\n\\\nJOB B b.sub\n").nodes.map(\.name), ["A", "B"])
    }

    func testNodeNamesAreCaseSensitive() throws {
        let error = parseError("JOB A a.sub\nRETRY a 2\n")
        XCTAssertEqual(error?.location.line, 2)
        XCTAssertTrue(error?.message.contains("unknown node a") ?? false, error?.message ?? "")
    }

    func testParentChildLinksEveryParentToEveryChild() throws {
        let dag = try parse("JOB A x\nJOB B x\nJOB C x\nJOB D x\nPARENT A B CHILD C D\nPARENT A CHILD C\n")
        XCTAssertEqual(edges(dag), ["A->C", "A->D", "B->C", "B->D"])
        XCTAssertEqual(dag.edgeCount, 4, "a repeated edge is merged")
        XCTAssertEqual(dag.parents[dag.node(named: "C")!].map { Int($0) }, [0, 1])
    }

    func testStatementsMayNameNodesDeclaredLater() throws {
        let dag = try parse("PARENT A CHILD B\nRETRY B 1\nJOB A x\nJOB B x\n")
        XCTAssertEqual(edges(dag), ["A->B"])
        XCTAssertEqual(dag.nodes[1].retries, 1)
    }

    func testJobOptionsDoneAndDir() throws {
        let dag = try parse("JOB A a.sub DIR work DONE\nJOB B b.sub NOOP\nDONE B\n")
        XCTAssertTrue(dag.nodes[0].done)
        XCTAssertEqual(dag.nodes[0].directory, "work")
        XCTAssertTrue(dag.nodes[1].done, "a DONE line marks the node done")
    }

    func testVarsQuotingFollowsTheManual() throws {
        let dag = try parse(#"""
        JOB NodeA a.sub
        VARS NodeA first="Alberto Contador"
        VARS NodeA second="\"\"Andy Schleck\"\"" third="Lance\\ Armstrong"
        VARS NodeA   fourth = "Vincenzo ''The Shark'' Nibali"  misc="!@#$%^&*()_-=+=[]{}?/"
        VARS NodeA keep="a\nb" empty=""
        VARS NodeA first="last wins"
        """#)
        let vars = dag.nodes[0].vars
        XCTAssertEqual(vars["first"], "last wins")
        XCTAssertEqual(vars["second"], "\"\"Andy Schleck\"\"")
        XCTAssertEqual(vars["third"], #"Lance\ Armstrong"#)
        XCTAssertEqual(vars["fourth"], "Vincenzo ''The Shark'' Nibali")
        XCTAssertEqual(vars["misc"], "!@#$%^&*()_-=+=[]{}?/")
        XCTAssertEqual(vars["keep"], #"a\nb"#, "other backslashes are kept as written")
        XCTAssertEqual(vars["empty"], "")
    }

    func testVarsJobMacroIsTheScopedNodeNameAndAllNodesSkipsFinal() throws {
        let dag = try parse("JOB A x\nJOB B x\nFINAL F x\nVARS ALL_NODES out=\"$(JOB)-output\"\nVARS B out=\"mine\"\n")
        XCTAssertEqual(dag.nodes[0].vars["out"], "A-output")
        XCTAssertEqual(dag.nodes[1].vars["out"], "mine", "a later line overrides ALL_NODES")
        XCTAssertNil(dag.nodes[2].vars["out"], "ALL_NODES never applies to the FINAL node")
    }

    func testVarsErrorsNameTheColumn() throws {
        let unquoted = parseError("JOB A x\nVARS A name=value\n")
        XCTAssertEqual(unquoted?.location.line, 2)
        XCTAssertEqual(unquoted?.location.column, 13)
        XCTAssertTrue(unquoted?.message.contains("double-quoted") ?? false)
        let unterminated = parseError("JOB A x\nVARS A name=\"value\n")
        XCTAssertTrue(unterminated?.message.contains("unterminated") ?? false)
        let queue = parseError("JOB A x\nVARS A Queue_it=\"1\"\n")
        XCTAssertTrue(queue?.message.contains("queue") ?? false)
    }

    func testMacroInNodeNameIsAnErrorNotExpanded() throws {
        let error = parseError("JOB A x\nJOB node$(Process) x\n")
        XCTAssertEqual(error?.location, SourceLocation(file: "t.dag", line: 2, column: 5))
        XCTAssertTrue(error?.message.contains("literally") ?? false)
    }

    func testDuplicateNodeNamesBothLines() throws {
        let error = parseError("JOB A x\n\nJOB A y\n")
        XCTAssertEqual(error?.location.line, 3)
        XCTAssertTrue(error?.message.contains("t.dag:1") ?? false, error?.message ?? "")
    }

    func testUnknownNodesInEveryStatementAreErrors() throws {
        for statement in ["PARENT A CHILD Z", "PARENT Z CHILD A", "RETRY Z 1", "VARS Z a=\"1\"", "SCRIPT PRE Z pre.sh",
                          "PRE_SKIP Z 1", "PRIORITY Z 1", "CATEGORY Z c", "ABORT-DAG-ON Z 1", "DONE Z"] {
            let error = parseError("JOB A x\n" + statement + "\n")
            XCTAssertEqual(error?.location.line, 2, statement)
            XCTAssertTrue(error?.message.contains("unknown node Z") ?? false, statement + ": " + (error?.message ?? ""))
        }
    }

    func testCycleErrorListsItsNodesAndTheLine() throws {
        let error = parseError("JOB A x\nJOB B x\nJOB C x\nJOB D x\nPARENT D CHILD A\nPARENT A CHILD B\nPARENT B CHILD C\nPARENT C CHILD A\n")
        XCTAssertNotNil(error)
        let message = error?.message ?? ""
        XCTAssertTrue(message.contains("A -> B -> C -> A") || message.contains("B -> C -> A -> B") || message.contains("C -> A -> B -> C"),
                      message)
        XCTAssertFalse(message.contains("D ->") || message.contains("-> D"), "D is not on the cycle: " + message)
        XCTAssertTrue([6, 7, 8].contains(error?.location.line ?? 0), "names a PARENT line of the cycle")
    }

    func testSelfLoopIsACycle() throws {
        let error = parseError("JOB A x\nPARENT A CHILD A\n")
        XCTAssertEqual(error?.location.line, 2)
        XCTAssertTrue(error?.message.contains("cycle") ?? false)
    }

    func testMissingSubmitFileIsAnErrorUnlessNoop() throws {
        let folder = try DAGTestSupport.folder(["present.sub": "queue\n"], testCase: self)
        XCTAssertNoThrow(try DAGParser.parse(text: "JOB A present.sub\nJOB B absent.sub NOOP\n", file: "t.dag",
                                             workingDirectory: folder))
        XCTAssertThrowsError(try DAGParser.parse(text: "JOB A present.sub\nJOB B absent.sub\n", file: "t.dag",
                                                 workingDirectory: folder)) { error in
            let error = error as! JobSpecError
            XCTAssertEqual(error.location, SourceLocation(file: "t.dag", line: 2, column: 7))
            XCTAssertTrue(error.message.contains("absent.sub"))
        }
    }

    func testBadKeywordAndMalformedStatements() throws {
        XCTAssertEqual(parseError("JOB A x\nJOBS B x\n")?.location.line, 2)
        XCTAssertTrue(parseError("JOB A x\nFOO\n")?.message.contains("unknown DAG keyword FOO") ?? false)
        XCTAssertTrue(parseError("JOB A x\nJOB B x\nPARENT A B\n")?.message.contains("no CHILD") ?? false)
        XCTAssertTrue(parseError("JOB A x\nRETRY A many\n")?.message.contains("integer") ?? false)
        XCTAssertTrue(parseError("JOB A\n")?.message.contains("expected JOB") ?? false)
        XCTAssertTrue(parseError("JOB A x BOGUS\n")?.message.contains("BOGUS") ?? false)
        XCTAssertTrue(parseError("SUBDAG S s.dag\n")?.message.contains("SUBDAG EXTERNAL") ?? false)
    }

    func testHTCondorOnlyKeywordsWarnAndGoOn() throws {
        let dag = try parse("CONFIG dagman.config\nJOB A x\nJOBSTATE_LOG js.log\nSET_JOB_ATTR a = 1\nSCRIPT HOLD A h.sh\nDOT g.dot UPDATE\n")
        XCTAssertEqual(dag.warnings.map(\.location.line), [1, 3, 4, 5, 6])
        XCTAssertTrue(dag.warnings[0].message.contains("CONFIG"))
        XCTAssertEqual(dag.nodes.count, 1)
        XCTAssertEqual(dag.dotFile, "g.dot")
    }

    func testFinalNodeRules() throws {
        let dag = try parse("JOB A x\nFINAL F f.sub\nSCRIPT POST F post.sh\n")
        XCTAssertEqual(dag.finalNode, 1)
        XCTAssertNotNil(dag.nodes[1].postScript)
        XCTAssertTrue(parseError("JOB A x\nFINAL F x\nPARENT A CHILD F\n")?.message.contains("FINAL") ?? false)
        XCTAssertTrue(parseError("FINAL F x\nRETRY F 2\n")?.message.contains("FINAL") ?? false)
        XCTAssertTrue(parseError("FINAL F x\nFINAL G x\n")?.message.contains("at most one FINAL") ?? false)
        XCTAssertNotNil(parseError("FINAL F x DONE\n"))
    }

    func testScriptsRetriesAndThrottles() throws {
        let dag = try parse("""
        JOB A a.sub
        JOB B b.sub
        SCRIPT DEFER 4 30 PRE A pre.sh $JOB x=$RETRY
        SCRIPT POST A post.sh $RETURN
        PRE_SKIP A 7
        RETRY A 2 UNLESS-EXIT -9
        PRIORITY B 10
        CATEGORY ALL_NODES io
        MAXJOBS io 1
        ABORT-DAG-ON B 3 RETURN 5
        NODE_STATUS_FILE s.status 15 ALWAYS-UPDATE
        """)
        let a = dag.nodes[0]
        XCTAssertEqual(a.preScript, DAGScript(kind: .pre, executable: "pre.sh", arguments: ["$JOB", "x=$RETRY"],
                                              deferStatus: 4, deferSeconds: 30, source: SourceLocation(file: "t.dag", line: 3)))
        XCTAssertEqual(a.postScript?.arguments, ["$RETURN"])
        XCTAssertEqual(a.preSkip, 7)
        XCTAssertEqual(a.unlessExit, -9)
        XCTAssertEqual(dag.nodes[1].priority, 10)
        XCTAssertEqual(dag.nodes.map(\.category), ["io", "io"])
        XCTAssertEqual(dag.categoryLimits, ["io": 1])
        XCTAssertEqual(dag.nodes[1].abortDagOn, DAGAbortCondition(exitValue: 3, returnCode: 5))
        XCTAssertEqual(dag.statusFile, DAGStatusFileSetting(path: "s.status", minimumUpdateSeconds: 15, alwaysUpdate: true))
    }

    func testSpliceNamesEdgesDirAndCategories() throws {
        let folder = try DAGTestSupport.folder([
            "top.dag": "JOB X x.sub\nJOB Y x.sub\nSPLICE S diamond.dag\nSPLICE T line.dag DIR inner\nPARENT X CHILD S\nPARENT S CHILD Y T\nMAXJOBS S+io 3\n",
            "diamond.dag": "JOB A x.sub\nJOB B x.sub\nJOB C x.sub\nJOB D x.sub\nPARENT A CHILD B C\nPARENT B C CHILD D\nCATEGORY A io\nCATEGORY D +global\nMAXJOBS io 1\nRETRY ALL_NODES 1\n",
            "inner/line.dag": "JOB P p.sub DIR work\nSPLICE N nested.dag\nPARENT P CHILD N\n",
            "inner/nested.dag": "JOB Q q.sub\n",
        ], testCase: self)
        let dag = try DAGParser.parse(file: "top.dag", workingDirectory: folder, checkSubmitFiles: false)
        XCTAssertEqual(Set(dag.nodes.map(\.name)), ["X", "Y", "S+A", "S+B", "S+C", "S+D", "T+P", "T+N+Q"])
        XCTAssertEqual(edges(dag), ["X->S+A", "S+A->S+B", "S+A->S+C", "S+B->S+D", "S+C->S+D", "S+D->Y", "S+D->T+P",
                                    "T+P->T+N+Q"])
        let p = dag.nodes[dag.node(named: "T+P")!]
        XCTAssertEqual(p.directory, "inner/work", "a splice's DIR prefixes its nodes' relative DIR")
        XCTAssertEqual(dag.nodes[dag.node(named: "T+N+Q")!].directory, "inner")
        XCTAssertEqual(dag.nodes[dag.node(named: "S+A")!].category, "S+io")
        XCTAssertEqual(dag.nodes[dag.node(named: "S+D")!].category, "+global")
        XCTAssertEqual(dag.categoryLimits["S+io"], 3, "the outer DAG's MAXJOBS overrides the splice's")
        XCTAssertEqual(dag.nodes[dag.node(named: "S+B")!].retries, 1, "ALL_NODES in a splice covers its nodes")
        XCTAssertEqual(dag.nodes[dag.node(named: "X")!].retries, 0, "but not the outer DAG's")
    }

    func testSpliceErrorsNameTheSpliceFileAndLine() throws {
        let folder = try DAGTestSupport.folder([
            "top.dag": "JOB X x\nSPLICE S inner.dag\n",
            "inner.dag": "JOB A x\nPARENT A CHILD Nope\n",
            "loop.dag": "SPLICE L loop.dag\n",
        ], testCase: self)
        XCTAssertThrowsError(try DAGParser.parse(file: "top.dag", workingDirectory: folder, checkSubmitFiles: false)) {
            let error = $0 as! JobSpecError
            XCTAssertEqual(error.location.file, "inner.dag")
            XCTAssertEqual(error.location.line, 2)
        }
        XCTAssertThrowsError(try DAGParser.parse(file: "loop.dag", workingDirectory: folder, checkSubmitFiles: false)) {
            XCTAssertTrue(($0 as! JobSpecError).message.contains("loop"))
        }
        XCTAssertThrowsError(try DAGParser.parse(text: "SPLICE S missing.dag\n", file: "t.dag", workingDirectory: folder)) {
            let error = $0 as! JobSpecError
            XCTAssertEqual(error.location, SourceLocation(file: "t.dag", line: 1, column: 10))
            XCTAssertTrue(error.message.contains("no such file"))
        }
    }

    // Found while writing the `dag` fuzz target: a loop spelled with a longer path each time
    // was not seen, so two splices of the file itself nested without end.
    func testLoopsSpelledDifferentlyAreStillLoops() throws {
        let folder = try DAGTestSupport.folder([
            "splice.dag": "JOB A x\nSPLICE S1 splice.dag DIR sub/..\nSPLICE S2 ./splice.dag DIR sub/..\n",
            "include.dag": "JOB A x\nINCLUDE sub/../include.dag\n",
            "sub/keep": "",
        ], testCase: self)
        for (file, expected) in [("splice.dag", "splices include each other in a loop"), ("include.dag", "includes itself")] {
            XCTAssertThrowsError(try DAGParser.parse(file: file, workingDirectory: folder, checkSubmitFiles: false), file) {
                XCTAssertTrue(($0 as! JobSpecError).message.contains(expected), "\($0)")
            }
        }
        // The same file spliced twice side by side is no loop.
        try "JOB B x\n".write(toFile: folder + "/leaf.dag", atomically: true, encoding: .utf8)
        let dag = try DAGParser.parse(text: "SPLICE L1 leaf.dag\nSPLICE L2 sub/../leaf.dag\n", file: "two.dag",
                                      workingDirectory: folder, checkSubmitFiles: false)
        XCTAssertEqual(dag.nodes.map(\.name).sorted(), ["L1+B", "L2+B"])
    }

    func testIncludeReadsLinesInPlace() throws {
        let folder = try DAGTestSupport.folder(["top.dag": "JOB A x\nINCLUDE more.dag\n", "more.dag": "JOB B x\nPARENT A CHILD B\n"],
                                               testCase: self)
        let dag = try DAGParser.parse(file: "top.dag", workingDirectory: folder, checkSubmitFiles: false)
        XCTAssertEqual(edges(dag), ["A->B"])
    }
}
