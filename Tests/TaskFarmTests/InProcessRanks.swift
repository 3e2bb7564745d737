#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import XCTest

@testable import TaskFarm

/// Several ranks' loops in one process over an ``InMemoryNetwork``, driven round-robin on
/// one thread: the farm's roles run exactly as under mpirun, minus MPI.
final class InProcessRanks {
    let network: InMemoryNetwork
    private(set) var loops: [RankLoop] = []

    init(size: Int) { network = InMemoryNetwork(size: size) }

    func transport(_ rank: Int) -> Transport { network.transport(rank: rank) }

    /// Sets the loop of the next rank (ranks are added in order).
    func add(_ loop: RankLoop) { loops.append(loop) }

    /// Runs rounds of every rank (finished or not: a rank of only a name-server client is
    /// always "finished") until nothing moves and no message waits.
    func settle() throws {
        while try round(includingFinished: true) {}
    }

    /// Runs rounds until every rank's loop has finished; fails after `maximumIdleRounds`
    /// idle rounds (each sleeps 1 ms while child processes run), so a hang is a failure.
    func runToEnd(maximumIdleRounds: Int = 30_000, file: StaticString = #filePath, line: UInt = #line) throws {
        var idle = 0
        while !loops.allSatisfy(\.isFinished) {
            if try round(includingFinished: false) { continue }
            idle += 1
            if idle > maximumIdleRounds {
                return XCTFail("the farm did not finish", file: file, line: line)
            }
            usleep(1000)
        }
    }

    /// Runs rounds until `condition` holds (checked after each round).
    func runUntil(maximumRounds: Int = 100_000, file: StaticString = #filePath, line: UInt = #line,
                  _ condition: () -> Bool) throws {
        for _ in 0..<maximumRounds {
            if condition() { return }
            _ = try round(includingFinished: false)
        }
        XCTFail("the condition never held", file: file, line: line)
    }

    /// One round-robin pass; whether anything moved or a message still waits for a rank
    /// that is run.
    private func round(includingFinished: Bool) throws -> Bool {
        var progress = false
        var waiting = false
        for (rank, loop) in loops.enumerated() where includingFinished || !loop.isFinished {
            if try loop.runOnce() { progress = true }
            if network.pending(for: rank) > 0 { waiting = true }
        }
        return progress || waiting
    }
}
