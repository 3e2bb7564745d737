import Foundation
import XCTest
@testable import JobSpec

/// Shared helpers for the DAG tests: the fixture folder, scratch folders, and a stand-in for
/// the submit-description parser.
enum DAGTestSupport {
    /// `Tests/JobSpecTests/Fixtures/dag`, copied from the shared cases.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/dag").path

    /// A fresh empty folder holding `files` (name -> contents); removed by the test's teardown.
    static func folder(_ files: [String: String], testCase: XCTestCase) throws -> String {
        let path = NSTemporaryDirectory() + "dag-test-" + UUID().uuidString
        for (name, contents) in files {
            let file = path + "/" + name
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try contents.write(toFile: file, atomically: true, encoding: .utf8)
        }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        testCase.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// Expands a node into `vars["PROCS"]` procs (1 by default), each running
    /// `echo NODE SUBMITFILE PROC`; records every call.
    final class FakeExpander: @unchecked Sendable {
        var calls: [(submitFile: String, directory: String?, vars: [String: String], node: String)] = []

        func expand(_ submitFile: String, _ directory: String?, _ vars: [String: String],
                    _ node: String) throws(JobSpecError) -> [TaskSpec] {
            calls.append((submitFile, directory, vars, node))
            let count = Int(vars["PROCS"] ?? "1") ?? 1
            return (0..<count).map { proc in
                TaskSpec(position: 99, arrayIndex: proc, command: .argv(["echo", node, submitFile, String(proc)]),
                         source: SourceLocation(file: submitFile, line: 1))
            }
        }
    }

    /// Parses DAG text with no submit-file check, expands it with one proc per node (or
    /// `PROCS`), and returns a run state.
    static func run(_ text: String) throws -> (job: DAGJob, state: DAGRunState) {
        let dag = try DAGParser.parse(text: text, file: "test.dag", checkSubmitFiles: false)
        let expander = FakeExpander()
        let job = try DAGJob(dag: dag, expand: expander.expand)
        return (job, DAGRunState(job: job))
    }
}

extension DAGRunState {
    /// The node index of `name` (test convenience).
    func node(_ name: String) -> Int { dag.node(named: name)! }
}

/// The nodes whose procs an action list starts, by name.
func startedNodes(_ actions: [DAGAction], _ state: DAGRunState) -> [String] {
    actions.compactMap {
        if case .startProcs(let node, _, _) = $0 { return state.dag.nodes[node].name }
        return nil
    }
}

/// The outcome in an action list, if the DAG finished.
func finishedOutcome(_ actions: [DAGAction]) -> DAGOutcome? {
    actions.lazy.compactMap { if case .finished(let outcome) = $0 { return outcome } else { return nil } }.first
}
