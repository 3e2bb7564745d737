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
        XCTAssertNil(set["SLURM_JOB_ID"], "the real allocation's job id is left alone")
        XCTAssertTrue(job.warnings.isEmpty, "\(job.warnings)")
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
        XCTAssertEqual(job.warnings.map(\.location.line), [4], "--partition is ignored quietly, --frobnicate with a warning")
        XCTAssertTrue(job.warnings.first?.warningDescription.contains(": warning: #SBATCH --frobnicate") ?? false)
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
}
