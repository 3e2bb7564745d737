import JobSpec
import XCTest

@testable import TaskFarm

final class SchedulerCoreTests: XCTestCase {
    func worker(_ rank: Int, slots: Int = 1, host: String = "h") -> WorkerAd {
        WorkerAd(rank: rank, host: host, cores: 8, memoryBytes: 1 << 30, slots: slots)
    }

    func ended(_ position: Int, attempt: Int = 1, worker: Int = 1, _ outcome: TaskOutcome = .exited,
               exit: Int? = 0, signal: Int? = nil) -> TaskCompletion {
        TaskCompletion(position: position, attempt: attempt, workerRank: worker, outcome: outcome,
                       exitCode: outcome == .exited || outcome == .failedToStart ? exit : nil, signal: signal,
                       startTime: 0, endTime: 1)
    }

    func assignments(_ decisions: [SchedulerCore.Decision]) -> [(position: Int, attempt: Int, worker: Int)] {
        decisions.compactMap {
            if case .assign(let position, let attempt, let worker) = $0 { return (position, attempt, worker) }
            return nil
        }
    }

    func perWorker(_ decisions: [SchedulerCore.Decision]) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for assignment in assignments(decisions) { counts[assignment.worker, default: 0] += 1 }
        return counts
    }

    // MARK: Slots and prefetch

    func testWithoutPrefetchEachWorkerGetsItsSlots() {
        var core = SchedulerCore(taskCount: 100, policy: SchedulerPolicy(prefetchPerSlot: 0))
        core.addWorker(worker(1, slots: 2, host: "h1"))
        core.addWorker(worker(2, slots: 3, host: "h2"))
        let decisions = core.dispatch()
        XCTAssertEqual(perWorker(decisions), [1: 2, 2: 3])
        XCTAssertEqual(core.inFlightCount, 5)
        XCTAssertTrue(core.dispatch().isEmpty, "no free slot, nothing more")
    }

    func testPrefetchFillsSlotsTimesOnePlusPrefetchWhileMuchRemains() {
        var core = SchedulerCore(taskCount: 1000, policy: SchedulerPolicy(prefetchPerSlot: 2))
        core.addWorker(worker(1, slots: 2))
        core.addWorker(worker(2, slots: 1))
        XCTAssertEqual(perWorker(core.dispatch()), [1: 6, 2: 3])
    }

    func testPrefetchHoldsTasksUpToCapacityEvenAtTheTail() {
        // 3 slots with prefetch 2: capacity 6 + 3, so all 6 tasks are handed out at once.
        var core = SchedulerCore(taskCount: 6, policy: SchedulerPolicy(prefetchPerSlot: 2))
        core.addWorker(worker(1, slots: 2))
        core.addWorker(worker(2, slots: 1))
        let counts = perWorker(core.dispatch())
        XCTAssertEqual(counts.values.reduce(0, +), 6)
        XCTAssertLessThanOrEqual(counts[1] ?? 0, 6)
        XCTAssertLessThanOrEqual(counts[2] ?? 0, 3)
    }

    /// When nothing is left to hand out, an idle worker gets a prefetched task back from a
    /// loaded one: the scheduler revokes the newest, and a revoked task is not an attempt.
    func testAnIdleWorkerGetsARevokedPrefetchedTask() {
        var core = SchedulerCore(taskCount: 4, policy: SchedulerPolicy(prefetchPerSlot: 1))
        core.addWorker(worker(1))
        core.addWorker(worker(2))
        let first = assignments(core.dispatch())
        XCTAssertEqual(first.map(\.position), [0, 1, 2, 3])
        let onTwo = first.filter { $0.worker == 2 }.map(\.position)
        let onOne = first.filter { $0.worker == 1 }.map(\.position)
        // Worker 2 finishes both of its tasks; worker 1 is still on its first.
        for position in onTwo { _ = core.complete(ended(position, worker: 2)) }
        let decisions = core.dispatch()
        XCTAssertEqual(decisions, [.revoke(position: onOne[1], worker: 1)])
        XCTAssertEqual(core.dispatch(), [], "a revoke is asked once")
        XCTAssertEqual(core.complete(ended(onOne[1], worker: 1, .revoked)), [.returned(position: onOne[1], attempt: 1)])
        XCTAssertEqual(assignments(core.dispatch()).map { [$0.position, $0.attempt, $0.worker] }, [[onOne[1], 1, 2]])
    }

    /// A revoke that comes too late (the task had started) changes nothing: the task ends
    /// normally on its worker.
    func testARevokeAnsweredByANormalEndIsJustAnEnd() {
        var core = SchedulerCore(taskCount: 4, policy: SchedulerPolicy(prefetchPerSlot: 1))
        core.addWorker(worker(1))
        core.addWorker(worker(2))
        let first = assignments(core.dispatch())
        for assignment in first where assignment.worker == 2 { _ = core.complete(ended(assignment.position, worker: 2)) }
        guard case .revoke(let position, _) = core.dispatch().first else { return XCTFail("expected a revoke") }
        let rest = first.filter { $0.worker == 1 }.map(\.position)
        for other in rest { _ = core.complete(ended(other, worker: 1)) }
        XCTAssertTrue(rest.contains(position))
        XCTAssertTrue(core.isDone())
        XCTAssertEqual(core.counts, [.succeeded: 4])
    }

    func testEachTaskIsAssignedExactlyOnceAndInOrder() {
        var core = SchedulerCore(taskCount: 50, policy: SchedulerPolicy(prefetchPerSlot: 1))
        core.addWorker(worker(1, slots: 2))
        core.addWorker(worker(2, slots: 2))
        var seen: [Int] = []
        var pending = assignments(core.dispatch())
        while !pending.isEmpty {
            let next = pending.removeFirst()
            seen.append(next.position)
            XCTAssertEqual(next.attempt, 1)
            _ = core.complete(ended(next.position, worker: next.worker))
            pending += assignments(core.dispatch())
        }
        XCTAssertEqual(seen, Array(0..<50))
        XCTAssertTrue(core.isDone())
        XCTAssertEqual(core.counts, [.succeeded: 50])
    }

    // MARK: Retries

    func runToEnd(_ core: inout SchedulerCore, outcome: (Int, Int) -> TaskCompletion) -> [SchedulerCore.Decision] {
        var log: [SchedulerCore.Decision] = []
        var pending = assignments(core.dispatch())
        while !pending.isEmpty {
            let next = pending.removeFirst()
            let decisions = core.complete(outcome(next.position, next.attempt))
            log += decisions
            pending += assignments(core.dispatch())
        }
        return log
    }

    func testRetriesNGivesNPlusOneAttempts() {
        var core = SchedulerCore(taskCount: 1, policy: SchedulerPolicy(retries: 3))
        core.addWorker(worker(1))
        var attempts: [Int] = []
        let log = runToEnd(&core) { position, attempt in
            attempts.append(attempt)
            return self.ended(position, attempt: attempt, .exited, exit: 1)
        }
        XCTAssertEqual(attempts, [1, 2, 3, 4])
        XCTAssertEqual(log.filter { if case .retrying = $0 { return true } else { return false } }.count, 3)
        XCTAssertEqual(core.states[0], .failed)
        XCTAssertEqual(core.attempts[0], 4)
        XCTAssertTrue(core.isDone())
    }

    func testTaskOwnRetriesWinOverThePolicy() {
        var core = SchedulerCore(taskCount: 2, policy: SchedulerPolicy(retries: 5),
                                 placement: ClosurePlacement(retriesOf: { $0 == 0 ? 0 : nil }))
        core.addWorker(worker(1))
        var attempts: [Int: Int] = [:]
        _ = runToEnd(&core) { position, attempt in
            attempts[position] = attempt
            return self.ended(position, attempt: attempt, .exited, exit: 2)
        }
        XCTAssertEqual(attempts, [0: 1, 1: 6])
    }

    func testRetrySucceedsOnASecondAttempt() {
        var core = SchedulerCore(taskCount: 1, policy: SchedulerPolicy(retries: 2))
        core.addWorker(worker(1))
        _ = runToEnd(&core) { position, attempt in
            self.ended(position, attempt: attempt, .exited, exit: attempt == 1 ? 1 : 0)
        }
        XCTAssertEqual(core.states[0], .succeeded)
        XCTAssertEqual(core.attempts[0], 2)
    }

    func testRetryUnlessExitStopsRetrying() {
        var core = SchedulerCore(taskCount: 2, policy: SchedulerPolicy(retries: 3, retryUnlessExit: 42))
        core.addWorker(worker(1))
        var attempts: [Int: Int] = [:]
        _ = runToEnd(&core) { position, attempt in
            attempts[position] = attempt
            return self.ended(position, attempt: attempt, .exited, exit: position == 0 ? 42 : 41)
        }
        XCTAssertEqual(attempts, [0: 1, 1: 4])
        XCTAssertEqual(core.states, [.failed, .failed])
    }

    func testSignalDeathsAreRetried() {
        var core = SchedulerCore(taskCount: 1, policy: SchedulerPolicy(retries: 1, retryUnlessExit: 0))
        core.addWorker(worker(1))
        var attempts = 0
        _ = runToEnd(&core) { position, attempt in
            attempts = attempt
            return self.ended(position, attempt: attempt, .signaled, signal: 9)
        }
        XCTAssertEqual(attempts, 2, "a signal death has no exit code, so retry-unless-exit 0 must not stop it")
        XCTAssertEqual(core.states, [.failed])
    }

    func testTimeoutEndsTimedOut() {
        var core = SchedulerCore(taskCount: 1, policy: SchedulerPolicy(retries: 1))
        core.addWorker(worker(1))
        let log = runToEnd(&core) { position, attempt in self.ended(position, attempt: attempt, .timedOut, signal: 15) }
        XCTAssertEqual(core.states[0], .timedOut)
        XCTAssertEqual(core.attempts[0], 2)
        guard case .finished(0, .timedOut, let completion) = log.last else { return XCTFail("\(log)") }
        XCTAssertEqual(completion.attempt, 2)
    }

    func testCancelledAndInterruptedAreNotRetried() {
        var core = SchedulerCore(taskCount: 2, policy: SchedulerPolicy(retries: 3))
        core.addWorker(worker(1, slots: 2))
        var attempts: [Int: Int] = [:]
        _ = runToEnd(&core) { position, attempt in
            attempts[position] = attempt
            return self.ended(position, attempt: attempt, position == 0 ? .cancelled : .interrupted)
        }
        XCTAssertEqual(attempts, [0: 1, 1: 1])
        XCTAssertEqual(core.states, [.cancelled, .interrupted])
    }

    func testStaleOrUnknownCompletionsAreIgnored() {
        var core = SchedulerCore(taskCount: 2, policy: SchedulerPolicy(retries: 1, prefetchPerSlot: 0))
        core.addWorker(worker(1))
        XCTAssertEqual(assignments(core.dispatch()).map(\.position), [0])
        XCTAssertTrue(core.complete(ended(0, attempt: 2)).isEmpty, "wrong attempt")
        XCTAssertTrue(core.complete(ended(1)).isEmpty, "never assigned")
        XCTAssertEqual(core.inFlightCount, 1)
        XCTAssertEqual(core.complete(ended(0)).count, 1)
        XCTAssertTrue(core.complete(ended(0)).isEmpty, "a duplicate report")
        XCTAssertEqual(core.states, [.succeeded, .pending])
    }

    // MARK: Stopping

    func testStopDispatchingDrains() {
        var core = SchedulerCore(taskCount: 10, policy: SchedulerPolicy(retries: 2, prefetchPerSlot: 0))
        core.addWorker(worker(1, slots: 2))
        let first = assignments(core.dispatch())
        XCTAssertEqual(first.count, 2)
        core.stopDispatching()
        XCTAssertFalse(core.isDispatching)
        XCTAssertFalse(core.isDone(), "two tasks still run")
        _ = core.complete(ended(first[0].position))
        XCTAssertTrue(core.dispatch().isEmpty, "no new task after a drain")
        let decisions = core.complete(ended(first[1].position, .exited, exit: 1))
        guard case .finished(_, .failed, _) = decisions.first else { return XCTFail("no retry while draining: \(decisions)") }
        XCTAssertTrue(core.isDone())
        XCTAssertEqual(core.counts, [.succeeded: 1, .failed: 1, .pending: 8])
    }

    func testIsDoneOnlyWhenEverythingEnded() {
        var core = SchedulerCore(taskCount: 1, policy: SchedulerPolicy())
        XCTAssertFalse(core.isDone(), "a pending task and no worker yet")
        core.addWorker(worker(1))
        _ = core.dispatch()
        XCTAssertFalse(core.isDone())
        _ = core.complete(ended(0))
        XCTAssertTrue(core.isDone())
        var empty = SchedulerCore(taskCount: 0, policy: SchedulerPolicy())
        XCTAssertTrue(empty.isDone())
    }

    func testResumeSkipsFinalStatesAndRerunsTheRest() {
        let states: [TaskState] = [.succeeded, .failed, .running, .interrupted, .pending, .timedOut, .cancelled]
        var core = SchedulerCore(taskCount: states.count, policy: SchedulerPolicy(prefetchPerSlot: 0),
                                 initialStates: states, initialAttempts: [1, 1, 1, 1, 0, 1, 1])
        core.addWorker(worker(1, slots: 10))
        let assigned = assignments(core.dispatch())
        XCTAssertEqual(assigned.map(\.position), [2, 3, 4])
        XCTAssertEqual(assigned.map(\.attempt), [2, 2, 1], "attempts continue from the journal")
        for assignment in assigned { _ = core.complete(ended(assignment.position, attempt: assignment.attempt)) }
        XCTAssertTrue(core.isDone())
        XCTAssertEqual(core.states, [.succeeded, .failed, .succeeded, .succeeded, .succeeded, .timedOut, .cancelled])
    }

    // MARK: Unrunnable tasks

    func testTaskNeedingMoreSlotsThanAnyWorkerIsUnrunnable() {
        var core = SchedulerCore(taskCount: 3, policy: SchedulerPolicy(prefetchPerSlot: 0),
                                 placement: ClosurePlacement(slotsOf: { $0 == 1 ? 5 : 1 }))
        core.addWorker(worker(1, slots: 4))
        let decisions = core.dispatch()
        XCTAssertEqual(assignments(decisions).map(\.position), [0, 2])
        XCTAssertTrue(decisions.contains {
            if case .unrunnable(1, let reason) = $0 { return reason.contains("5") && reason.contains("4") }
            return false
        }, "\(decisions)")
        XCTAssertEqual(core.states[1], .failed)
    }

    func testRequirementsNoWorkerSatisfiesAreUnrunnable() {
        var core = SchedulerCore(taskCount: 3, policy: SchedulerPolicy(prefetchPerSlot: 0),
                                 placement: ClosurePlacement(matchesWorker: { position, ad in position != 1 || ad.host == "gpu" }))
        core.addWorker(worker(1, slots: 1, host: "cpu"))
        core.addWorker(worker(2, slots: 1, host: "cpu"))
        var log = core.dispatch()
        XCTAssertTrue(log.contains { if case .unrunnable(1, _) = $0 { return true } else { return false } }, "\(log)")
        for assignment in assignments(log) { log += core.complete(ended(assignment.position, worker: assignment.worker)) }
        log += core.dispatch()
        XCTAssertEqual(Set(log.compactMap { if case .assign(let p, _, _) = $0 { return p } else { return nil } }), [0, 2])
        XCTAssertEqual(core.states, [.succeeded, .failed, .succeeded])
    }

    func testRequirementsSendTasksOnlyToMatchingWorkers() {
        var core = SchedulerCore(taskCount: 20, policy: SchedulerPolicy(prefetchPerSlot: 0),
                                 placement: ClosurePlacement(matchesWorker: { position, ad in (position % 2 == 0) == (ad.host == "even") }))
        core.addWorker(worker(1, slots: 1, host: "even"))
        core.addWorker(worker(2, slots: 1, host: "odd"))
        var pending = assignments(core.dispatch())
        var count = 0
        while !pending.isEmpty {
            let next = pending.removeFirst()
            count += 1
            XCTAssertEqual(next.worker, next.position % 2 == 0 ? 1 : 2, "task \(next.position)")
            _ = core.complete(ended(next.position, worker: next.worker))
            pending += assignments(core.dispatch())
        }
        XCTAssertEqual(count, 20)
    }

    // MARK: Barriers

    func testRankPrefersTheHighestRankedIdleWorker() {
        var core = SchedulerCore(taskCount: 30, policy: SchedulerPolicy(prefetchPerSlot: 2),
                                 placement: ClosurePlacement(rankOf: { _, ad in Double(ad.rank) }))
        core.addWorker(worker(1, host: "h1"))
        core.addWorker(worker(2, host: "h2"))
        core.addWorker(worker(3, host: "h3"))
        // Each task goes to the best worker still idle, never queued behind a busy better one.
        // Then prefetch queues the rest by rank as well.
        XCTAssertEqual(assignments(core.dispatch()).map(\.worker), [3, 2, 1, 3, 3, 2, 2, 1, 1])
    }

    func testRejectReportsAPendingTaskOnceAndSkipsIt() {
        var core = SchedulerCore(taskCount: 2, policy: SchedulerPolicy(prefetchPerSlot: 0))
        XCTAssertEqual(core.reject(position: 1, reason: "why"), .unrunnable(position: 1, reason: "why"))
        XCTAssertNil(core.reject(position: 1, reason: "why"))
        core.addWorker(worker(1))
        core.addWorker(worker(2))
        XCTAssertEqual(assignments(core.dispatch()).map(\.position), [0])
        _ = core.complete(ended(0))
        XCTAssertTrue(core.isDone())
    }

    func testPrerequisitesHoldLaterTasks() {
        // Tasks 0-2, then a barrier: 3-5 wait for all of 0-2 to be final.
        var core = SchedulerCore(taskCount: 6, policy: SchedulerPolicy(retries: 1, prefetchPerSlot: 0),
                                 placement: ClosurePlacement(prerequisitesOf: { $0 >= 3 ? [0, 1, 2] : [] }))
        core.addWorker(worker(1, slots: 10))
        let first = assignments(core.dispatch())
        XCTAssertEqual(first.map(\.position), [0, 1, 2])
        _ = core.complete(ended(0))
        _ = core.complete(ended(1, .exited, exit: 1))  // retried: not final yet
        XCTAssertEqual(assignments(core.dispatch()).map(\.position), [1])
        _ = core.complete(ended(2))
        XCTAssertTrue(core.dispatch().isEmpty, "task 1's retry is still running")
        XCTAssertFalse(core.isDone())
        _ = core.complete(ended(1, attempt: 2, .exited, exit: 1))
        XCTAssertEqual(core.states[1], .failed)
        XCTAssertEqual(assignments(core.dispatch()).map(\.position), [3, 4, 5], "a failed prerequisite is final")
    }

    // MARK: Throttle, simulated

    /// 10k tasks on uneven workers with random ends, retries, signals and a throttle: after
    /// every step, no worker is over capacity, the throttle holds, and at the end every task
    /// ran and ended exactly once.
    func testRandomRunKeepsEveryInvariant() {
        var random = SeededGenerator(seed: 2026)
        let taskCount = 10_000
        let throttle = 7
        let slotsOfTask: (Int) -> Int = { $0 % 13 == 0 ? 2 : 1 }
        var core = SchedulerCore(taskCount: taskCount,
                                 policy: SchedulerPolicy(retries: 2, prefetchPerSlot: 1, maxConcurrent: throttle),
                                 placement: ClosurePlacement(slotsOf: slotsOfTask, prerequisitesOf: { $0 == 5000 ? Array(0..<5000) : [] }))
        let slots = [1: 1, 2: 2, 3: 4]
        // One host per worker, so each worker's capacity is its host's pool.
        for (rank, count) in slots.sorted(by: { $0.key < $1.key }) { core.addWorker(worker(rank, slots: count, host: "h\(rank)")) }

        var running: [Int: (attempt: Int, worker: Int)] = [:]
        var finalCount = [Int](repeating: 0, count: taskCount)
        var attemptsSeen = [Int](repeating: 0, count: taskCount)
        var maxRunning = 0
        var revokes: [(position: Int, worker: Int)] = []
        func apply(_ decisions: [SchedulerCore.Decision]) {
            for decision in decisions {
                switch decision {
                case .assign(let position, let attempt, let worker):
                    XCTAssertNil(running[position], "task \(position) assigned twice at once")
                    XCTAssertEqual(attempt, attemptsSeen[position] + 1)
                    XCTAssertEqual(finalCount[position], 0, "task \(position) assigned after it ended")
                    if position == 5000 {
                        XCTAssertTrue((0..<5000).allSatisfy { core.states[$0].isFinal },
                                      "task 5000 started before its barrier cleared")
                    }
                    attemptsSeen[position] = attempt
                    running[position] = (attempt, worker)
                case .finished(let position, _, _), .unrunnable(let position, _):
                    finalCount[position] += 1
                case .retrying:
                    break
                case .revoke(let position, let worker):
                    revokes.append((position, worker))
                case .returned:
                    break
                }
            }
            maxRunning = max(maxRunning, running.count)
            XCTAssertLessThanOrEqual(running.count, throttle)
            XCTAssertEqual(running.count, core.inFlightCount)
            var used: [Int: Int] = [:]
            for (position, flight) in running { used[flight.worker, default: 0] += slotsOfTask(position) }
            for (rank, count) in used { XCTAssertLessThanOrEqual(count, slots[rank]! * 2, "worker \(rank) over capacity") }
        }

        apply(core.dispatch())
        var steps = 0
        while !running.isEmpty {
            steps += 1
            let victim = running.keys.sorted()[Int.random(in: 0..<running.count, using: &random)]
            let flight = running.removeValue(forKey: victim)!
            let roll = Int.random(in: 0..<10, using: &random)
            let completion: TaskCompletion
            switch roll {
            case 0: completion = ended(victim, attempt: flight.attempt, worker: flight.worker, .exited, exit: 1)
            case 1: completion = ended(victim, attempt: flight.attempt, worker: flight.worker, .signaled, signal: 9)
            default: completion = ended(victim, attempt: flight.attempt, worker: flight.worker)
            }
            apply(core.complete(completion))
            apply(core.dispatch())
            // The simulated worker gives back every revoked task it still holds.
            while let revoke = revokes.popLast() {
                guard let held = running[revoke.position] else { continue }
                running[revoke.position] = nil
                attemptsSeen[revoke.position] -= 1
                apply(core.complete(ended(revoke.position, attempt: held.attempt, worker: revoke.worker, .revoked)))
                apply(core.dispatch())
            }
        }
        XCTAssertTrue(core.isDone())
        XCTAssertEqual(maxRunning, throttle, "the throttle, not the slots, should be the limit here")
        XCTAssertEqual(finalCount, [Int](repeating: 1, count: taskCount), "every task ends exactly once")
        XCTAssertTrue(attemptsSeen.allSatisfy { (1...3).contains($0) })
        XCTAssertEqual(core.counts[.pending] ?? 0, 0)
        XCTAssertEqual(core.counts[.running] ?? 0, 0)
        XCTAssertGreaterThan(steps, taskCount)
    }
}
