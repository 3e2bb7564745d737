import XCTest
@testable import JobSpec

/// The scheduler front ends' command lines (`qsub`, `sbatch`) and dependency options, read
/// by the same parsers as the scripts' directives.
final class FrontEndCommandLineTests: XCTestCase {
    func testQsubSplitsOptionsFromTheScript() throws {
        let line = try QsubCommandLine(["-N", "B", "-W", "depend=afterok:12.head", "-j", "oe", "-lselect=1:ncpus=2", "job.sh"])
        XCTAssertEqual(line.options, ["-N", "B", "-W", "depend=afterok:12.head", "-j", "oe", "-lselect=1:ncpus=2"])
        XCTAssertEqual(line.script, "job.sh")
        XCTAssertNil(line.command)
        XCTAssertTrue(line.printsJobID)
    }

    func testQsubCommandFormStandardInputAndQuiet() throws {
        let command = try QsubCommandLine(["-V", "-z", "--", "/bin/sleep", "10", "-N"])
        XCTAssertEqual(command.command, ["/bin/sleep", "10", "-N"])
        XCTAssertEqual(command.options, ["-V", "-z"])
        XCTAssertFalse(command.printsJobID)
        let stdin = try QsubCommandLine(["-N", "S"])
        XCTAssertNil(stdin.script)
        XCTAssertNil(stdin.command)
        XCTAssertNil(stdin.inlineScript)
    }

    /// `qsub -- executable args` and `sbatch --wrap` queue a script of their own, named as
    /// the real commands name the job; a script file has none.
    func testQsubCommandAndSbatchWrapMakeTheirOwnScript() throws {
        let qsub = try QsubCommandLine(["--", "/opt/bin/fit", "it's", "x"]).inlineScript
        XCTAssertEqual(qsub?.text, "#!/bin/sh\nexec /opt/bin/fit 'it'\\''s' x\n")
        XCTAssertEqual(qsub?.name, "fit")
        let wrap = try SbatchCommandLine(["--wrap", "echo hi"]).inlineScript
        XCTAssertEqual(wrap?.text, SbatchCommandLine.wrapScript("echo hi"))
        XCTAssertEqual(wrap?.name, "wrap")
        XCTAssertNil(try SbatchCommandLine(["run.sh"]).inlineScript)
    }

    func testQsubRefusesWhatTheFarmCannotDo() {
        XCTAssertTrue(expectError { () throws(JobSpecError) in _ = try QsubCommandLine(["-I"]) }?.message.contains("interactive") ?? false)
        XCTAssertTrue(expectError { () throws(JobSpecError) in _ = try QsubCommandLine(["-h", "job.sh"]) }?.message.contains("qrls") ?? false)
        XCTAssertTrue(expectError { () throws(JobSpecError) in _ = try QsubCommandLine(["job.sh", "extra"]) }?.message.contains("one script") ?? false)
        XCTAssertTrue(expectError { () throws(JobSpecError) in _ = try QsubCommandLine(["--"]) }?.message.contains("executable") ?? false)
        XCTAssertTrue(expectError { () throws(JobSpecError) in _ = try QsubCommandLine(["-N"]) }?.message.contains("needs a value") ?? false)
    }

    func testSbatchTakesItsOwnOptionsOutAndKeepsTheScriptsArguments() throws {
        let line = try SbatchCommandLine(["--parsable", "-J", "sweep", "--array=1-5", "-c4", "--wait", "run.sh", "-x", "7"])
        XCTAssertTrue(line.parsable)
        XCTAssertTrue(line.waits)
        XCTAssertEqual(line.options, ["-J", "sweep", "--array", "1-5", "-c", "4"])
        XCTAssertEqual(line.script, "run.sh")
        XCTAssertEqual(line.arguments, ["-x", "7"])
        let wrap = try SbatchCommandLine(["--array=1-5", "--wrap", "echo $SLURM_ARRAY_TASK_ID"])
        XCTAssertEqual(wrap.wrap, "echo $SLURM_ARRAY_TASK_ID")
        XCTAssertNil(wrap.script)
        XCTAssertEqual(SbatchCommandLine.wrapScript("echo hi"), "#!/bin/sh\n# This script was created by sbatch --wrap.\n\necho hi\n")
    }

    func testSbatchRefusesAScriptWithWrapAndHold() {
        XCTAssertNotNil(expectError { () throws(JobSpecError) in _ = try SbatchCommandLine(["--wrap=true", "run.sh"]) })
        XCTAssertTrue(expectError { () throws(JobSpecError) in _ = try SbatchCommandLine(["--hold", "run.sh"]) }?.message.contains("scontrol") ?? false)
    }

    func testDependenciesOfQsubAndSbatch() throws {
        XCTAssertEqual(try JobDependency.parsePBS("afterok:12.head:13.head,afterany:14[].head"),
                       [JobDependency(type: .afterOK, jobs: ["12.head", "13.head"]),
                        JobDependency(type: .afterAny, jobs: ["14[].head"])])
        XCTAssertEqual(try JobDependency.parseSlurm("afternotok:7_2,afterok:9"),
                       [JobDependency(type: .afterNotOK, jobs: ["7_2"]), JobDependency(type: .afterOK, jobs: ["9"])])
        XCTAssertTrue(expectError { () throws(JobSpecError) in _ = try JobDependency.parsePBS("before:12") }?.message.contains("'before'") ?? false)
        XCTAssertTrue(expectError { () throws(JobSpecError) in _ = try JobDependency.parseSlurm("afterok:1?afterok:2") }?.message.contains("'?'") ?? false)
        XCTAssertTrue(expectError { () throws(JobSpecError) in _ = try JobDependency.parseSlurm("after:1+5") }?.message.contains("+time") ?? false)
        XCTAssertTrue(expectError { () throws(JobSpecError) in _ = try JobDependency.parseSlurm("singleton") }?.message.contains("singleton") ?? false)
        XCTAssertTrue(expectError { () throws(JobSpecError) in _ = try JobDependency.parsePBS("afterok:") }?.message.contains("needs job ids") ?? false)
    }

    func testQsubsDependOptionIsReadOnlyWhenTheFrontEndAppliesIt() throws {
        var options = testOptions()
        options.batchOptions = ["-W", "depend=afterok:3.head", "-A", "project"]
        let ignored = try PBSScript(text: "#!/bin/sh\n#PBS -W depend=afterany:2\ntrue\n", file: "job.sh", options: options)
        XCTAssertEqual(ignored.dependencies, [])
        XCTAssertTrue(ignored.warnings.contains { $0.message.contains("depend") && $0.message.contains("ignored") })
        options.honoursDependencies = true
        let honoured = try PBSScript(text: "#!/bin/sh\n#PBS -W depend=afterany:2\ntrue\n", file: "job.sh", options: options)
        XCTAssertEqual(honoured.dependencies, [JobDependency(type: .afterAny, jobs: ["2"]),
                                               JobDependency(type: .afterOK, jobs: ["3.head"])])
        XCTAssertFalse(honoured.warnings.contains { $0.message.contains("depend") })
    }

    func testSbatchsDependencyIsReadOnlyWhenTheFrontEndAppliesIt() throws {
        var options = testOptions()
        options.batchOptions = ["--dependency=afterok:5"]
        let ignored = try SlurmScript(text: "#!/bin/sh\ntrue\n", file: "job.sh", options: options)
        XCTAssertEqual(ignored.dependencies, [])
        XCTAssertTrue(ignored.warnings.contains { $0.message.contains("--dependency") })
        options.honoursDependencies = true
        let honoured = try SlurmScript(text: "#!/bin/sh\n#SBATCH -d afternotok:4\ntrue\n", file: "job.sh", options: options)
        XCTAssertEqual(honoured.dependencies, [JobDependency(type: .afterOK, jobs: ["5"])], "the command line wins")
    }

    func testFixingJobFieldsKeepsWhatOnlyTheWorkerKnows() throws {
        let pattern = try OutputPattern("slurm-%A_%3a-%x-%N.%s.out", location: SourceLocation(file: "", line: 0))
        let fixed = pattern.fixingJobFields(.init(runID: 12, arrayIndex: 4, host: "", jobName: "w%rap", user: "ann"))
        XCTAssertEqual(fixed, "slurm-12_004-w%%rap-%N.%s.out")
        let expanded = try OutputPattern(fixed, location: SourceLocation(file: "", line: 0))
            .expand(.init(runID: 99, arrayIndex: 0, host: "node1", jobName: "x", user: "u", attempt: 2))
        XCTAssertEqual(expanded, "slurm-12_004-w%rap-node1.2.out")
    }
}
