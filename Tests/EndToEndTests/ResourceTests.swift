import Foundation
import XCTest

/// What the farm costs: descriptors per queued task, CPU of idle ranks, and survival of
/// a forwarded SIGUSR1.
final class ResourceTests: XCTestCase {
    /// 50,000 tasks with per-task output files under `ulimit -n 256`: the farm never
    /// holds a file open per queued task.
    func testFiftyThousandTasksUnderADescriptorLimitOf256() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write(String(repeating: "/bin/true\n", count: 50_000), to: "many.txt", in: folder)
        let command = "ulimit -n 256 && exec \(Harness.mpirun) -np 4 --oversubscribe \(Harness.taskfarm) run many.txt --output 'o/%a'"
        let outcome = try Harness.run("/bin/sh", ["-c", command], in: folder, timeout: 300)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("50000 of 50000 tasks succeeded"), outcome.stdout)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("o").path)
        XCTAssertEqual(files.count, 50_000)
    }

    /// 20 tasks of `sleep 0.5` on 4 ranks: every rank, scheduler and name server included,
    /// uses under 5% of a core in CPU time (getrusage through /usr/bin/time), start-up included.
    func testIdleRanksDoNotSpin() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else {
            throw XCTSkip("/usr/bin/time is not installed (Debian package 'time')")
        }
        let folder = try Harness.temporaryFolder()
        try Harness.write(String(repeating: "sleep 0.5\n", count: 20), to: "s.txt", in: folder)
        let wrapped = "exec /usr/bin/time -f '%U %S %e' -o cpu.$OMPI_COMM_WORLD_RANK \(Harness.taskfarm) run s.txt"
        let outcome = try Harness.run(Harness.mpirun, ["-np", "4", "--oversubscribe", "/bin/sh", "-c", wrapped], in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        for rank in 0..<4 {
            let fields = try XCTUnwrap(Harness.read("cpu.\(rank)", in: folder)).split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
            XCTAssertEqual(fields.count, 3)
            let cpu = fields[0] + fields[1]
            let wall = fields[2]
            XCTAssertGreaterThan(wall, 4.5, "20 tasks of 0.5 s on 2 workers take at least 5 s")
            XCTAssertLessThan(cpu / wall, 0.05, "rank \(rank) used \(cpu) s of CPU in \(wall) s")
        }
    }
}
