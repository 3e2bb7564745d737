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
        XCTAssertEqual(job.tasks[0].command.executedArgv, ["/bin/bash", "/work/sub/sweep.pbs"],
                       "without #! the user's login shell runs the script, as under qsub")
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

    /// Inside a real PBS job each subjob still sees its own id and node file, as a subjob
    /// qsub started would; the allocation's other variables pass through.
    func testSubjobsOwnIdsWinOverTheRealAllocation() throws {
        var options = testOptions()
        options.environment["PBS_JOBID"] = "9999.realserver"
        options.environment["PBS_NODEFILE"] = "/var/spool/pbs/aux/9999"
        options.environment["PBS_ACCOUNT"] = "proj"
        let job = try load("#PBS -J 0-1\nprog\n", options: options)
        guard case .inheritOnly(let names, let set) = job.tasks[1].environment else { return XCTFail() }
        XCTAssertEqual(set["PBS_JOBID"], "42[1].head")
        XCTAssertFalse(names.contains("PBS_NODEFILE"), "the worker writes the subjob's own node file")
        XCTAssertTrue(names.contains("PBS_ACCOUNT"))
        XCTAssertEqual(job.tasks[1].attributes["pbs.jobid"], "42[1].head")
    }

    /// The per-subjob variables of the PBS Pro reference and Torque's guide, the login
    /// shell for a script without `#!`, and qsub's options on the command line.
    func testPerSubjobVariablesLoginShellAndCommandLine() throws {
        var options = testOptions()
        options.loginShell = "/bin/zsh"
        options.batchOptions = ["-v", "GAMMA=3,DATA", "-V"]
        options.jobName = "2-6:2"
        let job = try load("#PBS -J 0-1\n#PBS -N named\n#PBS -l select=1:ncpus=2:mpiprocs=2\n(( x = 1 ))\n",
                           options: options)
        XCTAssertEqual(job.tasks.map(\.arrayIndex), [2, 4, 6], "-J on the command line is qsub's array option")
        XCTAssertEqual(job.name, "named")
        let task = job.tasks[0]
        XCTAssertEqual(task.command.executedArgv, ["/bin/zsh", "/work/sub/sweep.pbs"])
        guard case .inherit(let set) = task.environment else { return XCTFail("-V on the command line") }
        let expected = ["GAMMA": "3", "DATA": "/data/set1", "PBS_O_SHELL": "/bin/bash", "PBS_TASKNUM": "1",
                        "PBS_ENVIRONMENT": "PBS_BATCH", "PBS_JOBNAME": "named", "PBS_ARRAY_INDEX": "2",
                        "PBS_JOBID": "42[2].head", "PBS_ARRAY_ID": "42[].head", "PBS_O_WORKDIR": "/work/sub",
                        "PBS_O_HOST": "head", "PBS_QUEUE": "workq", "PBS_O_PATH": "/usr/bin:/bin",
                        "PBS_O_HOME": "/home/ann", "NCPUS": "2"]
        for (name, value) in expected { XCTAssertEqual(set[name], value, name) }
        XCTAssertEqual(task.attributes["pbs.nodefile"], "2", "mpiprocs lines in PBS_NODEFILE")

        options.batchOptions = ["-t", "1-3"]
        options.jobName = nil
        let torque = try load("#PBS -l nodes=1:ppn=3\nprog\n", options: options)
        XCTAssertEqual(torque.tasks.map(\.arrayIndex), [1, 2, 3])
        XCTAssertEqual(torque.tasks[0].environment.overrides["PBS_ARRAYID"], "1")
        XCTAssertEqual(torque.tasks[0].environment.overrides["PBS_NUM_PPN"], "3")
        XCTAssertEqual(torque.tasks[0].attributes["pbs.nodefile"], "3", "Torque: one line per ppn")

        options.batchOptions = ["--array=1-3"]
        let refused = expectError { () throws(JobSpecError) in _ = try self.load("prog\n", options: options) }
        XCTAssertTrue(refused?.message.contains("not a qsub option") ?? false, "\(String(describing: refused))")
    }

    /// `-J` on the command line (`taskfarm run -J RANGE job.pbs`) is qsub's array option: a
    /// bad or too large range is refused as a usage error naming it and PBS Pro's syntax,
    /// as `#PBS -J 10-1` is refused in the file, never kept as the job's name while the
    /// file's own array runs.
    func testACommandLineJRangeThatIsBadIsRefusedNotTakenAsTheName() {
        for value in ["1-1000001", "10-1", "1-5:0", "1-3,5", "4-4"] {
            var options = testOptions()
            options.jobName = value
            let error = expectError { () throws(JobSpecError) in _ = try self.load("#PBS -J 10-30:5\nprog\n", options: options) }
            XCTAssertEqual(error?.isInCommandLine, true, "\(value): \(String(describing: error))")
            XCTAssertTrue(error?.message.contains("'\(value)'") == true, "\(value): \(String(describing: error))")
            XCTAssertTrue(error?.message.contains("-J") == true, "\(value): \(String(describing: error))")
        }
        var named = testOptions()
        named.jobName = "sweep-2"
        XCTAssertEqual(try? load("#PBS -J 1-2\nprog\n", options: named).name, "sweep-2", "a name is still a name")
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

    /// Directives that would change what runs are warned at their line; those about the
    /// allocation (account, mail, ...) once, together.
    func testUnhonouredDirectivesAreWarned() throws {
        let job = try load("""
            #PBS -J 0-1
            #PBS -A proj
            #PBS -M ann@example.org -m abe
            #PBS -W depend=afterok:12
            #PBS -l select=1:ncpus=2:ngpus=1
            #PBS -l place=scatter
            #PBS -l nodes=2:ppn=4
            prog
            """)
        let lines = job.warnings.map(\.location.line)
        XCTAssertEqual(Set(lines), [2, 4, 6, 7], "\(job.warnings)")
        XCTAssertEqual(lines.filter { $0 == 2 }.count, 1, "allocation options are warned once")
        XCTAssertTrue(job.warnings.contains { $0.message.contains("-A, -M, -m") })
        XCTAssertTrue(job.warnings.contains { $0.message.contains("depend") })
        XCTAssertEqual(job.tasks[0].gpus, 1, "ngpus is the subjob's GPUs")
        XCTAssertEqual(job.tasks[0].requestLines?.gpus?.line, 5)
    }
}
