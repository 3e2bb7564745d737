import XCTest
@testable import JobSpec

/// A submit description is expanded once when read: what the capacity check and `check`'s
/// header need is gathered then (``TaskSurvey``), and commands that use no per-proc macro are
/// expanded once per queue statement. These tests hold the answers to those of a pass over
/// every proc.
final class SubmitSurveyTests: XCTestCase {
    func load(_ text: String) throws(JobSpecError) -> SubmitJob {
        try SubmitDescription(text: text, file: "job.sub", options: testOptions()).job
    }

    /// An error that only a late proc makes is still found when the file is read, at the
    /// line of the command that makes it, though every earlier proc shares its other commands.
    func testAnErrorOnlyALateProcMakesIsReportedAtItsLine() {
        let error = expectError { () throws(JobSpecError) in
            _ = try self.load("""
                executable = /bin/echo
                arguments = proc $(Process)
                output = out/$(Process).out
                request_cpus = 3000 - $(Process)
                queue 3001
                """)
        }
        XCTAssertEqual(error?.location.line, 4)
        XCTAssertTrue(error?.message.hasPrefix("request_cpus '3000 - 3000'") ?? false, "\(String(describing: error))")
        XCTAssertEqual(try load("executable = /bin/echo\nrequest_cpus = 3000 - $(Process)\nqueue 3000\n").taskCount, 3000,
                       "proc 2999 asks for 1 core")
    }

    /// A macro that uses `$(Process)` through another macro, or an item, makes the command
    /// that uses it differ between procs; a command that uses neither is the same for all.
    func testCommandsThatUseAPerProcMacroIndirectlyDifferBetweenProcs() throws {
        let job = try load("""
            executable = /bin/echo
            base = run$(Process)
            tag = fixed
            arguments = $(base) $(tag) $(Item)
            output = $(base).out
            error = $(tag).err
            queue 2 in (a, b)
            """)
        XCTAssertEqual(job.taskCount, 4)
        XCTAssertEqual(job.task(at: 0).command.executedArgv, ["/bin/echo", "run0", "fixed", "a"])
        XCTAssertEqual(job.task(at: 3).command.executedArgv, ["/bin/echo", "run3", "fixed", "b"])
        XCTAssertEqual(job.task(at: 3).stdout, "/work/sub/run3.out")
        XCTAssertEqual(job.task(at: 3).stderr, "/work/sub/fixed.err")
        XCTAssertEqual(job.tasks, (0..<4).map(job.task(at:)), "made again, the same procs")
    }

    /// A queue variable named after a command is that command for its proc, never shared.
    func testAQueueVariableNamedAfterACommandIsPerProc() throws {
        let job = try load("""
            executable = /bin/echo
            arguments = default
            queue arguments in (one, two)
            """)
        XCTAssertEqual(job.task(at: 0).command.executedArgv, ["/bin/echo", "one"])
        XCTAssertEqual(job.task(at: 1).command.executedArgv, ["/bin/echo", "two"])
    }

    /// A request that grows with `$(Process)` is checked proc by proc: the first proc that
    /// no host can hold is named, with its request's line; with more distinct requests than
    /// the survey keeps, the check still finds a late one.
    func testARequestThatVariesByProcIsCheckedPerProcAgainstTheHosts() throws {
        let job = try load("""
            executable = /bin/true
            request_cpus = $(Process) + 1
            queue 12
            """)
        let hosts = [HostCapacity(host: "n1", pool: ResourceRequest(cores: 4)),
                     HostCapacity(host: "n2", pool: ResourceRequest(cores: 8))]
        let refusal = HostCapacity.firstRefusal(in: job, hosts: hosts)
        XCTAssertEqual(refusal?.location.line, 2)
        XCTAssertTrue(refusal?.message.hasPrefix("task 8 asks for 9 cores, and the largest host, n2, has 8") ?? false,
                      "\(String(describing: refusal))")

        let many = TaskSurvey.maximumRequests + 10
        let growing = try load("""
            executable = /bin/true
            request_memory = $(Process)
            queue \(many)
            """)
        let memory = [HostCapacity(host: "n1", pool: ResourceRequest(cores: 4, memoryMiB: many - 2))]
        let late = HostCapacity.firstRefusal(in: growing, hosts: memory)
        XCTAssertEqual(late?.location.line, 2)
        XCTAssertTrue(late?.message.hasPrefix("task \(many - 1) asks for \(many - 1) MiB") ?? false,
                      "\(String(describing: late))")
    }

    /// The survey gives the variables a pass over every proc finds shared: the same header
    /// and rows as a job that gathered none.
    func testTheSharedEnvironmentIsThatOfEveryProc() throws {
        let text = """
            executable = /bin/true
            environment = "A=1 B=$(Process) C=2"
            queue 3
            environment = "A=1 B=x"
            queue 2
            """
        let job = try load(text)
        XCTAssertEqual(job.survey?.sharedEnvironment["A"], "1")
        XCTAssertNil(job.survey?.sharedEnvironment["B"])
        XCTAssertNil(job.survey?.sharedEnvironment["C"], "the second statement does not set it")
        let unsurveyed = ExpandedJob(name: job.name, file: job.file, tasks: job.tasks)
        XCTAssertEqual(JobCheck.table(job), JobCheck.table(unsurveyed))
        XCTAssertTrue(JobCheck.table(job).contains("every task sets A=1 BATCH_SYSTEM=HTCondor"))
    }
}
