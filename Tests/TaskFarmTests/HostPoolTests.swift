import JobSpec
@testable import TaskFarm
import XCTest

/// The per-host accounting of cores, memory and GPUs in ``HostPool`` and ``SchedulerCore``,
/// without MPI: what a host's pool is made of, that a task starts only where its whole
/// request fits, that each core and GPU goes to one task at a time, and the reservation
/// that keeps a wide task from starving.
final class HostPoolTests: XCTestCase {
    func ad(_ rank: Int, host: String = "node1", cpus: [Int] = [0, 1], limit: Int = 0, gpus: [String] = [],
            memoryMiB: Int = 4096, slots: Int = 1) -> WorkerAd {
        WorkerAd(rank: rank, host: host, cores: 8, memoryBytes: memoryMiB * 1024 * 1024, slots: slots, cpuIDs: cpus,
                 cpuLimit: limit, gpuIDs: gpus)
    }

    func ended(_ position: Int, attempt: Int = 1, worker: Int) -> TaskCompletion {
        TaskCompletion(position: position, attempt: attempt, workerRank: worker, outcome: .exited, exitCode: 0,
                       startTime: 0, endTime: 1)
    }

    func assignments(_ decisions: [SchedulerCore.Decision]) -> [(position: Int, worker: Int)] {
        decisions.compactMap { if case .assign(let position, _, let worker) = $0 { (position, worker) } else { nil } }
    }

    // MARK: The pool of a host

    func testAPoolIsTheUnionOfItsRanksCPUsCutToTheBatchCount() {
        let union = HostPool.merging([ad(1, cpus: [0, 1]), ad(2, cpus: [2, 3])])
        XCTAssertEqual(union.cpus, [0, 1, 2, 3])
        XCTAssertTrue(union.bindable)
        let cut = HostPool.merging([ad(1, cpus: [0, 1, 2, 3], limit: 3), ad(2, cpus: [4, 5])])
        XCTAssertEqual(cut.cpus, [0, 1, 2], "SLURM_CPUS_ON_NODE=3 is smaller than the CPUs seen")
        let declared = HostPool.merging([ad(1, cpus: [0, 1], limit: 8)])
        XCTAssertEqual(declared.cpus.count, 8, "--cpus-per-host 8 on a 2-CPU host")
        XCTAssertFalse(declared.bindable, "declared cores beyond the real ones cannot be pinned")
        let slots = HostPool.merging([ad(1, cpus: [], slots: 2), ad(2, cpus: [], slots: 3)])
        XCTAssertEqual(slots.cpus.count, 5, "--slots-per-worker adds each worker's slots")
        let gpus = HostPool.merging([ad(1, gpus: ["0", "1"]), ad(2, gpus: ["1", "2"])])
        XCTAssertEqual(gpus.gpus, ["0", "1", "2"])
    }

    func testWhatARankFindsOfItsHost() {
        XCTAssertEqual(HostResources.batchCPULimit(environment: ["SLURM_CPUS_ON_NODE": "8", "NCPUS": "4"]), 4)
        XCTAssertNil(HostResources.batchCPULimit(environment: ["SLURM_CPUS_ON_NODE": "x"]))
        XCTAssertEqual(HostResources.memoryBytes(memTotal: 1 << 34, cgroupLimit: "1073741824\n"), 1 << 30)
        XCTAssertEqual(HostResources.memoryBytes(memTotal: 1 << 34, cgroupLimit: "max\n"), 1 << 34)
        XCTAssertEqual(HostResources.memoryBytes(memTotal: 1 << 30, cgroupLimit: "9223372036854771712"), 1 << 30)
        XCTAssertEqual(HostResources.gpuIDs(environment: [:], found: 2), ["0", "1"])
        XCTAssertEqual(HostResources.gpuIDs(environment: ["CUDA_VISIBLE_DEVICES": "2,3"], found: 4), ["2", "3"],
                       "the allocation's GPUs, by their physical ids")
        XCTAssertEqual(HostResources.gpuIDs(environment: ["SLURM_JOB_GPUS": "1"], found: 4), ["1"])
        XCTAssertEqual(HostResources.gpuIDs(environment: ["CUDA_VISIBLE_DEVICES": ""], found: 4), [])
        XCTAssertEqual(HostResources.gpuIDs(environment: ["CUDA_VISIBLE_DEVICES": "-1"], found: 4), [])
    }

    func testTheSchedulersCPUsJoinItsHostsPool() {
        var core = SchedulerCore(taskCount: 1, policy: SchedulerPolicy())
        core.addCPUs(of: ad(0, cpus: [0]))  // rank 0, bound to CPU 0, runs no task
        core.addCPUs(of: ad(1, host: "elsewhere", cpus: [5]))
        core.addWorker(ad(2, cpus: [1]))
        core.addWorker(ad(3, cpus: [2, 3]))
        XCTAssertEqual(core.pool(ofWorker: 2)?.cpus, [0, 1, 2, 3])
        XCTAssertEqual(core.hostCapacities.map(\.host), ["node1"], "a host without workers has no pool")
    }

    func testTakeAndGiveKeepEachCPUAndGPUWithOneHolder() {
        var pool = HostPool(host: "h", cpus: [4, 5, 6], bindable: true, gpus: ["a", "b"], memoryMiB: 1000)
        let first = pool.take(ResourceRequest(cores: 2, memoryMiB: 600, gpus: 1))
        XCTAssertEqual(first, ResourceGrant(cpus: [4, 5], gpus: ["a"], memoryMiB: 600))
        XCTAssertNil(pool.take(ResourceRequest(cores: 1, memoryMiB: 500)), "400 MiB are left")
        XCTAssertNil(pool.take(ResourceRequest(cores: 2)), "one core is left")
        let second = pool.take(ResourceRequest(cores: 1, memoryMiB: 400, gpus: 1))
        XCTAssertEqual(second, ResourceGrant(cpus: [6], gpus: ["b"], memoryMiB: 400))
        XCTAssertEqual(pool.free, ResourceRequest(cores: 1, memoryMiB: 0, gpus: 0).with(cores: 0))
        pool.give(first!)
        pool.give(ResourceGrant(cpus: [4, 99], gpus: ["z"]))  // held by none, or unknown: ignored
        XCTAssertEqual(pool.free.cores, 2)
        XCTAssertEqual(pool.free.memoryMiB, 600)
        XCTAssertEqual(pool.take(ResourceRequest(cores: 2, gpus: 1))?.gpus, ["a"], "the GPU freed, by id")
    }

    // MARK: Placement by the whole request

    func testTwoWorkersOnOneHostShareItsCoresAndAWideTaskTakesBoth() {
        let wide: (Int) -> ResourceRequest = { ResourceRequest(cores: $0 == 0 ? 2 : 1) }
        var core = SchedulerCore(taskCount: 3, policy: SchedulerPolicy(prefetchPerSlot: 0),
                                 placement: ClosurePlacement(requestOf: wide))
        core.addWorker(ad(1))
        core.addWorker(ad(2))
        let first = assignments(core.dispatch())
        XCTAssertEqual(first.map(\.position), [0], "the 2-core task holds the host's two cores")
        XCTAssertEqual(core.grant(of: 0)?.cpus, [0, 1])
        _ = core.complete(ended(0, worker: first[0].worker))
        let next = assignments(core.dispatch())
        XCTAssertEqual(next.map(\.position), [1, 2])
        XCTAssertEqual(Set(next.map(\.worker)), [1, 2], "spread over the host's workers")
        XCTAssertEqual(Set([core.grant(of: 1)!.cpus, core.grant(of: 2)!.cpus]), [[0], [1]])
    }

    func testMemoryIsCountedAgainstTheHost() {
        var core = SchedulerCore(taskCount: 3, policy: SchedulerPolicy(prefetchPerSlot: 0),
                                 placement: ClosurePlacement(requestOf: { _ in ResourceRequest(cores: 1, memoryMiB: 3000) }))
        core.addWorker(ad(1, cpus: [0, 1, 2, 3], memoryMiB: 8000))
        XCTAssertEqual(assignments(core.dispatch()).count, 2, "4 cores but memory for two")
    }

    func testGPUsGoToOneTaskAtATimeByID() {
        var core = SchedulerCore(taskCount: 4, policy: SchedulerPolicy(prefetchPerSlot: 0),
                                 placement: ClosurePlacement(requestOf: { _ in ResourceRequest(cores: 1, gpus: 2) }))
        core.addWorker(ad(1, cpus: [0, 1, 2, 3], gpus: ["0", "1", "2", "3"]))
        core.addWorker(ad(2, cpus: [0, 1, 2, 3], gpus: ["0", "1", "2", "3"]))
        let first = assignments(core.dispatch())
        XCTAssertEqual(first.map(\.position), [0, 1])
        XCTAssertEqual(core.grant(of: 0)?.gpus, ["0", "1"])
        XCTAssertEqual(core.grant(of: 1)?.gpus, ["2", "3"])
        _ = core.complete(ended(1, worker: first[1].worker))
        XCTAssertEqual(assignments(core.dispatch()).map(\.position), [2])
        XCTAssertEqual(core.grant(of: 2)?.gpus, ["2", "3"], "the ids task 1 gave back")
    }

    func testARequestNoHostCanHoldIsUnrunnableNamingTheLargestHost() {
        var core = SchedulerCore(taskCount: 2, policy: SchedulerPolicy(),
                                 placement: ClosurePlacement(requestOf: { ResourceRequest(cores: $0 == 0 ? 64 : 1) }))
        core.addWorker(ad(1, host: "small", cpus: [0, 1]))
        core.addWorker(ad(2, host: "large", cpus: [0, 1, 2, 3]))
        let decisions = core.dispatch()
        guard case .unrunnable(0, let reason)? = decisions.first else { return XCTFail("\(decisions)") }
        XCTAssertTrue(reason.contains("64 cores") && reason.contains("large"), reason)
        XCTAssertEqual(assignments(decisions).map(\.position), [1])
        XCTAssertEqual(core.hostCapacities.map(\.pool.cores), [4, 2])
    }

    func testTheRefusalNamesTheDirectivesLine() {
        var task = TaskSpec(position: 0, arrayIndex: 0, command: .argv(["x"]), slots: 64,
                            source: SourceLocation(file: "job.sub", line: 9))
        task.requestLines = RequestLines(cores: SourceLocation(file: "job.sub", line: 3))
        let hosts = [HostCapacity(host: "vm", pool: ResourceRequest(cores: 2, memoryMiB: 1000))]
        let refusal = HostCapacity.refusal(of: task, hosts: hosts)
        XCTAssertEqual(refusal?.location.line, 3)
        XCTAssertTrue(refusal?.message.contains("64 cores, and the largest host, vm, has 2") ?? false, "\(String(describing: refusal))")
        task.slots = 2
        XCTAssertNil(HostCapacity.refusal(of: task, hosts: hosts))
    }

    // MARK: Prefetch: waiting on the worker behind a task whose grant covers it

    func testAQueuedTaskTakesOverTheGrantOfTheTaskAheadAndTheRestReturns() {
        let request: (Int) -> ResourceRequest = { ResourceRequest(cores: $0 == 0 ? 2 : 1) }
        var core = SchedulerCore(taskCount: 2, policy: SchedulerPolicy(prefetchPerSlot: 1),
                                 placement: ClosurePlacement(requestOf: request))
        core.addWorker(ad(1))
        let first = assignments(core.dispatch())
        XCTAssertEqual(first.map(\.position), [0, 1], "task 1 waits queued behind task 0")
        XCTAssertEqual(core.grant(of: 1)?.cpus, [0], "a part of task 0's grant")
        XCTAssertEqual(core.pool(ofWorker: 1)?.free.cores, 0)
        _ = core.complete(ended(0, worker: 1))
        XCTAssertEqual(core.pool(ofWorker: 1)?.free.cores, 1, "CPU 1 goes back; CPU 0 stays with task 1")
    }

    // MARK: The reservation

    /// A 2-core task behind 1-core tasks on a 2-core host: once it is at the head, nothing
    /// behind it starts or queues on its host, and it starts when the tasks running before
    /// it have ended: within one task length.
    func testAWideTaskIsNotStarvedByAStreamOfNarrowOnes() {
        let request: (Int) -> ResourceRequest = { ResourceRequest(cores: $0 == 3 ? 2 : 1) }
        var core = SchedulerCore(taskCount: 20, policy: SchedulerPolicy(prefetchPerSlot: 2),
                                 placement: ClosurePlacement(requestOf: request))
        core.addWorker(ad(1))
        core.addWorker(ad(2))
        var running: [Int: Int] = [:]  // position -> worker, started or queued
        var decisions = core.dispatch()
        var revoked: [(Int, Int)] = []
        func absorb(_ list: [SchedulerCore.Decision]) {
            for decision in list {
                switch decision {
                case .assign(let position, _, let worker): running[position] = worker
                case .revoke(let position, let worker): revoked.append((position, worker))
                default: break
                }
            }
        }
        absorb(decisions)
        XCTAssertEqual(core.reservation?.position, 3, "the wide task waits with a reservation")
        XCTAssertFalse(running.keys.contains { $0 > 3 }, "nothing behind it is handed out")
        // The workers give back what was asked back (queued, not started).
        for (position, worker) in revoked {
            var completion = ended(position, worker: worker)
            completion.outcome = .revoked
            absorb(core.complete(completion))
            running[position] = nil
        }
        revoked = []
        absorb(core.dispatch())
        XCTAssertFalse(running.keys.contains { $0 > 3 })
        // The tasks that run end, one round: the wide task starts next.
        for position in running.keys.sorted() where core.hasStarted(position) || position < 3 {
            absorb(core.complete(ended(position, worker: running.removeValue(forKey: position)!)))
            decisions = core.dispatch()
            absorb(decisions)
            if running[3] != nil { break }
        }
        XCTAssertNotNil(running[3], "it starts once the tasks ahead of it end")
        XCTAssertEqual(core.grant(of: 3)?.cpus, [0, 1])
        XCTAssertNil(core.reservation)
    }

    /// Random ends over mixed 1-, 2- and 4-core tasks, with GPUs and memory, on two hosts
    /// and three workers, the workers simulated as they start queued tasks (when no running
    /// task holds their CPUs or GPUs): the tasks running on a host never hold more than it
    /// has, never share a CPU or GPU, and every task ends once.
    func testRandomMixedRunNeverOverfillsAHost() {
        var random = SeededGenerator(seed: 13)
        let count = 2000
        let request: (Int) -> ResourceRequest = { position in
            ResourceRequest(cores: [1, 2, 4][position % 3], memoryMiB: position % 5 == 0 ? 3000 : 500,
                            gpus: position % 7 == 0 ? 1 : 0)
        }
        var core = SchedulerCore(taskCount: count, policy: SchedulerPolicy(prefetchPerSlot: 2),
                                 placement: ClosurePlacement(requestOf: request))
        core.addWorker(ad(1, host: "a", cpus: [0, 1, 2, 3], gpus: ["0", "1"], memoryMiB: 8000))
        core.addWorker(ad(2, host: "a", cpus: [0, 1, 2, 3], gpus: ["0", "1"], memoryMiB: 8000))
        core.addWorker(ad(3, host: "b", cpus: [0, 1, 2, 3, 4, 5], memoryMiB: 6000))
        let hostOf = [1: "a", 2: "a", 3: "b"]
        let capacity = ["a": 4, "b": 6]
        var queued: [Int: [Int]] = [1: [], 2: [], 3: []]  // per worker, in arrival order
        var started: [Int: Int] = [:]  // position -> worker
        var ends = [Int](repeating: 0, count: count)

        func startQueued(_ worker: Int) {
            var held = Set(started.filter { $0.value == worker || hostOf[$0.value] == hostOf[worker] }
                .flatMap { core.grant(of: $0.key)!.cpus.map { "c\($0)" } + core.grant(of: $0.key)!.gpus.map { "g\($0)" } })
            var waiting: [Int] = []
            for position in queued[worker]! {
                let grant = core.grant(of: position)!
                let ids = Set(grant.cpus.map { "c\($0)" } + grant.gpus.map { "g\($0)" })
                if held.isDisjoint(with: ids) {
                    started[position] = worker
                    _ = core.markStarted(position: position, attempt: 1, worker: worker)
                } else {
                    waiting.append(position)
                }
                held.formUnion(ids)
            }
            queued[worker] = waiting
        }
        func apply(_ decisions: [SchedulerCore.Decision]) {
            for decision in decisions {
                switch decision {
                case .assign(let position, _, let worker): queued[worker]!.append(position)
                case .finished(let position, _, _), .unrunnable(let position, _): ends[position] += 1
                case .revoke(let position, let worker):
                    guard let index = queued[worker]!.firstIndex(of: position) else { continue }
                    queued[worker]!.remove(at: index)
                    var completion = ended(position, worker: worker)
                    completion.outcome = .revoked
                    apply(core.complete(completion))
                default: break
                }
            }
            for worker in [1, 2, 3] { startQueued(worker) }
            for host in ["a", "b"] {
                let onHost = started.filter { hostOf[$0.value] == host }.map(\.key)
                let cpus = onHost.flatMap { core.grant(of: $0)!.cpus }
                let gpus = onHost.flatMap { core.grant(of: $0)!.gpus }
                XCTAssertLessThanOrEqual(cpus.count, capacity[host]!, "host \(host) over its cores")
                XCTAssertEqual(Set(cpus).count, cpus.count, "a CPU of \(host) held twice")
                XCTAssertEqual(Set(gpus).count, gpus.count, "a GPU of \(host) held twice")
                XCTAssertLessThanOrEqual(onHost.map { request($0).memoryMiB }.reduce(0, +), host == "a" ? 8000 : 6000)
            }
        }
        apply(core.dispatch())
        var steps = 0
        while !started.isEmpty, steps < 100_000 {
            steps += 1
            let keys = started.keys.sorted()
            let victim = keys[Int.random(in: 0..<keys.count, using: &random)]
            let worker = started.removeValue(forKey: victim)!
            apply(core.complete(ended(victim, worker: worker)))
            apply(core.dispatch())
        }
        XCTAssertTrue(core.isDone())
        XCTAssertEqual(ends.filter { $0 != 1 }.count, 0, "every task ended exactly once")
        XCTAssertEqual(ends.count(where: { $0 == 1 }), count)
    }
}

extension ResourceRequest {
    /// This request with `cores` set as given (0 included), for comparing free amounts.
    func with(cores: Int) -> ResourceRequest {
        var copy = self
        copy.cores = cores
        return copy
    }
}
