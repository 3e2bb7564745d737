import Foundation
import XCTest

/// One smoke test under a real one-node Slurm (Tests/slurm/smoke.sh): the README's batch
/// script drains at the allocation's `--signal=B:USR1`, and a second job resumes. Skipped
/// with the script's reason when Slurm cannot be installed or started here.
final class SlurmTests: XCTestCase {
    func testDrainInARealSlurmAllocationThenResume() throws {
        guard ProcessInfo.processInfo.environment["TASKFARM_SKIP_SLURM"] == nil else {
            throw XCTSkip("TASKFARM_SKIP_SLURM is set")
        }
        let script = Harness.packageRoot.appendingPathComponent("Tests/slurm/smoke.sh").path
        let outcome = try Harness.run("/bin/bash", [script, Harness.taskfarm], in: Harness.packageRoot, timeout: 600)
        if outcome.status == 77 { throw XCTSkip(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(outcome.status, 0, outcome.stdout + outcome.stderr)
    }
}
