import Foundation
import XCTest
@testable import JobSpec

/// Conformance against HTCondor's own Python bindings (`pip install htcondor`):
/// `Submit.expand` for macros and `Submit.itemdata` for queue statements. Skipped with
/// a message when `htcondor2` cannot be imported.
final class HTCondorOracleTests: XCTestCase {
    /// Asks htcondor2 for a JSON answer; `body` sees `h` (htcondor2), `json`, `sys`.
    func oracle(_ body: String, arguments: [String] = []) throws -> Any {
        let script = """
            import sys, json
            try:
                import htcondor2 as h
            except Exception as error:
                print("SKIP", error); sys.exit(0)
            \(body)
            """
        let output = try runPython(script, arguments: arguments)
        if output.hasPrefix("SKIP") { throw XCTSkip("htcondor2 is not importable: \(output)") }
        return try JSONSerialization.jsonObject(with: Data(output.utf8))
    }

    func testMacroExpansionMatchesSubmitExpand() throws {
        let text = """
            executable = /bin/echo
            A = 1
            b = $(a)-$(A)
            Nested = <$(B)>
            out = $(Nested).$(Cluster).$(PROCESS).$(ClusterId).$(ProcId)
            dflt = $(undefined_thing:fallback) [$(undefined_thing)]
            envs = $ENV(HOME) $ENV(SURELY_NOT_SET_42) $ENV(SURELY_NOT_SET_42:dd)
            files = $Fn(path) $Fx(path) $Fp(path) $Fnx(path)
            path = /data/run/input.tar.gz
            keep = $$(Memory) $(DOLLAR)
            """
        let keys = ["b", "nested", "out", "dflt", "envs", "files", "keep"]
        let answer = try oracle("""
            s = h.Submit(sys.argv[1])
            print(json.dumps({k: s.expand(k) for k in sys.argv[2:]}))
            """, arguments: [text] + keys)
        guard let expected = answer as? [String: String] else { return XCTFail("unexpected \(answer)") }

        var macros = SubmitMacros()
        macros.environment = ProcessInfo.processInfo.environment
        for case .command(let key, let value, _) in try SubmitStatement.parse(text, file: "o.sub") {
            macros.definitions[key.lowercased()] = value
        }
        macros.specials = ["cluster": "1", "clusterid": "1", "process": "0", "procid": "0"]
        var referenced = Set<String>()
        for key in keys {
            let ours = try macros.expand(macros.definitions[key]!, location: SourceLocation(file: "o.sub", line: 1),
                                         referenced: &referenced)
            XCTAssertEqual(ours, expected[key], key)
        }
    }

    func testQueueItemsMatchItemdata() throws {
        let directory = try temporaryDirectory(self)
        try "a b c d\n# skipped\ne,f, g\n  h\n".write(toFile: directory + "/rows.txt", atomically: true,
                                                   encoding: .utf8)
        try "one\ntwo three\n".write(toFile: directory + "/items.txt", atomically: true, encoding: .utf8)
        let statements = [
            "x in (a, b c,d)", "x in a b", "in (p, q)", "x,y in (1 2, 3 4)", "x,y from rows.txt",
            "x from items.txt", "a,b from (\n1 2\n3, 4\n)", "x,y from (\n# c\nsolo\n)",
        ]
        let answer = try oracle("""
            import os
            os.chdir(sys.argv[1])
            s = h.Submit("executable = /bin/true\\n")
            out = []
            for q in sys.argv[2:]:
                out.append([list(d.values()) if isinstance(d, dict) else [d] for d in s.itemdata(q)])
            print(json.dumps(out))
            """, arguments: [directory] + statements)
        guard let expected = answer as? [[[String]]] else { return XCTFail("unexpected \(answer)") }
        for (statement, rows) in zip(statements, expected) {
            let ours = try QueueStatement(parsing: statement, location: SourceLocation(file: "o.sub", line: 1),
                                          directory: directory)
            XCTAssertEqual(ours.items ?? [], rows, statement)
        }
    }

    /// `itemdata` returns the items before slicing, so slices are checked against the
    /// manual's rule (Python slice semantics) instead.
    func testSlicesFollowPythonSemantics() throws {
        let cases = [("x in [1:] (a b c)", ["b", "c"]), ("x in [::2] (a b c d e)", ["a", "c", "e"]),
                     ("x in [-2:] (a b c)", ["b", "c"]), ("x in [:1] (a b c)", ["a"]), ("x in [5:] (a b)", [])]
        for (statement, expected) in cases {
            let ours = try QueueStatement(parsing: statement, location: SourceLocation(file: "o.sub", line: 1),
                                          directory: "/")
            XCTAssertEqual(ours.items?.map { $0[0] }, expected, statement)
        }
    }
}

/// Our ClassAd subset against HTCondor's own evaluator (`classad2`, shipped with the
/// `htcondor` PyPI package).
final class ClassAdOracleTests: XCTestCase {
    func testEvaluationMatchesClassad2() throws {
        let expressions = [
            #"Memory >= 1024 && OpSys == "linux""#, "Gpus > 0 || false", #"OpSys =?= "linux""#, "1 =?= 1.0",
            #""a" < "B""#, "true == 1", "Memory / 3", "7 % 0", "-Memory", "1 && true", "undefined == undefined",
            #"true && "x""#, "true + 1", "true < 2", #""a" == 1"#, "false || Gpus", "Gpus && false", "!Gpus", "!1",
            #"!"x""#, "1.0 == 1", "1 is 1", #""abc" is "ABC""#, "undefined is undefined", "(Gpus > 0) =?= undefined",
            "Load * 2", "5 / 2", "5.0 / 2", #"-"x""#, #"Memory > 1 ? "big" : "small""#, "Gpus ? 1 : 2",
            "3 ? 1 : 2", "Cpus - true", "true || error", "error || true", "false && error", "error && false",
            "isUndefined(Gpus)", "ifThenElse(Gpus, 1, 2)", #""b" >= "A""#, "true > false", "1e3 == 1000",
            ".5 < 1", "Cpus =!= 8", "Machine != \"NODE7\"", "Cpus * Load + 1", "!(Memory < 10) && !(Gpus >= 1)",
        ]
        let script = """
            import sys, json
            try:
                import classad2 as c
            except Exception as error:
                print("SKIP", error); sys.exit(0)
            ad = c.ClassAd({"Memory": 4096, "OpSys": "LINUX", "Cpus": 8, "Load": 0.5, "Machine": "node7"})
            def show(v):
                if type(v).__name__ == "Value":
                    return "undefined" if "Undefined" in repr(v) else "error"
                if isinstance(v, bool): return "true" if v else "false"
                if isinstance(v, int): return str(v)
                if isinstance(v, float): return "real:%g" % v
                return '"' + v + '"'

            print(json.dumps([show(c.ExprTree(e).eval(ad)) for e in sys.argv[1:]]))
            """
        let output = try runPython(script, arguments: expressions)
        if output.hasPrefix("SKIP") { throw XCTSkip("classad2 is not importable: \(output)") }
        let expected = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String])
        let ad: ClassAd = ["Memory": .integer(4096), "OpSys": .string("LINUX"), "Cpus": .integer(8),
                           "Load": .real(0.5), "Machine": .string("node7")]
        for (text, answer) in zip(expressions, expected) {
            let value = try ClassAdExpression(parsing: text, location: SourceLocation(file: "t", line: 1)).evaluate(ad)
            let shown: String
            switch value {
            case .real(let number): shown = "real:" + String(format: "%g", number)
            default: shown = value.description
            }
            XCTAssertEqual(shown, answer, text)
        }
    }
}
