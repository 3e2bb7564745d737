import Foundation
import Glibc
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
