import JobSpec
@testable import TaskFarm
import XCTest

/// The indexes that let ``SchedulerCore`` place a task without scanning every worker (issue
/// 18): ``IndexedHeap`` itself, and a core placing by them deciding exactly as one that scans
/// (``SchedulerCore/scansEveryWorker``) through random runs with mixed requests, prefetch,
/// reservations, revokes, failures and lost workers.
final class PlacementIndexTests: XCTestCase {
    func testTheHeapGivesIdsInKeyOrderAsKeysChangeAndIdsLeave() {
        var random = SeededGenerator(seed: 7)
        var heap = IndexedHeap<TripleKey>()
        var model: [Int: TripleKey] = [:]
        for _ in 0..<5000 {
            let id = Int.random(in: 0..<60, using: &random)
            if Int.random(in: 0..<4, using: &random) == 0 {
                heap.remove(id)
                model[id] = nil
            } else {
                let key = TripleKey(Int.random(in: 0..<5, using: &random), Int.random(in: 0..<5, using: &random), id)
                heap.set(id, key)
                model[id] = key
            }
            XCTAssertEqual(heap.count, model.count)
            XCTAssertEqual(heap.min?.id, model.min { $0.value < $1.value }?.key)
        }
        let sorted = model.sorted { $0.value < $1.value }.map(\.key)
        let wanted = sorted.dropFirst(3).first
        XCTAssertEqual(heap.first(where: { id, _ in sorted.firstIndex(of: id)! >= 3 }), wanted.map { .found($0) } ?? .none)
        XCTAssertEqual(heap.first(where: { _, _ in false }), sorted.count > 64 ? .gaveUp : .none)
        XCTAssertEqual(heap.first(where: { _, _ in true }, prunes: { _ in true }), .none, "a pruned root prunes all")
        var popped: [Int] = []
        while let (id, _) = heap.popMin() { popped.append(id) }
        XCTAssertEqual(popped, sorted)
    }

    func testIndexedPlacementDecidesAsTheScanDoes() {
        for seed in [1, 2, 3] as [UInt64] {
            compareIndexedWithScan(seed: seed, prefetch: 2)
        }
        compareIndexedWithScan(seed: 4, prefetch: 1)
        compareIndexedWithScan(seed: 5, prefetch: 0)
    }

    /// Tail rebalancing asks back the newest queued task first and counts it against the host
    /// of the earliest added worker that fits it: here the CPU-only task goes to `x`, which
    /// leaves `y`'s GPU for the GPU task. Counting it against `y` would ask back one task only.
    func testTailRebalancingCountsEachTaskAgainstTheEarliestAddedHostThatFitsIt() {
        let gpuTask = ResourceRequest(cores: 1, gpus: 1)
        let placement = ClosurePlacement(requestOf: { $0 == 2 ? ResourceRequest(cores: 1) : gpuTask })
        for scans in [false, true] {
            var core = SchedulerCore(taskCount: 3, policy: SchedulerPolicy(prefetchPerSlot: 2), placement: placement)
            core.scansEveryWorker = scans
            func worker(_ rank: Int, _ host: String, gpus: [String]) -> WorkerAd {
                WorkerAd(rank: rank, host: host, cores: 1, memoryBytes: 1 << 30, slots: 1, cpuIDs: [0], gpuIDs: gpus)
            }
            core.addWorker(worker(3, "z", gpus: ["0"]))
            XCTAssertEqual(core.dispatch(), [.assign(position: 0, attempt: 1, worker: 3), .assign(position: 1, attempt: 1, worker: 3),
                                             .assign(position: 2, attempt: 1, worker: 3)], "two queued behind the first")
            core.addWorker(worker(1, "x", gpus: []))
            core.addWorker(worker(2, "y", gpus: ["0"]))
            XCTAssertEqual(core.dispatch(), [.revoke(position: 2, worker: 3), .revoke(position: 1, worker: 3)],
                           scans ? "by scan" : "by index")
        }
    }

    private func ad(_ rank: Int) -> WorkerAd {
        let (host, cpus, gpus, memoryMiB): (String, Int, [String], Int) = switch rank % 3 {
        case 0: ("a", 4, ["0", "1"], 8000)
        case 1: ("b", 6, [], 6000)
        default: ("c\(rank % 2)", 2, [], 3000)
        }
        return WorkerAd(rank: rank, host: host, cores: cpus, memoryBytes: memoryMiB * 1024 * 1024, slots: 1,
                        cpuIDs: Array(0..<cpus), gpuIDs: gpus)
    }

    /// Drives two cores alike, one by the indexes and one by scans, answering their decisions
    /// as workers would, and fails at the first decision in which they differ. Tasks are
    /// appended in batches while it runs, so that the queue runs dry many times and the tail
    /// rebalancing is decided often.
    private func compareIndexedWithScan(seed: UInt64, prefetch: Int) {
        var random = SeededGenerator(seed: seed)
        let count = 1500
        let request: (Int) -> ResourceRequest = { position in
            if position % 97 == 5 { return ResourceRequest(cores: 6) }  // host b alone: a reservation
            return ResourceRequest(cores: [1, 1, 2, 1, 4][position % 5], memoryMiB: position % 6 == 0 ? 2500 : 300,
                                   gpus: position % 11 == 0 ? 1 : 0)
        }
        let placement = ClosurePlacement(retriesOf: { _ in 1 }, requestOf: request)
        var indexed = SchedulerCore(taskCount: 40, policy: SchedulerPolicy(prefetchPerSlot: prefetch), placement: placement)
        var scanning = indexed
        scanning.scansEveryWorker = true
        let ranks = Array(1...11)
        for rank in ranks {
            indexed.addWorker(ad(rank))
            scanning.addWorker(ad(rank))
        }
        var lost: [Int] = []
        var step = 0

        func same<T: Equatable>(_ first: T, _ second: T, _ what: String) -> T {
            XCTAssertEqual(first, second, "seed \(seed), prefetch \(prefetch), step \(step): \(what)")
            return first
        }
        func answer(_ decisions: [SchedulerCore.Decision]) {
            for case .revoke(let position, let worker) in decisions where !indexed.hasStarted(position) {
                let completion = TaskCompletion(position: position, attempt: Int(indexed.attempts[position]), workerRank: worker,
                                                outcome: .revoked, startTime: 0, endTime: 0)
                answer(same(indexed.complete(completion), scanning.complete(completion), "give back \(position)"))
            }
        }
        answer(same(indexed.dispatch(), scanning.dispatch(), "first dispatch"))
        while indexed.taskCount < count || !indexed.isDone(), step < 40_000 {
            step += 1
            let flights = indexed.inFlightTasks.sorted { $0.position < $1.position }
            XCTAssertEqual(flights.map(\.position), scanning.inFlightTasks.map(\.position).sorted())
            let roll = Int.random(in: 0..<100, using: &random)
            if roll < 2, lost.count < 4, let victim = ranks.filter({ !lost.contains($0) }).randomElement(using: &random) {
                lost.append(victim)
                answer(same(indexed.loseWorker(victim, crashLimit: 3, reason: "test", now: 0),
                            scanning.loseWorker(victim, crashLimit: 3, reason: "test", now: 0), "lose \(victim)"))
            } else if roll < 4, !lost.isEmpty {
                let back = lost.removeFirst()
                indexed.addWorker(ad(back))
                scanning.addWorker(ad(back))
            } else if roll == 4, indexed.taskCount < count {
                let batch = min(count - indexed.taskCount, Int.random(in: 1...40, using: &random))
                _ = same(indexed.appendTasks(count: batch), scanning.appendTasks(count: batch), "append")
            } else if let flight = flights.randomElement(using: &random) {
                let attempt = Int(indexed.attempts[flight.position])
                if !indexed.hasStarted(flight.position) {
                    _ = same(indexed.markStarted(position: flight.position, attempt: attempt, worker: flight.worker),
                             scanning.markStarted(position: flight.position, attempt: attempt, worker: flight.worker), "start")
                } else {
                    let completion = TaskCompletion(position: flight.position, attempt: attempt, workerRank: flight.worker,
                                                    outcome: .exited, exitCode: roll % 9 == 0 ? 1 : 0, startTime: 0, endTime: 1)
                    answer(same(indexed.complete(completion), scanning.complete(completion), "end \(flight.position)"))
                }
            }
            answer(same(indexed.dispatch(), scanning.dispatch(), "dispatch"))
            if indexed.reservation != scanning.reservation { return XCTFail("seed \(seed): reservations differ") }
        }
        XCTAssertTrue(indexed.isDone(), "seed \(seed), prefetch \(prefetch): the run ends")
        XCTAssertEqual(indexed.states, scanning.states)
    }
}
