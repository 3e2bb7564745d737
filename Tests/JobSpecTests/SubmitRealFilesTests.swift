import Foundation
import XCTest
@testable import JobSpec

/// What real submit descriptions use, from condor_submit's manual, checked against
/// HTCondor's own Python bindings where they can answer (skipped when `htcondor2` is not
/// importable): queue variables named after commands, predefined macros, `$INT()` and
/// `$REAL()`, `$RANDOM_*()`, expressions in `request_*` and `queue`, items holding `)`,
/// `input`, `$$(...)`, `success_exit_code`, `noop_job`, and the commands warned "ignored".
final class SubmitRealFilesTests: XCTestCase {
    func load(_ text: String, file: String = "job.sub", options: JobLoadOptions = testOptions())
        throws(JobSpecError) -> SubmitDescription {
        try SubmitDescription(text: text, file: file, options: options)
    }

    /// `htcondor2.Submit(text).expand(key)` for each key, or a skip.
    func oracleExpand(_ text: String, keys: [String]) throws -> [String: String] {
        let output = try runPython("""
            import sys, json
            try:
                import htcondor2 as h
            except Exception as error:
                print("SKIP", error); sys.exit(0)
            s = h.Submit(sys.argv[1])
            print(json.dumps({k: s.expand(k) for k in sys.argv[2:]}))
            """, arguments: [text] + keys)
        if output.hasPrefix("SKIP") { throw XCTSkip("htcondor2 is not importable: \(output)") }
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: String])
    }

    func ours(_ text: String, keys: [String]) throws -> [String: String] {
        var macros = SubmitMacros()
        macros.predefined = SubmitPredefinedMacros.values(file: "o.sub", time: 0)
        for case .command(let key, let value, _) in try SubmitStatement.parse(text, file: "o.sub") {
            macros.definitions[key.lowercased()] = value
        }
        macros.specials = ["cluster": "1", "clusterid": "1", "process": "0", "procid": "0", "step": "0",
                           "itemindex": "0", "row": "0"]
        var referenced = Set<String>()
        var result: [String: String] = [:]
        for key in keys {
            result[key] = try macros.expand(macros.definitions[key.lowercased()]!,
                                            location: SourceLocation(file: "o.sub", line: 1), referenced: &referenced)
        }
        return result
    }

    func testIntRealAndPlatformMacrosMatchTheBindings() throws {
        let text = """
            executable = /bin/echo
            x_val = 12
            ints = $INT(2*3+1)|$INT(7/2,%03d)|$INT(3.7)|$INT(-3.7)|$INT(x_val)|$INT(10/3, value %d!)|$INT(2*1024)|$INT(255,%x)
            reals = $REAL(7/2)|$REAL(1.0/3,%.3f)|$REAL(1.0/3)|$REAL(2.5e10)|$REAL(x_val)|$REAL(7,%.2f)
            platform = $(IsLinux)|$(IsWindows)|$(OpSys)|$(Arch)|$(OpSysAndVer)|$(OpSysMajorVer)|$(OpSysVer)
            items = $(Step)|$(ItemIndex)|$(Row)|$(Node)|$(IsMacOS)
            own = $(Arch)
            Arch = mine
            """
        let keys = ["ints", "reals", "platform", "items", "own"]
        let expected = try oracleExpand(text, keys: keys)
        let got = try ours(text, keys: keys)
        for key in keys { XCTAssertEqual(got[key], expected[key], key) }
    }

    func testRandomMacrosAndBadNumbers() throws {
        let values = try ours("a = $RANDOM_INTEGER(0, 100, 10)|$RANDOM_CHOICE(x, y, z)|$RANDOM_INTEGER(5,5)\n",
                              keys: ["a"])["a"]!.split(separator: "|").map(String.init)
        XCTAssertTrue(Int(values[0]).map { $0 % 10 == 0 && (0...100).contains($0) } ?? false, values[0])
        XCTAssertTrue(["x", "y", "z"].contains(values[1]))
        XCTAssertEqual(values[2], "5")
        for bad in ["$INT(notanumber)", "$RANDOM_INTEGER(3,1)", "$INT(1,%s)"] {
            XCTAssertThrowsError(try ours("a = \(bad)\n", keys: ["a"]), bad)
        }
    }

    func testSubmitFileAndTimeMacros() throws {
        var options = testOptions()
        options.submitTime = 1_700_000_000 // 2023-11-14 UTC
        let job = try load("""
            executable = /bin/echo
            arguments = $(SUBMIT_FILE) $(SUBMIT_TIME) $(YEAR)
            output = out.$Fn(SUBMIT_FILE).$(Process)
            queue 2
            """, file: "sub/job.sub", options: options)
        XCTAssertEqual(Array(job.tasks[0].command.executedArgv.dropFirst()), ["sub/job.sub", "1700000000", "2023"])
        XCTAssertEqual(job.tasks.map(\.stdout), ["/work/sub/out.job.0", "/work/sub/out.job.1"],
                       "names no longer collapse")
    }

    /// A queue variable named after a submit command applies as that command (manual:
    /// "queue arguments from args.txt"); compared with the bindings' item data.
    func testQueueVariablesNamedAfterCommandsApply() throws {
        let directory = try temporaryDirectory(self)
        try "-a 1\n\"-b 'two words'\"\n".write(toFile: directory + "/args.txt", atomically: true, encoding: .utf8)
        try "x\n".write(toFile: directory + "/in1", atomically: true, encoding: .utf8)
        let options = testOptions(directory: directory)
        let job = try load("""
            executable = /bin/echo
            arguments = never used
            queue arguments from args.txt
            queue input, arguments from (
              in1 first(1) second)
            )
            executable = /bin/printf
            queue executable, arguments from (
              /bin/echo hi
            )
            """, options: options)
        XCTAssertEqual(job.tasks.map { Array($0.command.executedArgv.dropFirst()) },
                       [["-a", "1"], ["-b", "two words"], ["first(1)", "second)"], ["hi"]])
        XCTAssertEqual(job.tasks[2].stdin, directory + "/in1")
        XCTAssertEqual(job.tasks[3].command.executedArgv.first, "/bin/echo")
        XCTAssertTrue(job.warnings.isEmpty, "\(job.warnings)")
    }

    func testItemsHoldingParenthesesMatchTheBindings() throws {
        let text = "executable = /bin/echo\narguments = $(x)\nqueue x from (\n  f(1)\n  g(2) h)\n)\n"
        let output = try runPython("""
            import sys, json
            try:
                import htcondor2 as h
            except Exception as error:
                print("SKIP", error); sys.exit(0)
            print(json.dumps([d["x"] for d in h.Submit(sys.argv[1]).itemdata()]))
            """, arguments: [text])
        if output.hasPrefix("SKIP") { throw XCTSkip(output) }
        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String])
        let job = try load(text)
        XCTAssertEqual(job.tasks.map { $0.command.executedArgv.dropFirst().joined(separator: " ") }, expected)
    }

    func testExpressionsInCountsAndRequests() throws {
        let job = try load("""
            executable = /bin/echo
            request_cpus = 1+1
            request_memory = RequestCpus * 1024
            request_disk = 1GB
            queue 3*2
            request_memory = 2*1024
            request_disk = 2 * 1024
            queue (1+1) * 2
            """)
        XCTAssertEqual(job.tasks.count, 10)
        XCTAssertEqual(job.tasks[0].slots, 2)
        XCTAssertEqual(job.tasks[0].memoryMiB, 2048)
        XCTAssertEqual(job.tasks[0].diskKiB, 1_048_576)
        XCTAssertEqual(job.tasks[9].memoryMiB, 2048)
        XCTAssertEqual(job.tasks[9].diskKiB, 2048)
        let statement = try QueueStatement(parsing: "15*1000", location: SourceLocation(file: "o", line: 1),
                                           directory: "/")
        XCTAssertEqual(statement.count, 15_000)
    }

    /// `$$(Attr)`, `$$(Attr:default)` and `$$([expression])` are filled in from the machine
    /// ad of the worker the task starts on, in the executable, arguments and environment.
    func testMachineReferencesAreFilledInAtPlacement() throws {
        let job = try load("""
            executable = /opt/povray.$$(OpSys).$$(Arch)
            arguments = --memory $$([TARGET.Memory * 0.5]) --path $$(input_file_path:/usr/foo) $$(DOLLARDOLLAR)
            environment = "HOST=$$(Machine)"
            output = out.$(Process)
            queue
            """)
        let task = job.tasks[0]
        XCTAssertEqual(task.attributes[MachinePlacement.attribute], "argv,env")
        let machine: ClassAd = ["Machine": .string("node3"), "Memory": .integer(4096), "OpSys": .string("LINUX"),
                                "Arch": .string("X86_64")]
        let placed = MachinePlacement.place(task, on: machine)
        XCTAssertEqual(placed.command.executedArgv, ["/opt/povray.LINUX.X86_64", "--memory", "2048.0", "--path",
                                                     "/usr/foo", "$$"])
        XCTAssertEqual(placed.environment.overrides["HOST"], "node3")
        XCTAssertNil(placed.attributes[MachinePlacement.failureAttribute])
        var withJobAttribute = task
        withJobAttribute.attributes["classad.Scale"] = "3"
        withJobAttribute.command = .argv(["/bin/echo", "$$([MY.Scale * TARGET.Memory])"])
        XCTAssertEqual(MachinePlacement.place(withJobAttribute, on: machine).command.executedArgv,
                       ["/bin/echo", "12288"], "MY. is the job's own +attributes (a DAG's VARS +Scale)")
        let missing = MachinePlacement.place(task, on: ["Machine": .string("n")])
        XCTAssertTrue(missing.attributes[MachinePlacement.failureAttribute]?.contains("$$(OpSys)") ?? false)
        XCTAssertTrue(job.warnings.isEmpty, "\(job.warnings)")
    }

    func testInputSuccessExitCodeAndNoop() throws {
        let job = try load("""
            executable = /bin/cat
            input = in.$(Process)
            success_exit_code = 2
            queue
            noop_job = $(Process) == 1
            noop_job_exit_code = 3
            output = o.$(Process)
            queue
            """)
        XCTAssertEqual(job.tasks[0].stdin, "/work/sub/in.0")
        XCTAssertEqual(job.tasks[0].successExitCode, 2)
        XCTAssertEqual(job.tasks[0].command.executedArgv, ["/bin/cat"])
        XCTAssertEqual(job.tasks[1].command.executedArgv, ["/bin/sh", "-c", "exit 3"], "noop: the program never runs")
        XCTAssertEqual(job.tasks[1].stdout, "/dev/null")
        XCTAssertNil(job.tasks[1].stdin)
    }

    /// Every real submit command is recognised: one the farm does not honour is warned
    /// "ignored", never "not a submit command".
    func testEveryRealCommandIsRecognised() throws {
        let commands = SubmitCommands.ignored.sorted() + ["transfer_input_files", "should_transfer_files",
                                                          "request_foo", "when_to_transfer_output"]
        let text = "executable = /bin/echo\n" + commands.map { "\($0) = 1\n" }.joined() + "queue\n"
        let job = try load(text)
        for warning in job.warnings {
            XCTAssertFalse(warning.message.contains("not a submit command"), warning.message)
        }
        let transfer = job.warnings.first { $0.message.contains("file-transfer") }
        XCTAssertTrue(transfer?.message.contains("/work/sub") ?? false, "the warning says where tasks run")
        XCTAssertEqual(job.warnings.filter { $0.message.contains("ignored") }.count, job.warnings.count)
    }

    func testCheckJSONLabelsWarningsAsWarnings() throws {
        let job = try load("executable = /bin/echo\npriority = 5\nqueue\n").job
        let json = JobCheck.json(job)
        XCTAssertTrue(json.contains(": warning: 'priority'"), json)
        XCTAssertFalse(json.contains(": error:"), json)
    }
}
