import JobSpec
import XCTest

@testable import TaskFarm

/// The state folder's `dag-status` file, which `taskfarm status` reads back.
final class DAGStatusSnapshotTests: XCTestCase {
    func testFailedRunReadsBackWithCountsAndNamedNodes() throws {
        let dag = try DAGParser.parse(text: "JOB A a.sub\nJOB B b.sub\nJOB C c.sub\nPARENT A CHILD B\nPARENT B CHILD C\n",
                                      file: "w.dag", checkSubmitFiles: false)
        var state = DAGRunState(dag: dag, procRanges: [0..<1, 1..<2, 2..<3])
        _ = state.start()
        _ = state.procFinished(position: 0, outcome: .exited(0))
        _ = state.procFinished(position: 1, outcome: .signaled(9))
        let snapshot = DAGStatusSnapshot(state)
        let path = NSTemporaryDirectory() + "dag-status-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        snapshot.write(to: path)
        let read = try XCTUnwrap(DAGStatusSnapshot(contentsOf: path))
        XCTAssertEqual(read, snapshot)
        XCTAssertEqual(read.status, "failed")
        XCTAssertEqual(read.counts[.done], 1)
        XCTAssertEqual(read.counts[.failed], 1)
        XCTAssertEqual(read.counts[.futile], 1)
        XCTAssertEqual(read.nodes.map(\.name), ["B"])
        XCTAssertTrue(read.reportLines.contains("  B: job died on signal 9"), "\(read.reportLines)")
        XCTAssertTrue(read.summaryLine.hasPrefix("DAG w.dag failed: 3 nodes: 1 done, 1 failed, 1 futile"), read.summaryLine)
    }

    func testAnythingElseIsNoSnapshot() throws {
        let path = NSTemporaryDirectory() + "dag-status-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertNil(DAGStatusSnapshot(contentsOf: path))
        XCTAssertNil(DAGStatusSnapshot(contentsOf: path + ".missing"))
    }
}
