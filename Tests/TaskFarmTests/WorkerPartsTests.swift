import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JobSpec
import XCTest

@testable import TaskFarm

final class TaskEnvironmentBuilderTests: XCTestCase {
    let rank = ["PATH": "/usr/bin:/bin", "HOME": "/home/a", "OMPI_COMM_WORLD_RANK": "2", "PMIX_RANK": "2",
                "ORTE_X": "1", "OPAL_Y": "1", "LANG": "C"]

    func dictionary(_ entries: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            XCTAssertNil(result[String(parts[0])], "\(parts[0]) appears twice")
            result[String(parts[0])] = String(parts[1])
        }
        return result
    }

    func testInheritDropsTheLaunchersVariablesAndAppliesOverrides() {
        let builder = TaskEnvironmentBuilder(environment: rank)
        let entries = builder.entries(for: .inherit(set: ["HOME": "/tmp", "NEW": "a=b"]),
                                      extra: [("TASKFARM_TASK_INDEX", "3"), ("HOME", "/farm")])
        XCTAssertEqual(dictionary(entries), ["PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C", "NEW": "a=b",
                                             "TASKFARM_TASK_INDEX": "3"],
                       "the format's own variables win over the farm's, which win over the rank's")
    }

    func testCleanHasOnlyTheFarmsAndTheTasksVariables() {
        let builder = TaskEnvironmentBuilder(environment: rank)
        XCTAssertEqual(dictionary(builder.entries(for: .clean(set: ["A": "1"]), extra: [("B", "2")])), ["A": "1", "B": "2"])
    }

    func testInheritOnlyTakesTheNamedVariables() {
        let builder = TaskEnvironmentBuilder(environment: rank)
        let entries = builder.entries(for: .inheritOnly(names: ["HOME", "MISSING", "OMPI_COMM_WORLD_RANK"], set: [:]),
                                      extra: [])
        XCTAssertEqual(dictionary(entries), ["HOME": "/home/a"], "launcher variables stay out even when named")
    }

    /// The variables the spawn sees (the NULL-terminated envp), and the PATH a task's program
    /// is looked up in, are the entries': the task's own value wins, a clean task has none.
    func testTheSpawnsEnvironmentIsTheEntriesAndNamesTheTasksPath() {
        let builder = TaskEnvironmentBuilder(environment: rank)
        let environment = builder.environment(for: .inherit(set: ["PATH": "/opt/bin"]), extra: [("TASKFARM_TASK_INDEX", "3")])
        let passed = environment.withEnvironmentPointers { pointers -> [String] in
            var result: [String] = []
            var index = 0
            while let entry = pointers[index] {
                result.append(String(cString: entry))
                index += 1
            }
            return result
        }
        XCTAssertEqual(passed, environment.entries)
        XCTAssertEqual(dictionary(passed), ["PATH": "/opt/bin", "HOME": "/home/a", "LANG": "C", "TASKFARM_TASK_INDEX": "3"])
        XCTAssertEqual(environment.value(of: "PATH"), "/opt/bin")
        XCTAssertEqual(builder.environment(for: .inherit(set: [:]), extra: []).value(of: "PATH"), "/usr/bin:/bin")
        XCTAssertNil(builder.environment(for: .clean(set: [:]), extra: []).value(of: "PATH"))
        XCTAssertNil(builder.environment(for: .inherit(set: [:]), extra: []).value(of: "OMPI_COMM_WORLD_RANK"))
    }

    /// The builder remembers which inherited variables the last task kept: a task with the
    /// same names gets its own values, and one that overrides another name does not get the
    /// last task's shape (PATH kept although overridden, or HOME dropped).
    func testTasksInTurnGetTheirOwnValuesAndNames() {
        let builder = TaskEnvironmentBuilder(environment: rank)
        let first = builder.entries(for: .inherit(set: [:]), extra: [("TASKFARM_TASK_INDEX", "1"), ("HOME", "/one")])
        let second = builder.entries(for: .inherit(set: [:]), extra: [("TASKFARM_TASK_INDEX", "2"), ("HOME", "/two")])
        let third = builder.entries(for: .inherit(set: ["PATH": "/opt/bin"]), extra: [("TASKFARM_TASK_INDEX", "3")])
        let fourth = builder.entries(for: .inherit(set: [:]), extra: [("TASKFARM_TASK_INDEX", "4"), ("HOME", "/four"),
                                                                     ("HOME", "/last")])
        XCTAssertEqual(dictionary(first), ["PATH": "/usr/bin:/bin", "HOME": "/one", "LANG": "C", "TASKFARM_TASK_INDEX": "1"])
        XCTAssertEqual(dictionary(second), ["PATH": "/usr/bin:/bin", "HOME": "/two", "LANG": "C", "TASKFARM_TASK_INDEX": "2"])
        XCTAssertEqual(dictionary(third), ["PATH": "/opt/bin", "HOME": "/home/a", "LANG": "C", "TASKFARM_TASK_INDEX": "3"])
        XCTAssertEqual(dictionary(fourth), ["PATH": "/usr/bin:/bin", "HOME": "/last", "LANG": "C", "TASKFARM_TASK_INDEX": "4"])
    }
}

final class ExecutableLookupTests: XCTestCase {
    func testResolvesAlongThePathLikeExecvp() throws {
        var lookup = ExecutableLookup()
        XCTAssertEqual(lookup.resolve("sh", searchPath: "/nonexistent:/bin"), "/bin/sh")
        XCTAssertEqual(lookup.resolve("./prog", searchPath: nil), "./prog", "a name with a slash is not searched")
        XCTAssertNil(lookup.resolve("no-such-program-taskfarm", searchPath: "/bin:/usr/bin"))
        // A directory of the same name is skipped.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sh"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertEqual(lookup.resolve("sh", searchPath: folder.path + ":/bin"), "/bin/sh")
    }
}

final class OutputFilesTests: XCTestCase {
    func testCreatesFoldersTruncatesAndSharesDevNull() throws {
        var files = OutputFiles()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outputs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.path + "/a/b/1.out"
        for text in ["first and longer\n", "second\n"] {
            let descriptor = try files.open(path, relativeTo: "/").get()
            XCTAssertEqual(text.withCString { write(descriptor, $0, strlen($0)) }, text.utf8.count)
            files.close(descriptor)
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "second\n", "a rerun replaces the file")
        let relative = try files.open("rel/2.out", relativeTo: folder.path).get()
        files.close(relative)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.path + "/rel/2.out"))
        XCTAssertEqual(try files.open("/dev/null", relativeTo: "/").get(), files.nullDescriptor)
        guard case .failure(let error) = files.open("/proc/no/such/place", relativeTo: "/") else {
            return XCTFail("opening under /proc should fail")
        }
        XCTAssertEqual(error.path, "/proc/no/such/place")
    }
}

/// The next task's output files are opened while others run, without changing what a
/// task's files hold before it starts, and without leaving files for a task given back.
final class PreparedOutputsTests: XCTestCase {
    private func assignment(_ index: Int, _ script: String) -> TaskAssignment {
        let spec = TaskSpec(position: index, arrayIndex: index, command: .argv(["/bin/sh", "-c", script]),
                            environment: .inherit(set: [:]), workingDirectory: nil, stdout: "o/%a.out", stderr: "o/%a.err",
                            slots: 1, timeLimit: nil, source: SourceLocation(file: "", line: 0), label: "")
        return TaskAssignment(task: spec, attempt: 1)
    }

    func testOpenedAheadThenStartedOrGivenBack() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ahead-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder.path + "/o", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let context = JobContext(runID: 1, taskCount: 3, jobName: "t", killGrace: 1, workingDirectory: folder.path)
        let executor = TaskExecutor(context: context, workerRank: 1, host: "h", user: "u",
                                    environment: TaskEnvironmentBuilder(environment: ProcessInfo.processInfo.environment))
        let old = folder.path + "/o/0.out"
        try "an earlier attempt's output\n".write(toFile: old, atomically: false, encoding: .utf8)

        executor.prepare(assignment(0, "echo new"))
        XCTAssertEqual(try String(contentsOfFile: old, encoding: .utf8), "an earlier attempt's output\n",
                       "opening ahead leaves an existing file alone")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.path + "/o/0.err"))
        XCTAssertNil(executor.start(assignment(0, "echo new")))
        var ended: [TaskCompletion] = []
        for _ in 0..<500 where ended.isEmpty { ended = executor.reap(waitingUpTo: 10_000) }
        XCTAssertEqual(ended.map(\.exitCode), [0])
        XCTAssertEqual(try String(contentsOfFile: old, encoding: .utf8), "new\n", "the started task's output replaces it")

        executor.prepare(assignment(1, "true"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.path + "/o/1.out"))
        executor.discardPrepared(position: 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path + "/o/1.out"), "a task given back leaves no file")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path + "/o/1.err"))
    }
}
