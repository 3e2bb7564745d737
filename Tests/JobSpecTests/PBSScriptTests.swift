import XCTest
@testable import JobSpec

final class PBSScriptTests: XCTestCase {
    func load(_ text: String, file: String = "sweep.pbs",
              options: JobLoadOptions = testOptions()) throws(JobSpecError) -> ArrayJob {
        try PBSScript(text: text, file: file, options: options).job
    }

    let script = """
        #!/bin/bash
        #PBS -N sweep
        #PBS -J 1-5:2%2
        #PBS -l select=1:ncpus=4:mem=2gb
        #PBS -l walltime=01:30:00
        #PBS -q short
        #PBS -v "ALPHA=1,BETA=two"

        cd "$PBS_O_WORKDIR"
        #PBS -N ignored
        ./prog "$PBS_ARRAY_INDEX"
        """

    func testSubjobsEnvironmentResourcesAndNames() throws {
        let job = try load(script)
        XCTAssertEqual(job.name, "sweep")
        XCTAssertEqual(job.maxConcurrent, 2)
        XCTAssertEqual(job.tasks.map(\.arrayIndex), [1, 3, 5])
        let task = job.tasks[1]
        XCTAssertEqual(task.command.executedArgv, ["/bin/bash", "/work/sub/sweep.pbs"])
        XCTAssertEqual(task.slots, 4)
        XCTAssertEqual(task.memoryMiB, 2048)
        XCTAssertEqual(task.timeLimit, 5400)
        XCTAssertEqual(task.workingDirectory, "/home/ann", "PBS starts the job in the home directory")
        XCTAssertEqual(task.stdout, "/work/sub/sweep.o42.3")
        XCTAssertEqual(task.stderr, "/work/sub/sweep.e42.3")
        XCTAssertEqual(task.attributes["pbs.tmpdir"], "1")
        guard case .inheritOnly(let names, let set) = task.environment else { return XCTFail("expected inheritOnly") }
        XCTAssertTrue(names.contains("HOME") && names.contains("PATH"))
        let expected = ["PBS_ARRAY_INDEX": "3", "PBS_ARRAY_ID": "42[].head", "PBS_JOBID": "42[3].head",
                        "PBS_JOBNAME": "sweep", "PBS_ENVIRONMENT": "PBS_BATCH", "PBS_O_WORKDIR": "/work/sub",
                        "PBS_O_HOME": "/home/ann", "PBS_O_PATH": "/usr/bin:/bin", "PBS_O_HOST": "head",
                        "PBS_O_QUEUE": "short", "NCPUS": "4", "OMP_NUM_THREADS": "4", "ALPHA": "1", "BETA": "two"]
        for (name, value) in expected { XCTAssertEqual(set[name], value, name) }
        XCTAssertNil(set["PBS_ARRAYID"], "PBS_ARRAYID is Torque's")
        XCTAssertEqual(job.warnings.count, 1, "the directive after the first command is reported")
        XCTAssertEqual(job.warnings.first?.location.line, 10)
    }

    func testJoinExportAllExplicitOutputAndCommandLineWins() throws {
        let job = try load("#PBS -J 0-1\n#PBS -j oe\n#PBS -V\n#PBS -o out/^array_index^.log\nprog\n")
        XCTAssertEqual(job.tasks[1].stdout, "/work/sub/out/1.log")
        XCTAssertEqual(job.tasks[1].stderr, job.tasks[1].stdout)
        XCTAssertEqual(job.tasks[0].command.executedArgv, ["/bin/sh", "/work/sub/sweep.pbs"])
        guard case .inherit = job.tasks[0].environment else { return XCTFail("-V exports everything") }

        var options = testOptions()
        options.output = "cli-%a.out"
        let overridden = try load("#PBS -J 0-1\n#PBS -o file.out\nprog\n", options: options)
        XCTAssertEqual(overridden.tasks[1].stdout, "/work/sub/cli-%a.out")
    }

    func testOutputDirectoryGetsTheDefaultName() throws {
        let job = try load("#PBS -N d\n#PBS -J 0-1\n#PBS -o logs/\n#PBS -e /var/tmp\nprog\n")
        XCTAssertEqual(job.tasks[1].stdout, "/work/sub/logs/d.o42.1")
        XCTAssertEqual(job.tasks[1].stderr, "/var/tmp/d.e42.1", "an existing directory")
    }

    func testTorqueArraysAndNodesPpn() throws {
        let job = try load("#PBS -t 2,4-5%1\n#PBS -l nodes=1:ppn=3,walltime=10:00\nprog\n", file: "t.sh")
        XCTAssertEqual(job.tasks.map(\.arrayIndex), [2, 4, 5])
        XCTAssertEqual(job.maxConcurrent, 1)
        XCTAssertEqual(job.tasks[0].slots, 3)
        XCTAssertEqual(job.tasks[0].timeLimit, 600)
        XCTAssertEqual(job.tasks[0].stdout, "/work/sub/t.sh.o42-2")
        XCTAssertEqual(job.tasks[0].environment.overrides["PBS_ARRAYID"], "2")
        XCTAssertNil(job.tasks[0].environment.overrides["PBS_ARRAY_INDEX"])
    }

    func testTorqueInitialDirectory() throws {
        let job = try load("#PBS -d runs\n#PBS -t 0-1\nprog\n")
        XCTAssertEqual(job.tasks[0].workingDirectory, "/work/sub/runs")
        XCTAssertEqual(job.tasks[0].environment.overrides["PBS_O_INITDIR"], "/work/sub/runs")
    }

    func testWithoutArrayIsOneJob() throws {
        let job = try load("#PBS -N one\nprog\n")
        XCTAssertEqual(job.taskCount, 1)
        XCTAssertEqual(job.tasks[0].stdout, "/work/sub/one.o42")
        XCTAssertNil(job.tasks[0].environment.overrides["PBS_ARRAY_INDEX"])
    }

    func testRealAllocationJobIDIsKept() throws {
        var options = testOptions()
        options.environment["PBS_JOBID"] = "9999.realserver"
        options.environment["PBS_NODEFILE"] = "/var/spool/pbs/aux/9999"
        let job = try load("#PBS -J 0-1\nprog\n", options: options)
        guard case .inheritOnly(let names, let set) = job.tasks[0].environment else { return XCTFail() }
        XCTAssertNil(set["PBS_JOBID"])
        XCTAssertTrue(names.contains("PBS_JOBID") && names.contains("PBS_NODEFILE"))
        XCTAssertEqual(job.tasks[0].attributes["pbs.jobid"], "42[0].head")
    }

    func testBadDirectivesNameLineAndColumn() {
        for (text, line, column) in [("#PBS -J 4-4\n", 1, 9), ("#PBS -N x\n#PBS -J 3,9,27\n", 2, 10),
                                     ("#PBS -l walltime=abc\n", 1, 6), ("#PBS -j xy\n", 1, 6),
                                     ("#PBS -N\n", 1, 6)] {
            let error = expectError { () throws(JobSpecError) in _ = try self.load(text + "prog\n") }
            XCTAssertEqual(error?.location.line, line, text)
            XCTAssertEqual(error?.location.column, column, text)
        }
    }
}
