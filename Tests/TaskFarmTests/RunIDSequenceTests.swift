import Foundation
import XCTest

import JobSpec
@testable import TaskFarm

/// New run ids never repeat, even for runs started in the same second from several threads,
/// and keep rising from the sequence file.
final class RunIDSequenceTests: XCTestCase {
    func testIdsStartedTogetherAreDistinctAndRising() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("runids-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let environment = ["XDG_STATE_HOME": state.path]
        let collected = Collected()
        DispatchQueue.concurrentPerform(iterations: 40) { _ in
            collected.append(RunIDSequence.next(environment: environment))
        }
        let ids = collected.ids
        XCTAssertEqual(Set(ids).count, 40, "every run gets its own id")
        XCTAssertTrue(ids.allSatisfy { $0 >= 1_000_000 })
        let last = try String(contentsOfFile: state.path + "/taskfarm/last-run-id", encoding: .utf8)
        XCTAssertEqual(Int(last.trimmingCharacters(in: .whitespacesAndNewlines)), ids.max())
        XCTAssertGreaterThan(RunIDSequence.next(environment: environment), ids.max()!)
    }

    /// A Slurm array of 50 elements names job ids run ... run + 49 (SLURM_JOB_ID per element):
    /// the next run's id comes after them all, and a reservation never lowers the sequence.
    func testASlurmArraysElementIdsAreNeverAnotherRunsId() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("runids-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let environment = ["XDG_STATE_HOME": state.path]
        let run = RunIDSequence.next(environment: environment)
        RunIDSequence.reserve(through: run + 49, environment: environment)
        let next = RunIDSequence.next(environment: environment)
        XCTAssertEqual(next, run + 50)
        RunIDSequence.reserve(through: run, environment: environment)
        XCTAssertEqual(RunIDSequence.next(environment: environment), next + 1)

        let script = "#!/bin/sh\n#SBATCH --array=1-50\necho $SLURM_JOB_ID\n"
        let job = try SlurmScript(text: script, file: "a.slurm", options: JobLoadOptions(runID: run)).job
        XCTAssertEqual(job.jobIDsUsed, 50)
        XCTAssertEqual(try SlurmScript(text: "#!/bin/sh\necho hi\n", file: "b.slurm",
                                       options: JobLoadOptions(runID: run)).job.jobIDsUsed, 1)
    }

    func testWithoutAHomeTheIdStillDiffersByProcess() {
        let id = RunIDSequence.next(environment: [:])
        XCTAssertEqual(id % 100, Int(getpid()) % 100)
    }
}

private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int] = []
    func append(_ id: Int) { lock.withLock { values.append(id) } }
    var ids: [Int] { lock.withLock { values } }
}
