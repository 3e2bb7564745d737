import XCTest
@testable import JobSpec

final class SlurmScriptTests: XCTestCase {
    func load(_ text: String, file: String = "array.sh",
              options: JobLoadOptions = testOptions()) throws(JobSpecError) -> ArrayJob {
        try SlurmScript(text: text, file: file, options: options).job
    }

    func testArrayEnvironmentAndDefaults() throws {
        let job = try load("""
            #!/usr/bin/env python3
            #SBATCH --array=0-99:2%10
            #SBATCH -c 2 --time=1-02:03:04
            #SBATCH --mem=3G --partition=short  # a comment
            import os
            """)
        XCTAssertEqual(job.taskCount, 50)
        XCTAssertEqual(job.maxConcurrent, 10)
        let task = job.tasks[3]
        XCTAssertEqual(task.arrayIndex, 6)
        XCTAssertEqual(task.command.executedArgv, ["/usr/bin/env", "python3", "/work/sub/array.sh"])
        XCTAssertEqual(task.slots, 2)
        XCTAssertEqual(task.memoryMiB, 3072)
        XCTAssertEqual(task.timeLimit, Double(((24 + 2) * 60 + 3) * 60 + 4))
        XCTAssertEqual(task.stdout, "/work/sub/slurm-%A_%a.out")
        XCTAssertEqual(task.stderr, task.stdout)
        XCTAssertEqual(task.workingDirectory, "/work/sub")
        guard case .inherit(let set) = task.environment else { return XCTFail("sbatch exports everything") }
        XCTAssertEqual(set["SLURM_ARRAY_TASK_ID"], "6")
        XCTAssertEqual(set["SLURM_ARRAY_JOB_ID"], "42")
        XCTAssertEqual(set["SLURM_ARRAY_TASK_COUNT"], "50")
        XCTAssertEqual(set["SLURM_ARRAY_TASK_MIN"], "0")
        XCTAssertEqual(set["SLURM_ARRAY_TASK_MAX"], "98")
        XCTAssertEqual(set["SLURM_ARRAY_TASK_STEP"], "2")
        XCTAssertEqual(set["SLURM_JOB_NAME"], "array.sh")
        XCTAssertEqual(set["SLURM_JOB_ID"], "45", "the element's own job id: the run id plus its position")
        XCTAssertEqual(job.warnings.map(\.location.line), [4], "--partition: one allocation warning")
    }

    func testNamesOutputsAndCommandLinePrecedence() throws {
        let text = "#!/bin/sh\n#SBATCH -J sweep\n#SBATCH --array=1,3,5-9\n#SBATCH -o logs/%x-%a.out -e logs/%x-%a.err\n"
        let job = try load(text)
        XCTAssertEqual(job.name, "sweep")
        XCTAssertEqual(job.tasks.map(\.arrayIndex), [1, 3, 5, 6, 7, 8, 9])
        XCTAssertEqual(job.tasks[0].stdout, "/work/sub/logs/%x-%a.out")
        XCTAssertEqual(job.tasks[0].stderr, "/work/sub/logs/%x-%a.err")

        var options = testOptions()
        options.output = "cli-%a.txt"
        options.jobName = "cli"
        let overridden = try load(text, options: options)
        XCTAssertEqual(overridden.tasks[0].stdout, "/work/sub/cli-%a.txt")
        XCTAssertEqual(overridden.name, "cli")
        XCTAssertEqual(overridden.tasks[0].environment.overrides["SLURM_JOB_NAME"], "cli")
    }

    func testLargeArraysAreBuiltOnDemand() throws {
        let job = try load("#!/bin/sh\n#SBATCH --array=0-999999\n")
        XCTAssertEqual(job.taskCount, 1_000_000)
        XCTAssertEqual(job.task(at: 999_999).environment.overrides["SLURM_ARRAY_TASK_ID"], "999999")
        XCTAssertEqual(job.task(at: 999_999).position, 999_999)
    }

    /// A near miss of an option the farm acts on is refused, naming the option meant; an
    /// sbatch option the farm has no use for is a warning.
    func testATypoOfAnActedOnOptionIsAnError() throws {
        let typo = expectError { () throws(JobSpecError) in
            _ = try self.load("#!/bin/sh\n#SBATCH --arary=0-3\nprog\n")
        }
        XCTAssertEqual(typo?.location.line, 2)
        XCTAssertTrue(typo?.message.contains("did you mean --array?") ?? false, "\(String(describing: typo))")
        let job = try load("#!/bin/sh\n#SBATCH --array=0-3\n#SBATCH --partition=debug\n#SBATCH --frobnicate=yes\nprog\n")
        XCTAssertEqual(job.taskCount, 4)
        XCTAssertEqual(job.warnings.map(\.location.line), [3, 4], "--partition about the allocation, --frobnicate unknown")
        XCTAssertTrue(job.warnings.last?.warningDescription.contains(":4:9: warning: --frobnicate is not an sbatch option")
                      ?? false, "\(job.warnings)")
    }

    func testTimeFormats() {
        let cases: [(String, Double?)] = [("30", 1800), ("30:15", 1815), ("1:00:00", 3600), ("2-0", 172_800),
                                          ("2-1:30", 178_200), ("0-0:0:5", 5), ("UNLIMITED", nil)]
        for (text, seconds) in cases {
            guard let parsed = ResourceValues.slurmTime(text) else { return XCTFail(text) }
            XCTAssertEqual(parsed, seconds, text)
        }
        XCTAssertNil(ResourceValues.slurmTime("1:2:3:4") as Double??)
        XCTAssertNil(ResourceValues.slurmTime("abc") as Double??)
    }

    func testExportNoneAndChdir() throws {
        var options = testOptions()
        options.environment["SLURM_JOB_ID"] = "777"
        let job = try load("#!/bin/sh\n#SBATCH --export=NONE,EXTRA=1 -D run\nprog\n", options: options)
        guard case .inheritOnly(let names, let set) = job.tasks[0].environment else { return XCTFail() }
        XCTAssertEqual(names, ["SLURM_JOB_ID"])
        XCTAssertEqual(set["EXTRA"], "1")
        XCTAssertEqual(job.tasks[0].workingDirectory, "/work/sub/run")
        XCTAssertEqual(job.tasks[0].stdout, "/work/sub/run/slurm-42.out", "no --array: slurm-JOBID.out")
    }

    func testErrors() {
        let noShebang = expectError { () throws(JobSpecError) in _ = try self.load("#SBATCH --array=1-2\nprog\n") }
        XCTAssertEqual(noShebang?.location.line, 1)
        let badArray = expectError { () throws(JobSpecError) in
            _ = try self.load("#!/bin/sh\n#SBATCH --array=1-x\n")
        }
        XCTAssertEqual(badArray?.location.line, 2)
        XCTAssertEqual(badArray?.location.column, 9 + 8 + 2)
        let separateWord = expectError { () throws(JobSpecError) in
            _ = try self.load("#!/bin/sh\n#SBATCH -a   1-x\n")
        }
        XCTAssertEqual(separateWord?.location.column, 14 + 2, "points into the value word")
        let badPattern = expectError { () throws(JobSpecError) in
            _ = try self.load("#!/bin/sh\n#SBATCH --output=out-%q\n")
        }
        XCTAssertEqual(badPattern?.location.line, 2)
        XCTAssertEqual(badPattern?.location.column, 9 + 9, "at the value after --output=")
        let badTime = expectError { () throws(JobSpecError) in _ = try self.load("#!/bin/sh\n#SBATCH -t soon\n") }
        XCTAssertEqual(badTime?.location.line, 2)
    }

    /// Each element sees what a one-node Slurm job sees: its own job id, the submit
    /// directory and host, and the worker's host as its node list once it is placed.
    func testEveryElementGetsSbatchsVariables() throws {
        let job = try load("#!/bin/bash\n#SBATCH --array=3-7:2 -J sweep\nset -u\ncd $SLURM_SUBMIT_DIR\n")
        let ids = job.tasks.map { $0.environment.overrides["SLURM_JOB_ID"] }
        XCTAssertEqual(ids, ["42", "43", "44"], "Slurm numbers elements from the array job's id")
        XCTAssertEqual(job.tasks.map { $0.environment.overrides["SLURM_JOBID"] }, ids)
        let set = job.tasks[1].environment.overrides
        XCTAssertEqual(set["SLURM_ARRAY_JOB_ID"], "42")
        XCTAssertEqual(set["SLURM_ARRAY_TASK_ID"], "5")
        XCTAssertEqual(set["SLURM_SUBMIT_DIR"], "/work/sub")
        XCTAssertEqual(set["SLURM_SUBMIT_HOST"], "head")
        XCTAssertEqual(set["SLURM_JOB_NAME"], "sweep")
        XCTAssertEqual(set["SLURM_JOB_USER"], "ann")
        for name in ["SLURM_NNODES", "SLURM_JOB_NUM_NODES", "SLURM_NTASKS", "SLURM_NPROCS"] {
            XCTAssertEqual(set[name], "1", name)
        }
        XCTAssertEqual(set["SLURM_PROCID"], "0")
        XCTAssertEqual(set["SLURM_CPUS_ON_NODE"], "1")
        XCTAssertNil(set["SLURM_CPUS_PER_TASK"], "only where --cpus-per-task is given")

        let placed = MachinePlacement.place(job.tasks[1], on: ["Machine": .string("node7")])
        XCTAssertEqual(placed.environment.overrides["SLURM_JOB_NODELIST"], "node7")
        XCTAssertEqual(placed.environment.overrides["SLURM_NODELIST"], "node7")
        XCTAssertEqual(placed.environment.overrides["SLURMD_NODENAME"], "node7")
        XCTAssertNil(placed.attributes[MachinePlacement.failureAttribute])

        let single = try load("#!/bin/sh\n#SBATCH -c 3 --mem-per-cpu=100\nprog\n")
        let one = single.tasks[0].environment.overrides
        XCTAssertEqual(one["SLURM_JOB_ID"], "42")
        XCTAssertNil(one["SLURM_ARRAY_JOB_ID"], "not an array")
        XCTAssertEqual(one["SLURM_CPUS_PER_TASK"], "3")
        XCTAssertEqual(one["SLURM_MEM_PER_CPU"], "100")
        XCTAssertEqual(single.tasks[0].memoryMiB, 300)
    }

    /// sbatch's command line wins over the directives, option by option.
    func testCommandLineOptionsWinOverDirectives() throws {
        var options = testOptions()
        options.batchOptions = ["--array=1-3", "-c", "4", "--mem=2G", "-t", "10", "--export=NONE,X=1",
                                "-o", "cli-%a.out", "--chdir=elsewhere"]
        let text = "#!/bin/sh\n#SBATCH --array=0-99 -c 2 --mem=1G --time=5 -o file-%a.out -D run\nprog\n"
        let job = try load(text, options: options)
        XCTAssertEqual(job.tasks.map(\.arrayIndex), [1, 2, 3])
        let task = job.tasks[0]
        XCTAssertEqual(task.slots, 4)
        XCTAssertEqual(task.memoryMiB, 2048)
        XCTAssertEqual(task.timeLimit, 600)
        XCTAssertEqual(task.workingDirectory, "/work/sub/elsewhere")
        XCTAssertEqual(task.stdout, "/work/sub/elsewhere/cli-%a.out")
        guard case .inheritOnly(_, let set) = task.environment else { return XCTFail("--export=NONE") }
        XCTAssertEqual(set["X"], "1")
        XCTAssertEqual(set["SLURM_CPUS_PER_TASK"], "4")
        XCTAssertEqual(set["SLURM_EXPORT_ENV"], "NONE,X=1")

        options.batchOptions = ["--array=1-x"]
        let bad = expectError { () throws(JobSpecError) in _ = try self.load(text, options: options) }
        XCTAssertEqual(bad?.location.file, "<command line>")
        options.batchOptions = []
        options.chdir = "/abs"
        XCTAssertEqual(try load(text, options: options).tasks[0].workingDirectory, "/abs",
                       "taskfarm's --chdir is sbatch's --chdir")
    }

    /// Every directive that changes what runs and is not honoured is warned at its line;
    /// allocation-only ones once, together.
    func testUnhonouredDirectivesAreWarnedAtTheirLines() throws {
        let job = try load("""
            #!/bin/sh
            #SBATCH --partition=gpu
            #SBATCH --gres=gpu:a100:2
            #SBATCH --ntasks=4
            #SBATCH --nodes=2
            #SBATCH --dependency=afterok:12
            #SBATCH --mail-type=END --account=proj
            #SBATCH --gpus=1
            prog
            """)
        let byLine = Dictionary(grouping: job.warnings, by: \.location.line)
        XCTAssertEqual(Set(byLine.keys), [2, 4, 5, 6], "\(job.warnings)")
        XCTAssertEqual(byLine[2]?.count, 1, "allocation options are warned once")
        XCTAssertTrue(byLine[2]?[0].message.contains("--partition, --mail-type, --account") ?? false,
                      "\(byLine[2] ?? [])")
        XCTAssertTrue(byLine[4]?[0].message.contains("--ntasks is not honoured") ?? false)
        XCTAssertTrue(byLine[6]?[0].message.contains("--dependency") ?? false)
        XCTAssertEqual(job.tasks[0].attributes["slurm.gres"], "gpu:a100:2", "the typed request is kept")
        XCTAssertEqual(job.tasks[0].attributes["slurm.gpus"], "1")
        XCTAssertEqual(job.tasks[0].gpus, 1, "--gpus wins over --gres=gpu")
        XCTAssertEqual(job.tasks[0].requestLines?.gpus?.line, 8, "the GPUs' own line")
        XCTAssertEqual(job.tasks[0].environment.overrides["SLURM_JOB_PARTITION"], "gpu")
        XCTAssertEqual(job.tasks[0].environment.overrides["SLURM_JOB_ACCOUNT"], "proj")
    }

    /// The options a task list cannot take are refused, not dropped.
    func testBatchOptionsAreRefusedForOtherFormats() throws {
        let directory = try temporaryDirectory(self)
        try "echo hi\n".write(toFile: directory + "/tasks.txt", atomically: true, encoding: .utf8)
        var options = testOptions(directory: directory)
        options.batchOptions = ["--array=1-3"]
        let error = expectError { () throws(JobSpecError) in
            _ = try JobLoader.load(path: directory + "/tasks.txt", options: options)
        }
        XCTAssertTrue(error?.message.contains("for a Slurm or PBS script") ?? false, "\(String(describing: error))")
    }

    /// `arrayIndex(at:)`, which `status --task` and `output` map an index to its position
    /// with, gives each element's array index without building it, as the task says.
    func testArrayIndexAtAPositionIsTheTasksIndex() throws {
        let job = try load("#!/bin/sh\n#SBATCH --array=3,7,20-26:3\necho $SLURM_ARRAY_TASK_ID\n")
        XCTAssertEqual((0..<job.taskCount).map(job.arrayIndex(at:)), [3, 7, 20, 23, 26])
        XCTAssertEqual((0..<job.taskCount).map(job.arrayIndex(at:)), (0..<job.taskCount).map { job.task(at: $0).arrayIndex })
    }
}
