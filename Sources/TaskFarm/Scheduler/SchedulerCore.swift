import JobSpec

/// The scheduler's decisions, free of MPI, processes and files: which task goes to which
/// worker, what a completion means (success, retry, final failure), when the run is over.
///
/// The caller feeds it workers and completions and carries out the ``Decision``s it
/// returns. Everything it does per task is O(1) amortised or O(log workers): a one-slot task
/// is placed through ``WorkerCandidates``; a task of several slots, or one that ranks workers
/// (HTCondor `rank`), is placed by a scan over the workers.
public struct SchedulerCore {
    /// A decision for the caller to carry out.
    public enum Decision: Equatable {
        /// Send attempt `attempt` of the task at `position` to worker `worker`.
        case assign(position: Int, attempt: Int, worker: Int)
        /// The task reached a final state with this completion (its last attempt).
        case finished(position: Int, state: TaskState, completion: TaskCompletion)
        /// The attempt failed and the task is queued again.
        case retrying(position: Int, completion: TaskCompletion)
        /// The task can never run: no worker can give it what it asks for.
        case unrunnable(position: Int, reason: String)
        /// Ask `worker` to give back the task at `position` if it has not started: another
        /// worker is idle and nothing else is ready (tail rebalancing of prefetched tasks).
        case revoke(position: Int, worker: Int)
        /// A worker gave the task back before it started: attempt `attempt` did not happen,
        /// and the task is pending again.
        case returned(position: Int, attempt: Int)
    }

    struct WorkerSlots {
        var ad: WorkerAd
        var used = 0
        /// Positions handed to the worker and not ended, oldest first.
        var positions: [Int] = []
        /// When it was added among the workers (ties go to the earlier one).
        var order: Int
        /// Counts changes of `used`, so that older ``WorkerCandidates`` entries are skipped.
        var version = 0
        /// Slots free now, and slots' worth of tasks it holds queued behind running ones.
        var idle: Int { max(0, ad.slots - used) }
        var queued: Int { max(0, used - ad.slots) }
    }

    struct InFlight {
        var worker: Int
        var slots: Int
        var attempt: Int
        /// Whether the worker reported that it started (a prefetched task waits in its queue).
        var started = false
    }

    /// Tasks known: the job's, plus any appended at run time (``appendTasks(count:)``).
    public private(set) var taskCount: Int
    /// The retries, prefetch and throttle the scheduler was made with.
    public private(set) var policy: SchedulerPolicy
    /// What each task needs of a worker, and which workers it prefers.
    private let placement: any Placement

    /// One byte per task.
    public internal(set) var states: [TaskState]
    /// Attempts made so far, per task (see ``AttemptCount``).
    public private(set) var attempts: [AttemptCount]
    /// Attempts made before this run (a resume), so the retry budget counts this run's only.
    private let earlierAttempts: [AttemptCount]
    private var workers: [Int: WorkerSlots] = [:]
    private var workerOrder: [Int] = []
    private var nextWorkerOrder = 0
    /// The workers by room for a one-slot task, best first.
    private var candidates = WorkerCandidates()
    /// The most slots of any worker.
    private var largestSlots = 0
    /// Idle slots over all workers, and slots' worth of prefetched tasks over all workers:
    /// tail rebalancing looks at the workers only when both are above 0.
    private var idleSlots = 0
    private var queuedSlots = 0
    var inFlight: [Int: InFlight] = [:]
    private var cursor = 0
    private var retryQueue: [Int] = []
    private var retryHead = 0
    private var dispatching = true
    private var runningTasks = 0
    /// Positions asked back from a worker and not yet answered.
    private var revoking = Set<Int>()
    /// Set by ``useExternalFeed()``: positions come from ``enqueue(positions:)``, not the cursor.
    var feed: ExternalFeed?
    /// Appended tasks waiting for ``release(_:)`` (a queue's `--after`); empty for fixed jobs.
    private var heldTasks = Set<Int>()
    /// Started attempts lost with their worker, by position: not failed attempts, so they
    /// do not use up retries; see ``loseWorker(_:crashLimit:reason:)``.
    private var lostAttempts: [Int: Int] = [:]

    /// - Parameters:
    ///   - taskCount: tasks in the job.
    ///   - policy: retries, prefetch and throttle.
    ///   - placement: each task's slots, retries, prerequisites and worker requirements.
    ///   - initialStates: states carried over from a journal (resume), or `nil` for a new run.
    ///   - initialAttempts: attempts carried over likewise, or `nil`.
    public init(taskCount: Int, policy: SchedulerPolicy, placement: any Placement = AnyWorkerPlacement(),
                initialStates: [TaskState]? = nil, initialAttempts: [AttemptCount]? = nil) {
        self.taskCount = taskCount
        self.policy = policy
        self.placement = placement
        self.states = initialStates ?? Array(repeating: .pending, count: taskCount)
        self.attempts = initialAttempts ?? Array(repeating: 0, count: taskCount)
        for index in states.indices where states[index] == .running || states[index] == .interrupted {
            states[index] = .pending
        }
        earlierAttempts = initialAttempts ?? []
    }

    // MARK: Workers

    /// Adds a worker with its ad; its slots become available.
    public mutating func addWorker(_ ad: WorkerAd) {
        var worker = WorkerSlots(ad: ad, order: nextWorkerOrder)
        if let known = workers[ad.rank] {
            worker.order = known.order
            worker.version = known.version + 1
            account(known, sign: -1)
        } else {
            workerOrder.append(ad.rank)
            nextWorkerOrder += 1
        }
        let replaced = workers.updateValue(worker, forKey: ad.rank)
        account(worker, sign: 1)
        largestSlots = replaced == nil ? max(largestSlots, ad.slots) : workers.values.map(\.ad.slots).max() ?? 0
        offer(ad.rank)
    }

    /// Adds the worker's idle and queued slots to the totals (`sign` 1), or takes them off (-1).
    private mutating func account(_ worker: WorkerSlots, sign: Int) {
        idleSlots += sign * worker.idle
        queuedSlots += sign * worker.queued
    }

    /// Changes the slots in use at worker `rank` by `delta`, and its place among the candidates.
    private mutating func changeUsed(of rank: Int, by delta: Int) {
        guard let before = workers[rank] else { return }
        account(before, sign: -1)
        workers[rank]!.used += delta
        workers[rank]!.version += 1
        account(workers[rank]!, sign: 1)
        offer(rank)
    }

    /// Pushes the worker's current room to the candidates; rebuilds them when stale entries
    /// outnumber the workers several times.
    private mutating func offer(_ rank: Int) {
        guard candidates.count <= 4 * workers.count + 64 else {
            candidates.removeAll()
            for known in workerOrder { candidates.push(entry(known)) }
            return
        }
        candidates.push(entry(rank))
    }

    private func entry(_ rank: Int) -> WorkerCandidates.Entry {
        let worker = workers[rank]!
        let capacity = worker.ad.slots * (1 + policy.prefetchPerSlot)
        return WorkerCandidates.Entry(idle: worker.idle >= 1, free: capacity - worker.used, order: worker.order,
                                      rank: rank, version: worker.version)
    }

    /// The workers known, in the order they were added: the one home of the worker facts
    /// on rank 0.
    public var workerAds: [WorkerAd] { workerOrder.compactMap { workers[$0]?.ad } }

    /// The ad of the worker at `rank`, or `nil` when no such worker is known.
    public func worker(at rank: Int) -> WorkerAd? { workers[rank]?.ad }

    /// Ends, as never runnable, every pending task that no known worker can run (HTCondor
    /// matchmaking); called once the workers are known.
    public mutating func rejectUnmatchable() -> [Decision] {
        let states = self.states
        return placement.unmatchable(workers: workerAds, taskCount: taskCount, isPending: { states[$0] == .pending })
            .compactMap { reject(position: $0.position, reason: $0.reason) }
    }

    // MARK: Progress

    /// Tasks handed out and not yet ended.
    public var inFlightCount: Int { inFlight.count }

    /// Whether every task has ended (or will not start because dispatch stopped) and
    /// nothing is in flight.
    public mutating func isDone() -> Bool {
        guard inFlight.isEmpty else { return false }
        if !dispatching { return true }
        if let feed, !feed.closed { return false }
        return nextReadyPosition(peekOnly: true) == nil
    }

    /// Stops handing out tasks; running ones finish (drain) or are killed by the caller.
    public mutating func stopDispatching() { dispatching = false }

    /// Whether tasks are still being handed out.
    public var isDispatching: Bool { dispatching }

    /// The positions in flight with their worker ranks.
    public var inFlightTasks: [(position: Int, worker: Int)] { inFlight.map { ($0.key, $0.value.worker) } }

    // MARK: Dispatch

    /// Hands out as many ready tasks as the workers' free slots allow.
    public mutating func dispatch() -> [Decision] {
        var decisions: [Decision] = []
        guard dispatching, !workers.isEmpty else { return decisions }
        let maxWorkerSlots = largestSlots
        while let position = nextReadyPosition(peekOnly: true) {
            if let limit = policy.maxConcurrent, runningTasks >= limit { break }
            let slots = max(1, placement.slots(of: position))
            if slots > maxWorkerSlots {
                _ = nextReadyPosition(peekOnly: false)
                states[position] = .failed
                decisions.append(.unrunnable(position: position,
                                             reason: "it asks for \(slots) slots and the largest worker has \(maxWorkerSlots)"))
                continue
            }
            let prefetch = policy.prefetchPerSlot
            guard let worker = pickWorker(for: position, slots: slots, prefetchPerSlot: prefetch) else {
                if !workers.values.contains(where: { placement.matches(position, $0.ad) && $0.ad.slots >= slots }) {
                    _ = nextReadyPosition(peekOnly: false)
                    states[position] = .failed
                    decisions.append(.unrunnable(position: position,
                                                 reason: placement.whyUnmatched(position, workers: workerAds)))
                    continue
                }
                break
            }
            _ = nextReadyPosition(peekOnly: false)
            let attempt = Int(attempts[position]) + 1
            attempts[position] = AttemptCount(clamping: attempt)
            states[position] = .running
            changeUsed(of: worker, by: slots)
            workers[worker]!.positions.append(position)
            inFlight[position] = InFlight(worker: worker, slots: slots, attempt: attempt)
            runningTasks += 1
            decisions.append(.assign(position: position, attempt: attempt, worker: worker))
        }
        if nextReadyPosition(peekOnly: true) == nil { decisions += rebalance() }
        return decisions
    }

    /// With nothing left to hand out, a worker with a free slot may sit idle while another
    /// holds prefetched tasks behind its running ones: ask a loaded worker to give back its
    /// newest task that the idle one can run (slots and requirements), so it runs there.
    private mutating func rebalance() -> [Decision] {
        guard policy.prefetchPerSlot > 0, idleSlots > 0, queuedSlots > 0 else { return [] }
        if let limit = policy.maxConcurrent, runningTasks >= limit { return [] }
        var decisions: [Decision] = []
        let loadedRanks = workerOrder.filter { workers[$0]!.queued > 0 }
        for idleRank in workerOrder {
            let idle = workers[idleRank]!
            var free = idle.ad.slots - idle.used
            guard free > 0 else { continue }
            for loadedRank in loadedRanks where loadedRank != idleRank && free > 0 {
                let loaded = workers[loadedRank]!
                var queued = loaded.used - loaded.ad.slots
                for position in loaded.positions.reversed() where queued > 0 && free > 0 {
                    let slots = inFlight[position]?.slots ?? 1
                    queued -= slots
                    guard slots <= free, !revoking.contains(position), placement.matches(position, idle.ad) else { continue }
                    revoking.insert(position)
                    decisions.append(.revoke(position: position, worker: loadedRank))
                    free -= slots
                }
            }
        }
        return decisions
    }

    /// The worker for a task: one that can start it now (enough idle slots) before one that
    /// would hold it prefetched; among those, the one with the most room.
    private mutating func pickWorker(for position: Int, slots: Int, prefetchPerSlot: Int) -> Int? {
        if placement.ranksWorkers { return pickRankedWorker(for: position, slots: slots, prefetchPerSlot: prefetchPerSlot) }
        if slots == 1 { return bestCandidate(for: position) }
        var best: Int?
        var bestScore = (startsNow: false, free: Int.min)
        for rank in workerOrder {
            let worker = workers[rank]!
            let capacity = worker.ad.slots * (1 + prefetchPerSlot)
            let free = capacity - worker.used
            guard free >= slots else { continue }
            let startsNow = worker.ad.slots - worker.used >= slots
            let better = startsNow != bestScore.startsNow ? startsNow : free > bestScore.free
            guard best == nil || better, placement.matches(position, worker.ad) else { continue }
            best = rank
            bestScore = (startsNow, free)
        }
        return best
    }

    /// ``pickWorker(for:slots:prefetchPerSlot:)`` for a one-slot task, from the candidates:
    /// the first live entry whose worker matches. Entries passed over (the worker does not
    /// match this task) go back for the next task.
    private mutating func bestCandidate(for position: Int) -> Int? {
        var passedOver: [WorkerCandidates.Entry] = []
        defer { for entry in passedOver { candidates.push(entry) } }
        while let top = candidates.top {
            guard let worker = workers[top.rank], worker.version == top.version else {
                candidates.popTop()
                continue
            }
            guard top.free >= 1 else { return nil }
            if placement.matches(position, worker.ad) { return top.rank }
            passedOver.append(candidates.popTop()!)
        }
        return nil
    }

    /// The matching worker the task ranks highest, preferring one with an idle slot over
    /// one that would only queue it (prefetch), then the most free slots.
    private func pickRankedWorker(for position: Int, slots: Int, prefetchPerSlot: Int) -> Int? {
        var best: Int?
        var bestKey = (idle: 0, rank: -Double.infinity, free: Int.min)
        for rank in workerOrder {
            let worker = workers[rank]!
            let free = worker.ad.slots * (1 + prefetchPerSlot) - worker.used
            guard free >= slots, placement.matches(position, worker.ad) else { continue }
            let key = (idle: worker.ad.slots - worker.used >= slots ? 1 : 0, rank: placement.rank(position, worker.ad), free: free)
            if best == nil || key > bestKey {
                best = rank
                bestKey = key
            }
        }
        return best
    }

    /// Marks a pending task as never runnable (no worker can match it), before it reaches
    /// the head of the queue. Returns the decision to report, or `nil` if it is not pending.
    public mutating func reject(position: Int, reason: String) -> Decision? {
        guard states[position] == .pending, inFlight[position] == nil else { return nil }
        states[position] = .failed
        return .unrunnable(position: position, reason: reason)
    }

    /// The next task to hand out: retries first, then fresh tasks in order. A fresh task
    /// whose prerequisites are not all final waits, and so does everything after it.
    private mutating func nextReadyPosition(peekOnly: Bool) -> Int? {
        while retryHead < retryQueue.count, states[retryQueue[retryHead]] != .pending {
            retryHead += 1  // cancelled while queued for a retry or a release
        }
        if retryHead < retryQueue.count {
            let position = retryQueue[retryHead]
            if !peekOnly { retryHead += 1 }
            if retryHead == retryQueue.count {
                retryQueue.removeAll(keepingCapacity: true)
                retryHead = 0
            }
            return position
        }
        if retryHead > 0 {
            retryQueue.removeAll(keepingCapacity: true)
            retryHead = 0
        }
        if feed != nil { return nextFedPosition(peekOnly: peekOnly) }
        while cursor < taskCount, states[cursor] != .pending || (!heldTasks.isEmpty && heldTasks.contains(cursor)) { cursor += 1 }
        guard cursor < taskCount else { return nil }
        for prerequisite in placement.prerequisites(of: cursor) where !states[prerequisite].isFinal {
            return nil
        }
        let position = cursor
        if !peekOnly { cursor += 1 }
        return position
    }

    // MARK: Tasks appended at run time (the task queue)

    /// Appends `count` pending tasks after the last one; they start like the job's own
    /// unless ``hold(_:)`` is called before the next ``dispatch()``.
    ///
    /// - Returns: the new tasks' positions.
    @discardableResult
    public mutating func appendTasks(count: Int) -> Range<Int> {
        let first = taskCount
        taskCount += count
        states += repeatElement(.pending, count: count)
        attempts += repeatElement(0, count: count)
        return first..<taskCount
    }

    /// Keeps a pending task from starting until ``release(_:)`` (PBS `afterok`). Call it
    /// before the task could have been dispatched: right after appending, or before the first
    /// ``dispatch()``.
    public mutating func hold(_ position: Int) {
        if states[position] == .pending { heldTasks.insert(position) }
    }

    /// Whether the task at `position` waits for ``release(_:)``.
    public func isHeld(_ position: Int) -> Bool { heldTasks.contains(position) }

    /// Lets a held task start.
    public mutating func release(_ position: Int) {
        guard heldTasks.remove(position) != nil, states[position] == .pending else { return }
        if position < cursor { retryQueue.append(position) }
    }

    /// Cancels a task that has not started (queued, held or waiting for a retry): it ends
    /// `cancelled` with `reason` as its message. A task in flight is not touched; the caller
    /// stops it on ``worker(running:)`` and its report ends it.
    public mutating func cancel(_ position: Int, reason: String) -> [Decision] {
        guard position >= 0, position < taskCount, states[position] == .pending else { return [] }
        heldTasks.remove(position)
        states[position] = .cancelled
        let now = Clock.epochSeconds()
        let completion = TaskCompletion(position: position, attempt: Int(attempts[position]), workerRank: -1,
                                        outcome: .cancelled, startTime: now, endTime: now, message: reason)
        return [.finished(position: position, state: .cancelled, completion: completion)]
    }

    /// The worker running the task at `position`, or `nil` when it is not in flight.
    public func worker(running position: Int) -> Int? { inFlight[position]?.worker }

    // MARK: Completion

    /// Records how an attempt ended and decides what follows.
    public mutating func complete(_ completion: TaskCompletion) -> [Decision] {
        let position = completion.position
        guard let flight = inFlight[position], flight.attempt == completion.attempt,
              flight.worker == completion.workerRank else { return [] }
        inFlight[position] = nil
        runningTasks -= 1
        revoking.remove(position)
        if workers[flight.worker] != nil {
            changeUsed(of: flight.worker, by: -flight.slots)
            if let index = workers[flight.worker]!.positions.firstIndex(of: position) {
                workers[flight.worker]!.positions.remove(at: index)
            }
        }
        if completion.outcome == .revoked {
            // Never started: not an attempt. It goes first in line for the next free slot.
            attempts[position] = AttemptCount(clamping: completion.attempt - 1)
            states[position] = .pending
            retryQueue.insert(position, at: retryHead)
            return [.returned(position: position, attempt: completion.attempt)]
        }
        if completion.succeeded {
            states[position] = .succeeded
            return [.finished(position: position, state: .succeeded, completion: completion)]
        }
        switch completion.outcome {
        case .interrupted:
            states[position] = .interrupted
            return [.finished(position: position, state: .interrupted, completion: completion)]
        case .cancelled:
            states[position] = .cancelled
            return [.finished(position: position, state: .cancelled, completion: completion)]
        default:
            break
        }
        let allowed = placement.retries(of: position) ?? policy.retries
        let unless = policy.retryUnlessExit.map { completion.outcome == .exited && completion.exitCode == $0 } ?? false
        let attemptsThisRun = flight.attempt - (position < earlierAttempts.count ? Int(earlierAttempts[position]) : 0)
            - (lostAttempts[position] ?? 0)
        if dispatching, !unless, attemptsThisRun <= allowed, flight.attempt < Int(AttemptCount.max) {
            states[position] = .pending
            retryQueue.append(position)
            return [.retrying(position: position, completion: completion)]
        }
        let state: TaskState = completion.outcome == .timedOut ? .timedOut : .failed
        states[position] = state
        return [.finished(position: position, state: state, completion: completion)]
    }

    /// Counts of tasks by state.
    public var counts: [TaskState: Int] {
        var result: [TaskState: Int] = [:]
        for state in states { result[state, default: 0] += 1 }
        return result
    }

    // MARK: Starts and lost workers (see WorkerLiveness)

    /// The worker reported that attempt `attempt` of the task at `position` started. Returns
    /// whether this is news: the attempt is in flight there and was not known to run.
    public mutating func markStarted(position: Int, attempt: Int, worker: Int) -> Bool {
        guard let flight = inFlight[position], flight.attempt == attempt, flight.worker == worker,
              !flight.started else { return false }
        inFlight[position]!.started = true
        return true
    }

    /// Whether the attempt of the task at `position` in flight was reported started.
    public func hasStarted(_ position: Int) -> Bool { inFlight[position]?.started ?? false }

    /// Removes a lost worker (dead, or its host silent): no task goes to it again, and every
    /// task it held returns to the front of the queue. A prefetched task that never started
    /// is ``Decision/returned(position:attempt:)``, as if given back. A started one is
    /// ``Decision/retrying(position:completion:)`` with outcome ``TaskOutcome/workerLost``;
    /// that does not use up a retry, but once a task has lost `crashLimit` workers it fails
    /// (HyperQueue's crash limit), so a task that kills its node cannot take the farm down.
    ///
    /// - Parameters:
    ///   - reason: why the worker is lost, for the completion's message ("rank 2 on tfnode3:
    ///     silent for 10 s").
    ///   - now: the time of the loss, in seconds since the Unix epoch.
    public mutating func loseWorker(_ rank: Int, crashLimit: Int, reason: String,
                                    now: Double) -> [Decision] {
        guard let worker = workers.removeValue(forKey: rank) else { return [] }
        workerOrder.removeAll { $0 == rank }
        account(worker, sign: -1)
        largestSlots = workers.values.map(\.ad.slots).max() ?? 0
        var decisions: [Decision] = []
        var requeued: [Int] = []
        for position in worker.positions {
            guard let flight = inFlight.removeValue(forKey: position) else { continue }
            runningTasks -= 1
            revoking.remove(position)
            guard flight.started else {
                attempts[position] -= 1
                states[position] = .pending
                requeued.append(position)
                decisions.append(.returned(position: position, attempt: flight.attempt))
                continue
            }
            let lost = (lostAttempts[position] ?? 0) + 1
            lostAttempts[position] = lost
            var completion = TaskCompletion(position: position, attempt: flight.attempt, workerRank: rank,
                                            outcome: .workerLost, startTime: now, endTime: now,
                                            message: "its worker was lost: \(reason)")
            if lost >= crashLimit {
                states[position] = .failed
                completion.message = "lost its worker \(lost) time\(lost == 1 ? "" : "s"); the last: \(reason)"
                decisions.append(.finished(position: position, state: .failed, completion: completion))
            } else {
                states[position] = .pending
                requeued.append(position)
                decisions.append(.retrying(position: position, completion: completion))
            }
        }
        retryQueue.insert(contentsOf: requeued, at: retryHead)
        return decisions
    }

    /// How many started attempts of the task at `position` were lost with their worker.
    public func lostWorkerCount(_ position: Int) -> Int { lostAttempts[position] ?? 0 }
}
