import JobSpec
import XCTest

@testable import TaskFarm

/// The heap that places one-slot tasks must choose exactly the worker the plain scan over
/// every worker chose: an idle slot first, then the most room, then the worker added first,
/// among those the task matches.
final class WorkerCandidatesTests: XCTestCase {
    func testHeapPopsInTheScansOrder() {
        var heap = WorkerCandidates()
        var generator = SystemRandomNumberGenerator()
        var entries: [WorkerCandidates.Entry] = []
        for order in 0..<500 {
            let entry = WorkerCandidates.Entry(idle: Bool.random(using: &generator), free: Int.random(in: 0...4, using: &generator),
                                               order: order, rank: order + 2, version: 0)
            entries.append(entry)
            heap.push(entry)
        }
        var popped: [Int] = []
        while let entry = heap.popTop() { popped.append(entry.order) }
        let expected = entries.sorted { $0.precedes($1) }.map(\.order)
        XCTAssertEqual(popped, expected)
    }

    /// The worker the scan before the heap chose (SchedulerCore's `pickWorker` up to issue 18).
    private func scanChoice(workers: [(ad: WorkerAd, used: Int)], prefetch: Int, matches: (WorkerAd) -> Bool) -> Int? {
        var best: Int?
        var bestScore = (startsNow: false, free: Int.min)
        for (ad, used) in workers {
            let free = ad.slots * (1 + prefetch) - used
            guard free >= 1 else { continue }
            let startsNow = ad.slots - used >= 1
            let better = startsNow != bestScore.startsNow ? startsNow : free > bestScore.free
            guard best == nil || better, matches(ad) else { continue }
            best = ad.rank
            bestScore = (startsNow, free)
        }
        return best
    }

    func testOneSlotTasksGoWhereTheScanSentThemThroughEndsRetriesAndLostWorkers() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<20 {
            let prefetch = round % 3
            // Odd positions refuse workers whose rank is a multiple of 3 (HTCondor requirements).
            let placement = ClosurePlacement(matchesWorker: { position, ad in position % 2 == 0 || ad.rank % 3 != 0 })
            var core = SchedulerCore(taskCount: 400, policy: SchedulerPolicy(retries: 1, prefetchPerSlot: prefetch),
                                     placement: placement)
            var used: [Int: Int] = [:]
            var ads: [Int: WorkerAd] = [:]
            var order: [Int] = []
            for rank in 1...12 {
                let ad = WorkerAd(rank: rank, host: "h", cores: 4, memoryBytes: 1 << 30, slots: Int.random(in: 1...3, using: &generator))
                core.addWorker(ad)
                ads[rank] = ad
                used[rank] = 0
                order.append(rank)
            }
            var running: [(position: Int, attempt: Int, worker: Int)] = []
            var lost = false
            while true {
                let decisions = core.dispatch()
                var assigned = false
                for decision in decisions {
                    guard case .assign(let position, let attempt, let worker) = decision else { continue }
                    // Replay the scan on the state before this assignment.
                    let expected = scanChoice(workers: order.map { (ads[$0]!, used[$0]!) }, prefetch: prefetch) {
                        placement.matches(position, $0)
                    }
                    XCTAssertEqual(worker, expected, "round \(round), task \(position)")
                    used[worker]! += 1
                    running.append((position, attempt, worker))
                    assigned = true
                }
                if running.isEmpty { break }
                if !lost, core.inFlightCount > 20 {
                    // A worker is lost: its tasks return and it is never chosen again.
                    let victim = order.remove(at: Int.random(in: 0..<order.count, using: &generator))
                    _ = core.loseWorker(victim, crashLimit: 3, reason: "test", now: 0)
                    running.removeAll { $0.worker == victim }
                    used[victim] = nil
                    lost = true
                    continue
                }
                if assigned, Bool.random(using: &generator) { continue }
                let index = Int.random(in: 0..<running.count, using: &generator)
                let end = running.remove(at: index)
                used[end.worker]! -= 1
                let failed = Int.random(in: 0..<10, using: &generator) == 0
                _ = core.complete(TaskCompletion(position: end.position, attempt: end.attempt, workerRank: end.worker,
                                                 outcome: .exited, exitCode: failed ? 1 : 0, startTime: 0, endTime: 1))
            }
            XCTAssertTrue(core.isDone())
        }
    }
}
