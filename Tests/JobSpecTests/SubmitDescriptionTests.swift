import XCTest
@testable import JobSpec

final class SubmitDescriptionTests: XCTestCase {
    func load(_ text: String, file: String = "job.sub", options: JobLoadOptions = testOptions())
        throws(JobSpecError) -> SubmitDescription {
        try SubmitDescription(text: text, file: file, options: options)
    }

    func testMacrosClusterProcessUserAndDefaults() throws {
        let job = try load("""
            Executable = /bin/echo
            base = run$(Cluster)
            Arguments = $(BASE)/$(ProcId) $(ClusterId).$(Process) $(missing:dflt) $(missing) $ENV(DATA) $ENV(NOPE)
            queue 2
            """)
        XCTAssertEqual(job.tasks.count, 2)
        XCTAssertEqual(arguments(job.tasks[1]), ["run42/1", "42.1", "dflt", "/data/set1", "UNDEFINED"])
        XCTAssertEqual(job.tasks[0].command.executedArgv.first, "/bin/echo")
        XCTAssertTrue(job.warnings.isEmpty, "\(job.warnings)")
    }

    func testContinuationCommentsAndCaseInsensitiveKeys() throws {
        let job = try load("""
            # a comment
            EXECUTABLE = /bin/echo
              # an indented comment
            arguments = one \\
                two
            QUEUE
            """)
        XCTAssertEqual(arguments(job.tasks[0]), ["one", "two"])
    }

    func testSeveralQueueStatementsNumberProcsAcrossThemAndUseLaterValues() throws {
        let job = try load("""
            executable = /bin/echo
            arguments = first $(Process)
            queue 2
            arguments = second $(Process) $(Step)
            queue 2
            """)
        XCTAssertEqual(job.tasks.map(arguments), [["first", "0"], ["first", "1"], ["second", "2", "0"],
                                                  ["second", "3", "1"]])
        XCTAssertEqual(job.tasks.map(\.position), [0, 1, 2, 3])
    }

    func testQueueInListWithCommasSpacesAndMultipleLines() throws {
        let job = try load("""
            executable = /bin/echo
            arguments = $(Item) $(ItemIndex)
            queue in (a, b c,d)
            arguments = $(color)
            queue color in (
              red
              green, blue
            )
            """)
        XCTAssertEqual(job.tasks.map(arguments), [["a", "0"], ["b", "1"], ["c", "2"], ["d", "3"],
                                                  ["red"], ["green"], ["blue"]])
    }

    func testQueueFromFileWithSeveralColumnsAndCount() throws {
        let directory = try temporaryDirectory(self)
        try "alpha 1 extra words\n\nbeta,2\n".write(toFile: directory + "/params.txt", atomically: true,
                                                               encoding: .utf8)
        let job = try load("""
            executable = /bin/echo
            arguments = "$(name) '$(rest)' $(Step)"
            queue 2 name, rest from params.txt
            """, options: testOptions(directory: directory))
        XCTAssertEqual(job.tasks.map(arguments), [["alpha", "1 extra words", "0"], ["alpha", "1 extra words", "1"],
                                                  ["beta", "2", "0"], ["beta", "2", "1"]])
    }

    func testQueueMatchingFilesAndDirs() throws {
        let directory = try temporaryDirectory(self)
        for name in ["b.dat", "a.dat", "c.txt"] {
            try "x".write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        try FileManager.default.createDirectory(atPath: directory + "/d.dat", withIntermediateDirectories: true)
        let job = try load("""
            executable = /bin/echo
            arguments = $(Item) $Fn(Item)
            queue matching files *.dat
            arguments = $(dir)
            queue dir matching dirs *.dat
            queue matching *.dat
            """, options: testOptions(directory: directory))
        XCTAssertEqual(job.tasks.map(arguments), [["a.dat", "a"], ["b.dat", "b"], ["d.dat"], [], [], []])
    }

    func testUniverseOtherThanVanillaIsAnError() {
        let error = expectError { () throws(JobSpecError) in
            _ = try self.load("universe = docker\nexecutable = /bin/true\nqueue\n")
        }
        XCTAssertEqual(error?.location.line, 1)
        XCTAssertTrue(error?.message.contains("vanilla") ?? false)
    }

    func testMissingExecutableAndMissingQueueAreErrors() {
        let noExecutable = expectError { () throws(JobSpecError) in _ = try self.load("arguments = x\nqueue 3\n") }
        XCTAssertEqual(noExecutable?.location.line, 2)
        let noQueue = expectError { () throws(JobSpecError) in _ = try self.load("executable = /bin/true\n") }
        XCTAssertTrue(noQueue?.message.contains("queue") ?? false)
    }

    /// A queue statement whose procs are kept (random macros draw anew at each expansion)
    /// and would not fit the memory budget is refused at its line, counting the procs of
    /// earlier statements; one that fits expands. Procs made when asked are not counted.
    func testKeptExpansionBeyondTheMemoryBudgetIsRefusedAtItsLine() throws {
        var options = testOptions()
        options.expansionBudgetBytes = 10 * SubmitBuilder.bytesPerExpandedTask
        let random = "executable = /bin/echo\narguments = $RANDOM_INTEGER(1, 9)\n"
        XCTAssertEqual(try load(random + "queue 4\nqueue 6\n", options: options).tasks.count, 10)
        let error = expectError { () throws(JobSpecError) in
            _ = try self.load(random + "queue 4\nqueue 7\n", options: options)
        }
        XCTAssertEqual(error?.location.line, 4)
        XCTAssertTrue(error?.message.contains("11 tasks in all, more than the 10") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.message.contains("task list") ?? false)
        XCTAssertEqual(try load("executable = /bin/true\nqueue 4\nqueue 70\n", options: options).job.taskCount, 74,
                       "procs made when asked do not count against the budget")
        let huge = expectError { () throws(JobSpecError) in
            _ = try self.load("executable = /bin/true\nqueue 100000000000 in (a b c d e f g h i j k)\n", options: options)
        }
        XCTAssertEqual(huge?.location.line, 2)
        XCTAssertTrue(huge?.message.contains("\(FarmLimits.maximumSubmitProcs)") ?? false, "\(String(describing: huge))")
    }

    /// A proc made when asked is the proc the whole expansion made: process numbers across
    /// statements, steps, items, and a later statement's changed commands.
    func testProcsMadeWhenAskedMatchTheirStatement() throws {
        let description = try load("""
            executable = /bin/echo
            arguments = $(Process) $(Step) $(Item:none) $(ItemIndex)
            output = out/$(Process).out
            queue 3
            arguments = second $(Process) $(Step) $(Item) $(ItemIndex)
            queue 2 in (a, b)
            queue 0
            request_cpus = 2
            queue 5000
            """)
        let job = description.job
        XCTAssertEqual(job.taskCount, 3 + 4 + 5000)
        func argv(_ position: Int) -> [String] { Array(job.task(at: position).command.executedArgv.dropFirst()) }
        XCTAssertEqual(argv(0), ["0", "0", "none", "0"])
        XCTAssertEqual(argv(2), ["2", "2", "none", "0"])
        XCTAssertEqual(argv(3), ["second", "3", "0", "a", "0"])
        XCTAssertEqual(argv(6), ["second", "6", "1", "b", "1"])
        XCTAssertEqual(argv(7), ["second", "7", "0", "0"], "the next statement: no items")
        XCTAssertEqual(job.task(at: 5006).position, 5006)
        XCTAssertEqual(job.task(at: 5006).slots, 2)
        XCTAssertEqual(job.task(at: 5006).stdout?.hasSuffix("out/5006.out"), true)
        XCTAssertEqual(job.task(at: 1).slots, 1)
        // Asked in any order, twice: the same procs.
        XCTAssertEqual(job.task(at: 4), job.task(at: 4))
        XCTAssertEqual(description.tasks.map(\.position), Array(0..<5007))
        XCTAssertEqual(description.tasks[1000], job.task(at: 1000))
    }

    /// The first expansion records whether any proc asks something of its worker, so that
    /// matchmaking need not expand every proc again to find out.
    func testTheFirstExpansionRecordsWhetherAnyProcAsksOfWorkers() throws {
        XCTAssertFalse(try load("executable = /bin/true\nrequest_cpus = 2\nqueue 3\n").job.asksOfWorkers)
        XCTAssertTrue(try load("executable = /bin/true\nqueue 2\nrequest_memory = 1G\nqueue 1\n").job.asksOfWorkers)
        XCTAssertTrue(try load("executable = /bin/true\nrequirements = Memory > $(Process)\nqueue 2\n").job.asksOfWorkers)
    }

    /// Asked to, a missing executable is refused at its line, as condor_submit refuses it,
    /// unless the job says it is not transferred; an existing one passes.
    func testAMissingExecutableIsRefusedWhenChecked() throws {
        var options = testOptions()
        options.checksExecutables = true
        let missing = expectError { () throws(JobSpecError) in
            _ = try self.load("arguments = x\nexecutable = /no/such/prog\nqueue 3\n", options: options)
        }
        XCTAssertEqual(missing?.location.line, 2)
        XCTAssertTrue(missing?.message.contains("/no/such/prog does not exist") ?? false, "\(String(describing: missing))")
        XCTAssertEqual(try load("executable = /no/such/prog\ntransfer_executable = false\nqueue\n", options: options).tasks.count, 1)
        XCTAssertEqual(try load("executable = /bin/true\nqueue 2\n", options: options).tasks.count, 2)
        XCTAssertEqual(try load("executable = /no/such/prog\nqueue\n").tasks.count, 1, "not checked unless asked")
    }

    func testIntFormatsTheMacro() throws {
        let job = try load("executable = /bin/echo\narguments = $INT(Process,%03d) $INT(Process) $INT(Process, %5d)\nqueue 2\n")
        XCTAssertEqual(arguments(job.tasks[1]), ["001", "1", "1"], "a space-padded field is one argument, its blanks split off")
    }

    // Found by the fuzz target `submit`: `$INT()` with nothing inside trapped.
    func testIntWithoutANameIsAnErrorAtItsLine() {
        for body in ["", " ", ",%03d"] {
            let error = expectError { () throws(JobSpecError) in
                _ = try self.load("executable = /bin/echo\narguments = $INT(\(body))\nqueue\n")
            }
            XCTAssertEqual(error?.location.line, 2, body)
            XCTAssertTrue(error?.message.contains("expected $INT(NAME) or $INT(NAME,format)") ?? false, "\(String(describing: error))")
        }
    }

    // The same kind of fault as the fuzzer's: a format width, or macros that double each other,
    // would take the machine's memory before anything ran.
    func testHugeExpansionsAreRefusedAtTheirLine() {
        let wide = expectError { () throws(JobSpecError) in
            _ = try self.load("executable = /bin/echo\narguments = $INT(Process,%0999999999999d)\nqueue\n")
        }
        XCTAssertEqual(wide?.location.line, 2)
        XCTAssertTrue(wide?.message.contains("wider than 4096") ?? false, "\(String(describing: wide))")

        var text = "executable = /bin/echo\na0 = xxxxxxxxxxxxxxxx\n"
        for level in 1...30 { text += "a\(level) = $(a\(level - 1))$(a\(level - 1))\n" }
        text += "arguments = $(a30)\nqueue\n"
        let doubled = expectError { () throws(JobSpecError) in _ = try self.load(text) }
        XCTAssertEqual(doubled?.location.line, 33)
        XCTAssertTrue(doubled?.message.contains("more than 1 MiB") ?? false, "\(String(describing: doubled))")
    }

    func testBadLineNamesLineAndColumn() {
        let error = expectError { () throws(JobSpecError) in
            _ = try self.load("executable = /bin/true\n   this is not valid\nqueue\n")
        }
        XCTAssertEqual(error?.location.line, 2)
        XCTAssertEqual(error?.location.column, 4)
    }

    func testResourcesRetriesNotificationAndRequirements() throws {
        let job = try load("""
            executable = /bin/true
            request_cpus = 4
            request_memory = 2 GB
            request_disk = 1M
            requirements = Target.Memory >= 1024 && OpSys == "linux"
            rank = Memory
            max_retries = 3
            notification = error
            notify_user = ann@example.org
            allowed_job_duration = 600
            queue
            """)
        let task = job.tasks[0]
        XCTAssertEqual(task.slots, 4)
        XCTAssertEqual(task.memoryMiB, 2048)
        XCTAssertEqual(task.diskKiB, 1024)
        XCTAssertEqual(task.requirements, "Target.Memory >= 1024 && OpSys == \"linux\"")
        XCTAssertEqual(task.rank, "Memory")
        XCTAssertEqual(task.maxRetries, 3)
        XCTAssertEqual(task.timeLimit, 600)
        XCTAssertEqual(task.attributes["condor.notification"], "Error")
        XCTAssertEqual(task.attributes["condor.notify_user"], "ann@example.org")
        XCTAssertEqual(task.environment.overrides["OMP_NUM_THREADS"], "4")
    }

    func testMemoryDefaultsToMiBAndDiskToKiB() throws {
        let job = try load("executable = /bin/true\nrequest_memory = 100\nrequest_disk = 100\nqueue\n")
        XCTAssertEqual(job.tasks[0].memoryMiB, 100)
        XCTAssertEqual(job.tasks[0].diskKiB, 100)
        let kib = try load("executable = /bin/true\nrequest_memory = 1500K\nqueue\n")
        XCTAssertEqual(kib.tasks[0].memoryMiB, 2, "1500 KiB rounds up to 2 MiB")
    }

    func testBadRequirementsNamesTheColumn() {
        let error = expectError { () throws(JobSpecError) in
            _ = try self.load("executable = /bin/true\nrequirements = Memory >= \nqueue\n")
        }
        XCTAssertEqual(error?.location.line, 2)
        XCTAssertEqual(error?.location.column, 25, "just after '>=', where an operand was expected")
    }

    func testEnvironmentBothSyntaxesAndGetenv() throws {
        let newSyntax = try load("""
            executable = /bin/true
            environment = "A=1 B='x y' C=""q"" D='it''s'"
            queue
            """)
        guard case .clean(let set) = newSyntax.tasks[0].environment else { return XCTFail("expected clean") }
        XCTAssertEqual(set["A"], "1")
        XCTAssertEqual(set["B"], "x y")
        XCTAssertEqual(set["C"], "\"q\"")
        XCTAssertEqual(set["D"], "it's")
        XCTAssertEqual(set["BATCH_SYSTEM"], "HTCondor")
        XCTAssertEqual(set["_CONDOR_JOB_IWD"], "/work/sub")
        XCTAssertNil(set["PATH"], "HTCondor without getenv passes nothing of the submitter's environment")

        let oldSyntax = try load("executable = /bin/true\nenvironment = A=1;B=two words\ngetenv = true\nqueue\n")
        guard case .inherit(let inherited) = oldSyntax.tasks[0].environment else { return XCTFail("expected inherit") }
        XCTAssertEqual(inherited["A"], "1")
        XCTAssertEqual(inherited["B"], "two words")

        let list = try load("executable = /bin/true\ngetenv = PATH, LA*\nqueue\n")
        guard case .clean(let listed) = list.tasks[0].environment else { return XCTFail("expected clean") }
        XCTAssertEqual(listed["PATH"], "/usr/bin:/bin")
        XCTAssertEqual(listed["LANG"], "C.UTF-8")
        XCTAssertNil(listed["HOME"])
    }

    func testOutputIsRelativeToInitialdirAndPercentIsLiteral() throws {
        let job = try load("""
            executable = bin/prog
            initialdir = run$(Process)
            output = out%a.txt
            log = job.log
            queue
            """)
        let task = job.tasks[0]
        XCTAssertEqual(task.command.executedArgv[0], "/work/sub/bin/prog", "executable is not relative to initialdir")
        XCTAssertEqual(task.workingDirectory, "/work/sub/run0")
        XCTAssertEqual(task.stdout, "/work/sub/run0/out%%a.txt")
        XCTAssertEqual(task.stderr, "/dev/null")
        XCTAssertEqual(task.attributes["condor.log"], "/work/sub/run0/job.log")
    }

    func testCommandLineOutputWinsOverTheFile() throws {
        var options = testOptions()
        options.output = "cli/%a.out"
        options.jobName = "cli"
        let job = try load("executable = /bin/true\noutput = o.$(Process)\nerror = e.$(Process)\nqueue 2\n",
                           options: options)
        XCTAssertEqual(job.tasks[1].stdout, "/work/sub/cli/%a.out")
        XCTAssertEqual(job.tasks[1].stderr, "/work/sub/e.1")
        XCTAssertEqual(job.name, "cli")
    }

    func testTransferCommandsWarnOnceAndUnusedMacrosNameClosestCommand() throws {
        let job = try load("""
            executable = /bin/true
            transfer_input_files = a
            should_transfer_files = YES
            request_memroy = 100
            used = yes
            arguments = $(used)
            queue
            """)
        XCTAssertEqual(job.warnings.count, 2, "\(job.warnings)")
        XCTAssertEqual(job.warnings[0].location.line, 2)
        XCTAssertTrue(job.warnings[0].message.contains("shared file system"))
        XCTAssertEqual(job.warnings[1].location.line, 4)
        XCTAssertTrue(job.warnings[1].message.contains("request_memory"), job.warnings[1].message)
        XCTAssertEqual(job.tasks[0].memoryMiB, nil)
    }

    func testMacroUsedOnlyByAnIgnoredCommandIsNotReportedUnused() throws {
        let job = try load("executable = /bin/true\nprio = 5\npriority = $(prio)\nqueue\n")
        XCTAssertEqual(job.warnings.map(\.location.line), [3], "only 'priority is ignored', not 'prio is unused'")
    }

    func testCustomAttributesAndMatchTimeMacros() throws {
        let job = try load("executable = /bin/true\n+ProjectName = \"cms\"\narguments = $$(Memory)\nqueue\n")
        XCTAssertEqual(job.tasks[0].attributes["classad.ProjectName"], "\"cms\"")
        XCTAssertEqual(arguments(job.tasks[0]), ["$$(Memory)"], "filled in when the task is placed")
        XCTAssertEqual(job.tasks[0].attributes[MachinePlacement.attribute], "argv")
        XCTAssertEqual(job.warnings.count, 0)
    }

    func testBadQueueStatements() {
        for (text, fragment) in [("queue x", "expected"), ("queue -1", "expected"), ("queue x from nowhere.txt", "cannot read"),
                                 ("queue x from ls |", "not supported"), ("queue x in (a", "never closed")] {
            let error = expectError { () throws(JobSpecError) in
                _ = try self.load("executable = /bin/true\n" + text + "\n")
            }
            XCTAssertEqual(error?.location.line, 2, text)
            XCTAssertTrue(error?.message.contains(fragment) ?? false, "\(text): \(error?.message ?? "")")
        }
    }

    func testAppendedCommandsOverrideTheFileBeforeEachQueue() throws {
        let job = try SubmitDescription(text: "executable = /bin/echo\narguments = $(node) $(x)\nx = file\nqueue\n",
                                        file: "n.sub", options: testOptions(),
                                        appending: [("node", "A"), ("x", "dag")])
        XCTAssertEqual(arguments(job.tasks[0]), ["A", "dag"])
        XCTAssertTrue(job.warnings.isEmpty, "\(job.warnings)")
    }

    func testNameIsBatchNameOrFileStem() throws {
        XCTAssertEqual(try load("executable = /bin/true\nqueue\n", file: "dir/sweep.sub").name, "sweep")
        XCTAssertEqual(try load("batch_name = mine\nexecutable = /bin/true\nqueue\n").name, "mine")
    }

    /// A job reloaded to look at its run (`status --task`, `output`) expands only each queue
    /// statement's first proc, not all of a `queue 1000000` (21.7 s of CPU to say "no such
    /// index"); its procs are still made exactly when asked, and its array indexes are its
    /// proc numbers without making any.
    func testAReloadExpandsOnlyTheFirstProcAndStillMakesEveryProcWhenAsked() throws {
        var options = testOptions()
        options.expandsEveryProc = false
        let text = "executable = /bin/echo\narguments = \"$(x) $(Process)\"\nqueue x in (ok, \"bad)\n"
        // The second proc's arguments do not parse: read whole, the file is refused at its line.
        XCTAssertNotNil(expectError { () throws(JobSpecError) in _ = try self.load(text) })
        // Reloaded, only the first proc is expanded, so the file loads; the second fails when made.
        let reloaded = try load(text, options: options).job
        XCTAssertEqual(reloaded.taskCount, 2)
        XCTAssertEqual(arguments(reloaded.task(at: 0)), ["ok", "0"])
        XCTAssertNil(reloaded.survey, "a survey of one proc would be taken for all")

        let big = try load("executable = /bin/echo\narguments = $(Process)\nqueue 1000000\n", options: options).job
        XCTAssertEqual(big.taskCount, 1_000_000)
        XCTAssertEqual(arguments(big.task(at: 999_999)), ["999999"])
        XCTAssertEqual(big.task(at: 999_999).arrayIndex, 999_999)
        for position in [0, 1, 500_000, 999_999] {
            XCTAssertEqual(big.arrayIndex(at: position), big.task(at: position).arrayIndex)
        }
        let whole = try load("executable = /bin/echo\nqueue 3\n").job
        XCTAssertNotNil(whole.survey)
        XCTAssertEqual((0..<3).map(whole.arrayIndex(at:)), (0..<3).map { whole.task(at: $0).arrayIndex })
    }
}
