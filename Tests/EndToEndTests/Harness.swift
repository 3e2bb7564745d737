import Foundation
import TestSupport
import XCTest

/// Starts the built `taskfarm` the way users do: directly, or under a real `mpirun`.
enum Harness {
    /// The package root, from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary under test: `TASKFARM_BINARY`, or the debug build.
    static var taskfarm: String {
        if let path = ProcessInfo.processInfo.environment["TASKFARM_BINARY"] { return path }
        return packageRoot.appendingPathComponent(".build/debug/taskfarm").path
    }

    static var fixtures: URL {
        packageRoot.appendingPathComponent("Tests/EndToEndTests/Fixtures")
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Environment for mpirun: allowed as root, oversubscribed (these belong in tests,
    /// never in the product). Open MPI's own variables are removed: another test in this
    /// process may have initialized MPI as a singleton, and an mpirun or taskfarm that
    /// inherits them believes it is part of that job.
    static var mpiEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { entry in
            !["OMPI_", "PMIX_", "ORTE_", "OPAL_"].contains { entry.key.hasPrefix($0) }
        }
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
        return environment
    }

    /// Runs `executable` with `arguments` in `directory` and returns what it printed. After
    /// `timeout` seconds it fails the test and stops the program's whole process group.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in directory: URL,
                    environment: [String: String]? = nil, timeout: Double = 120) throws -> Outcome {
        let out = directory.appendingPathComponent(".stdout-\(UUID().uuidString)")
        let err = directory.appendingPathComponent(".stderr-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        let child = try ChildProcess(executable, arguments, in: directory, environment: environment ?? mpiEnvironment,
                                     stdout: out.path, stderr: err.path)
        if child.wait(timeout: timeout) == nil {
            child.stopGroup()
            XCTFail("\(executable) \(arguments.joined(separator: " ")) did not finish in \(timeout) s")
        }
        return Outcome(status: child.status ?? -1,
                       stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                       stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Starts `taskfarm ARGS` (or `program`) under `mpirun -np ranks` in the background, with
    /// stdout and stderr in the named files of `directory` (/dev/null when nil). The returned
    /// child stops its process group when released.
    static func start(_ arguments: [String], ranks: Int, in directory: URL, program: String = taskfarm,
                      stdout: String? = nil, stderr: String? = nil) throws -> ChildProcess {
        try ChildProcess(mpirun, ["-np", "\(ranks)", "--oversubscribe", program] + arguments, in: directory,
                         environment: mpiEnvironment,
                         stdout: stdout.map { directory.appendingPathComponent($0).path } ?? "/dev/null",
                         stderr: stderr.map { directory.appendingPathComponent($0).path } ?? "/dev/null")
    }

    /// Polls `condition` every 50 ms for up to `timeout` seconds; returns its last value.
    static func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition()
    }

    /// `taskfarm ARGS` on `ranks` ranks: directly for 1 rank, else under `mpirun -np ranks`.
    @discardableResult
    static func taskfarm(_ arguments: [String], ranks: Int, in directory: URL, timeout: Double = 120) throws -> Outcome {
        if ranks == 1 { return try run(taskfarm, arguments, in: directory, timeout: timeout) }
        return try run(mpirun, ["-np", "\(ranks)", "--oversubscribe", taskfarm] + arguments, in: directory, timeout: timeout)
    }

    static var mpirun: String {
        for candidate in ["/usr/bin/mpirun", "/usr/local/bin/mpirun"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "/usr/bin/mpirun"
    }

    /// A fresh temporary folder.
    static func temporaryFolder(_ name: String = #function) throws -> URL {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("taskfarm-e2e-\(safe)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `text` to `name` in `folder` and returns its URL.
    @discardableResult
    static func write(_ text: String, to name: String, in folder: URL, executable: Bool = false) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        if executable { chmod(url.path, 0o755) }
        return url
    }

    /// A program that prints its arguments one per line, and creates the file named after
    /// `--out`: the `./prog` of the shared cases.
    static func installProg(in folder: URL) throws {
        try write("""
            #!/bin/sh
            previous=
            for argument in "$@"; do
              printf '%s\\n' "$argument"
              if [ "$previous" = "--out" ]; then : > "$argument"; fi
              previous=$argument
            done
            """, to: "prog", in: folder, executable: true)
    }

    static func read(_ name: String, in folder: URL) -> String? {
        try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    /// The `key=value` lines of a file the test's tasks wrote (a later line wins).
    static func keyValues(_ name: String, in folder: URL) -> [String: String] {
        var values: [String: String] = [:]
        for line in (read(name, in: folder) ?? "").split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return values
    }

    /// The joblog's rows (header excluded), split into columns.
    static func joblogRows(_ name: String, in folder: URL) -> [[String]] {
        guard let text = read(name, in: folder) else { return [] }
        return text.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }
}
