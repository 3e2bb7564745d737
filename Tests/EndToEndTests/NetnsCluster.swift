import Foundation
import TestSupport
import XCTest

/// The project's test cluster (Scripts/netns-cluster.sh): three hosts in network namespaces
/// on one machine, a login namespace for clients, and `mpirun` across the hosts through an
/// rsh agent. Tests call ``up(hosts:)`` in `setUp` (it removes leftovers of an earlier,
/// crashed run first) and ``down()`` in `tearDown`, so nothing outlives a failing test.
enum NetnsCluster {
    static let script = Harness.packageRoot.appendingPathComponent("Scripts/netns-cluster.sh").path

    /// Why a cluster cannot be made here (not root, no `ip`, no namespaces), or `nil`.
    static var unavailableReason: String? {
        guard let outcome = try? Harness.run(script, ["check"], in: Harness.packageRoot, timeout: 30) else {
            return "cannot run \(script)"
        }
        return outcome.status == 0 ? nil : outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Makes the cluster, or skips the test with the reason it cannot be made.
    static func up(hosts: Int = 3) throws {
        if let reason = unavailableReason {
            print("skipping the multi-host tests: \(reason)")
            throw XCTSkip("no namespace cluster: \(reason)")
        }
        let outcome = try Harness.run(script, ["up", "\(hosts)"], in: Harness.packageRoot, timeout: 60)
        guard outcome.status == 0 else {
            throw XCTSkip("no namespace cluster: \(outcome.stdout)\(outcome.stderr)")
        }
    }

    /// Removes every namespace, link and hosts file `up` made.
    static func down() {
        _ = try? Harness.run(script, ["down"], in: Harness.packageRoot, timeout: 60)
    }

    /// `taskfarm ARGS` on `ranks` ranks across the hosts (rank 0 on tfnode1, then one rank a
    /// host in turn), in the background; `mpirunOptions` go before the program.
    static func start(_ arguments: [String], ranks: Int, in folder: URL, mpirunOptions: [String] = [],
                      stdout: String = "mpirun.out", stderr: String = "mpirun.err") throws -> ChildProcess {
        try ChildProcess(script, ["mpirun", "-np", "\(ranks)", "--map-by", "node"] + mpirunOptions
                            + [Harness.taskfarm] + arguments,
                         in: folder, environment: Harness.mpiEnvironment,
                         stdout: folder.appendingPathComponent(stdout).path,
                         stderr: folder.appendingPathComponent(stderr).path)
    }

    /// Runs `taskfarm ARGS` across the hosts and waits for it.
    @discardableResult
    static func taskfarm(_ arguments: [String], ranks: Int, in folder: URL, mpirunOptions: [String] = [],
                         timeout: Double = 120) throws -> Harness.Outcome {
        try Harness.run(script, ["mpirun", "-np", "\(ranks)", "--map-by", "node"] + mpirunOptions
                            + [Harness.taskfarm] + arguments, in: folder, timeout: timeout)
    }

    /// Runs `program ARGS` on one host (`tfnode1`…) or on `login`, and waits for it.
    @discardableResult
    static func on(_ host: String, _ program: String, _ arguments: [String], in folder: URL,
                   timeout: Double = 60) throws -> Harness.Outcome {
        try Harness.run(script, ["run", host, program] + arguments, in: folder, timeout: timeout)
    }

    /// SIGKILLs every process called `name` on `host`.
    static func kill(_ name: String, on host: String) throws {
        try Harness.run(script, ["kill", host, name], in: Harness.packageRoot)
    }

    /// Takes `host`'s link down: it goes silent, with its processes still running.
    static func cut(_ host: String) throws {
        try Harness.run(script, ["cut", host], in: Harness.packageRoot)
    }
}
