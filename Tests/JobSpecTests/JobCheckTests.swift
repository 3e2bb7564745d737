import Foundation
import XCTest
@testable import JobSpec

final class JobCheckTests: XCTestCase {
    func testTableListsIndicesArgvOutputsEnvironmentAndRequirements() throws {
        let job = try JobLoader.load(path: Fixture.path("submit/arguments-quoting.sub"), options: testOptions())
        let table = JobCheck.table(job, runID: 42)
        let lines = table.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("job arguments-quoting ("), lines[0])
        XCTAssertTrue(lines[0].hasSuffix("): 2 tasks"), lines[0])
        XCTAssertTrue(lines[1].contains("empty (only what is set)"), lines[1])
        XCTAssertTrue(lines[1].contains("BATCH_SYSTEM=HTCondor"), lines[1])
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("POS") })
        XCTAssertEqual(lines.count, header + 3)
        let row = lines[header + 2]
        XCTAssertTrue(row.hasPrefix("1    1      /work/sub/prog --sh 'convert -swirl 90 a.jpg b.jpg' --stop "
                                    + "'\"2025-01-01' '00:00\"' --tag 'it'\\''s'"), row)
        XCTAssertTrue(row.contains("/work/sub/logs/o.42.1"), row)
        XCTAssertTrue(row.contains("/work/sub/logs/e.42.1"), row)
    }

    func testTableShowsPerTaskEnvironmentAndThrottle() throws {
        let job = try SlurmScript(text: "#!/bin/sh\n#SBATCH --array=1-7:3%2\n", file: "s.sh",
                                  options: testOptions()).job
        let table = JobCheck.table(job, runID: 42)
        XCTAssertTrue(table.contains("3 tasks, at most 2 at once"), table)
        XCTAssertTrue(table.contains("SLURM_ARRAY_TASK_ID=4"), table)
        XCTAssertTrue(table.contains("/work/sub/slurm-42_7.out"), table)
        XCTAssertTrue(table.contains("SLURM_ARRAY_TASK_ID=4 SLURM_JOBID=43 SLURM_JOB_ID=43  -"),
                      "shared variables are in the header only: \(table)")
    }

    func testJSONRoundTripsTheFields() throws {
        let job = try SubmitDescription(text: """
            executable = /bin/echo
            arguments = "a 'b c'"
            requirements = Memory > 10
            request_cpus = 2
            queue 2
            """, file: "j.sub", options: testOptions()).job
        let object = try JSONSerialization.jsonObject(with: Data(JobCheck.json(job, runID: 42).utf8))
        let report = try XCTUnwrap(object as? [String: Any])
        XCTAssertEqual(report["taskCount"] as? Int, 2)
        let tasks = try XCTUnwrap(report["tasks"] as? [[String: Any]])
        XCTAssertEqual(tasks[1]["index"] as? Int, 1)
        XCTAssertEqual(tasks[1]["argv"] as? [String], ["/bin/echo", "a", "b c"])
        XCTAssertEqual(tasks[1]["requirements"] as? String, "Memory > 10")
        XCTAssertEqual(tasks[1]["stdout"] as? String, "/dev/null")
        XCTAssertEqual(tasks[1]["slots"] as? Int, 2)
        let environment = try XCTUnwrap(tasks[1]["environment"] as? [String: Any])
        XCTAssertEqual(environment["base"] as? String, "clean")
        XCTAssertEqual((environment["set"] as? [String: String])?["OMP_NUM_THREADS"], "2")
    }
}
