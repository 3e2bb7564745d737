import Foundation
import XCTest
@testable import JobSpec

/// Shared helpers for the JobSpec tests.
enum Fixture {
    /// The folder holding the copied `../shared/cases` files.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The path of a fixture, e.g. `submit/arguments-quoting.sub`.
    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The text of a fixture.
    static func text(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }
}

/// Options with fixed ids and a small submitting environment.
func testOptions(runID: Int = 42, directory: String = "/work/sub") -> JobLoadOptions {
    JobLoadOptions(runID: runID,
                   environment: ["HOME": "/home/ann", "PATH": "/usr/bin:/bin", "USER": "ann", "LOGNAME": "ann",
                                 "SHELL": "/bin/bash", "LANG": "C.UTF-8", "DATA": "/data/set1"],
                   workingDirectory: directory, hostname: "head")
}

/// A fresh temporary directory, removed when the test ends.
func temporaryDirectory(_ testCase: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "jobspec-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Runs `body` expecting a `JobSpecError`, and returns it.
func expectError(_ body: () throws(JobSpecError) -> Void, file: StaticString = #filePath,
                 line: UInt = #line) -> JobSpecError? {
    do {
        try body()
        XCTFail("expected a JobSpecError", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

/// The argv words after `argv[0]`.
func arguments(_ task: TaskSpec) -> [String] { Array(task.command.executedArgv.dropFirst()) }

extension ArrayJob {
    /// Every task, built (tests only: the runtime asks for one task at a time).
    var tasks: [TaskSpec] { (0 ..< taskCount).map(task(at:)) }
}
