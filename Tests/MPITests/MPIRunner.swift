import Foundation
import TestSupport
import XCTest

/// Starts this package's MPI programs under a real `mpirun`, the way users run them.
enum MPIRunner {
    struct Outcome {
        let exitStatus: Int32
        let output: String
        var succeeded: Bool { exitStatus == 0 }
    }

    /// `mpirun` on the PATH, or nil.
    static let mpirun: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// The build products directory: next to the test bundle, or `.build/debug` of this package.
    static func executable(_ name: String) -> URL? {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            packageRoot.appendingPathComponent(".build/debug"),
        ].map { $0.appendingPathComponent(name) }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs `program` on `ranks` ranks (oversubscribed, yielding when idle), with a watchdog.
    static func run(_ program: String, ranks: Int, arguments: [String] = [], timeout: TimeInterval = 180) throws -> Outcome {
        guard let mpirun else { throw XCTSkip("mpirun is not on the PATH: install openmpi-bin to run the MPI program tests") }
        guard let binary = executable(program) else {
            throw XCTSkip("\(program) is not built: run `swift build` first (looked next to the test bundle and in .build/debug)")
        }
        // Without Open MPI's own variables: a single-rank test in this process may have
        // initialized MPI as a singleton, and mpirun would believe it belongs to that job.
        var environment = ProcessInfo.processInfo.environment.filter { entry in
            !["OMPI_", "PMIX_", "ORTE_", "OPAL_"].contains { entry.key.hasPrefix($0) }
        }
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mpi-\(program)-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = try ChildProcess(mpirun.path, ["--oversubscribe", "--mca", "mpi_yield_when_idle", "1", "-np", String(ranks), binary.path] + arguments,
                                       environment: environment, stdout: output.path, stderr: output.path)
        let text = { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
        if process.wait(timeout: timeout) == nil {
            process.stopGroup()
            XCTFail("\(program) on \(ranks) ranks hung and was stopped after \(Int(timeout)) s:\n\(text())")
        }
        return Outcome(exitStatus: process.status ?? -1, output: text())
    }
}
