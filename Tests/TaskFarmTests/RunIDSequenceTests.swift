import Foundation
import XCTest

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
