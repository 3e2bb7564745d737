import XCTest
@testable import JobSpec

/// Issue 15, attacks 2, 5 and 11: values a job file may hold that once crashed a worker,
/// retried forever, or hung `check`, are refused at their line.
final class FarmLimitsTests: XCTestCase {
    private func slurm(_ directive: String) -> JobSpecError? {
        expectError { () throws(JobSpecError) in _ = try SlurmScript(text: "#!/bin/sh\n\(directive)\ntrue\n", file: "job.sh", options: testOptions()) }
    }

    private func pbs(_ directive: String) -> JobSpecError? {
        expectError { () throws(JobSpecError) in _ = try PBSScript(text: "#!/bin/sh\n\(directive)\ntrue\n", file: "job.pbs", options: testOptions()) }
    }

    private func submit(_ command: String) -> JobSpecError? {
        expectError { () throws(JobSpecError) in
            _ = try SubmitDescription(text: "executable = /bin/true\n\(command)\nqueue\n", file: "job.sub", options: testOptions())
        }
    }

    func testDurationsPastTheMaximumAreRefusedAtTheirLine() throws {
        for directive in ["#SBATCH --time=999999999999", "#SBATCH --time=366-00:00:00",
                          "#SBATCH --time=99999999999999999-0"] {
            let error = try XCTUnwrap(slurm(directive), directive)
            XCTAssertEqual(error.location.line, 2, directive)
            XCTAssertTrue(error.message.contains("365"), error.message)
        }
        XCTAssertNil(FarmLimits.durationProblem(365 * 86_400))
        for directive in ["#PBS -l walltime=9999999999999:00:00", "#PBS -l walltime=inf", "#PBS -l walltime=1e300"] {
            let error = try XCTUnwrap(pbs(directive), directive)
            XCTAssertEqual(error.location.line, 2, directive)
        }
        for value in ["1e300", "inf", "nan", "-5", "0"] {
            let error = try XCTUnwrap(submit("allowed_job_duration = \(value)"), value)
            XCTAssertEqual(error.location.line, 2, value)
            XCTAssertTrue(error.message.contains("31536000"), error.message)
        }
        // Still accepted: Slurm's UNLIMITED and a plain day.
        XCTAssertNoThrow(try SlurmScript(text: "#!/bin/sh\n#SBATCH --time=UNLIMITED\n#SBATCH -t 1-0\ntrue\n",
                                         file: "job.sh", options: testOptions()))
    }

    func testRetriesAndSizesTheFarmCannotRepresentAreRefused() throws {
        XCTAssertNotNil(submit("max_retries = 10001"))
        XCTAssertNotNil(submit("max_retries = 99999999999999999999"))
        let job = try SubmitDescription(text: "executable = /bin/true\nmax_retries = 300\nqueue\n", file: "job.sub",
                                        options: testOptions())
        XCTAssertEqual(job.tasks[0].maxRetries, 300, "300 retries are fine: the counters no longer wrap")
        XCTAssertNotNil(submit("request_memory = 1e300"))
        XCTAssertNotNil(submit("request_cpus = 9223372036854775807"))
        XCTAssertNotNil(slurm("#SBATCH -c 100000"))
        XCTAssertNotNil(pbs("#PBS -l select=1:ncpus=100000"))
        XCTAssertNotNil(slurm("#SBATCH --mem-per-cpu=4000000000T\n#SBATCH -c 65536"), "no overflow in the product")
        XCTAssertNotNil(slurm("#SBATCH --mem=99999999999999999999T"))
        XCTAssertNotNil(pbs("#PBS -l mem=99999999999999999999pb"))
        XCTAssertNotNil(expectError { () throws(JobSpecError) in _ = try DAGParser.parse(text: "JOB a a.sub\nRETRY a 20000\n", file: "d.dag",
                                                              checkSubmitFiles: false) })
    }

    func testHugeArraysAreRefusedBeforeAnyIndexIsMade() throws {
        let location = SourceLocation(file: "job.sh", line: 2, column: 10)
        for (text, dialect) in [("0-4294967295", ArrayRange.Dialect.slurm), ("0-1000000", .slurm),
                                ("0-12147483648:5", .pbsPro), ("0-600000,700000-1400000", .torque),
                                ("9223372036854775800-9223372036854775807", .slurm)] {
            let error = try XCTUnwrap(expectError { () throws(JobSpecError) in _ = try ArrayRange(parsing: text, dialect: dialect, location: location) },
                                      text)
            XCTAssertEqual(error.location.line, 2)
        }
        let largest = try ArrayRange(parsing: "0-999999", dialect: .slurm, location: location)
        XCTAssertEqual(largest.indices.count, FarmLimits.maximumArrayIndices)
        XCTAssertEqual(largest.indices.last, 999_999)
        let list = try ArrayRange(parsing: "5,1-3,2,0-10:5", dialect: .slurm, location: location)
        XCTAssertEqual(list.indices, [0, 1, 2, 3, 5, 10], "sorted, each index once")
    }

    func testCheckOfALargeArrayStreamsEveryTask() throws {
        let job = try SlurmScript(text: "#!/bin/sh\n#SBATCH --array=0-2999\ntrue\n", file: "job.sh", options: testOptions()).job
        var rows = 0
        var pieces = 0
        JobCheck.writeTable(job) { piece in
            pieces += 1
            rows += piece.split(separator: "\n").count
        }
        XCTAssertEqual(rows, 2 + 1 + 3000, "the job line, the environment line, the header and one row per task")
        XCTAssertGreaterThan(pieces, 3000, "handed out row by row, not as one string")
        let json = try JSONSerialization.jsonObject(with: Data(JobCheck.json(job).utf8)) as? [String: Any]
        XCTAssertEqual((json?["tasks"] as? [Any])?.count, 3000)
        XCTAssertEqual(json?["taskCount"] as? Int, 3000)
    }

    func testConversionsFromDoubleNeverTrap() {
        XCTAssertEqual(Int(saturating: .nan), 0)
        XCTAssertEqual(Int(saturating: .infinity), .max)
        XCTAssertEqual(Int(saturating: -.infinity), .min)
        XCTAssertEqual(Int(saturating: 1e300 * 1e6), .max)
        XCTAssertEqual(Int(saturating: -2.7), -2)
    }

    func testSubmittedTasksAreCheckedAsAWhole() {
        var task = TaskSpec(position: 0, arrayIndex: 0, command: .argv(["true"]), source: SourceLocation(file: "q", line: 0))
        XCTAssertNil(FarmLimits.problem(in: task))
        task.timeLimit = 1e308
        XCTAssertEqual(FarmLimits.problem(in: task)?.hasPrefix("timeLimit"), true)
        task.timeLimit = nil
        task.maxRetries = -1
        XCTAssertEqual(FarmLimits.problem(in: task)?.hasPrefix("maxRetries"), true)
    }
}
