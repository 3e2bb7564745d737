import JobSpec

/// The scheduler's decisions, free of MPI, processes and files: which task goes to which
/// worker, what a completion means (success, retry, final failure), when the run is over.
///
/// The caller feeds it workers and completions and carries out the ``Decision``s it
/// returns. Everything it does per task is O(1) amortised, apart from the scan over
/// workers to place a task.
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
    }

    struct WorkerSlots {
        var ad: WorkerAd
        var used = 0
        var held = 0
    }

    struct InFlight {
        var worker: Int
        var slots: Int
        var attempt: Int
    }

    /// Tasks known: the job's, plus any appended at run time (``appendTasks(count:)``).
    public private(set) var taskCount: Int
    public private(set) var policy: SchedulerPolicy
    private let slotsOf: (Int) -> Int
    private let retriesOf: (Int) -> Int?
    private let prerequisitesOf: (Int) -> [Int]
    private let matches: (Int, WorkerAd) -> Bool

    /// One byte per task.
    public private(set) var states: [TaskState]
    /// Attempts made so far, per task (saturating at 255).
    public private(set) var attempts: [UInt8]
    /// Attempts made before this run (a resume), so the retry budget counts this run's only.
    private let earlierAttempts: [UInt8]
    private var workers: [Int: WorkerSlots] = [:]
    private var workerOrder: [Int] = []
    private var inFlight: [Int: InFlight] = [:]
    private var cursor = 0
    private var retryQueue: [Int] = []
    private var retryHead = 0
    private var dispatching = true
    private var runningTasks = 0
    /// Appended tasks waiting for ``release(_:)`` (a queue's `--after`); empty for fixed jobs.
    private var heldTasks = Set<Int>()

    /// - Parameters:
    ///   - taskCount: tasks in the job.
    ///   - policy: retries, prefetch and throttle.
    ///   - initialStates: states carried over from a journal (resume), or `nil` for a new run.
    ///   - slotsOf: the slots the task at a position needs.
    ///   - retriesOf: the task's own retry count, or `nil` to use the policy's.
    ///   - prerequisitesOf: positions that must be final before it starts (barriers).
    ///   - matches: whether a worker satisfies the task's requirements.
    public init(taskCount: Int, policy: SchedulerPolicy, initialStates: [TaskState]? = nil,
                initialAttempts: [UInt8]? = nil,
                slotsOf: @escaping (Int) -> Int = { _ in 1 },
                retriesOf: @escaping (Int) -> Int? = { _ in nil },
                prerequisitesOf: @escaping (Int) -> [Int] = { _ in [] },
                matches: @escaping (Int, WorkerAd) -> Bool = { _, _ in true }) {
        self.taskCount = taskCount
        self.policy = policy
        self.slotsOf = slotsOf
        self.retriesOf = retriesOf
        self.prerequisitesOf = prerequisitesOf
        self.matches = matches
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
        if workers[ad.rank] == nil { workerOrder.append(ad.rank) }
        workers[ad.rank] = WorkerSlots(ad: ad)
    }

    /// The workers known, by rank.
    public var workerAds: [WorkerAd] { workerOrder.compactMap { workers[$0]?.ad } }

    // MARK: Progress

    /// Tasks handed out and not yet ended.
    public var inFlightCount: Int { inFlight.count }

    /// Whether every task has ended (or will not start because dispatch stopped) and
    /// nothing is in flight.
    public mutating func isDone() -> Bool {
        guard inFlight.isEmpty else { return false }
        if !dispatching { return true }
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
        let totalSlots = workers.values.reduce(0) { $0 + $1.ad.slots }
        let maxWorkerSlots = workers.values.map(\.ad.slots).max() ?? 0
        while let position = nextReadyPosition(peekOnly: true) {
            if let limit = policy.maxConcurrent, runningTasks >= limit { break }
            let slots = max(1, slotsOf(position))
            if slots > maxWorkerSlots {
                _ = nextReadyPosition(peekOnly: false)
                states[position] = .failed
                decisions.append(.unrunnable(position: position,
                                             reason: "it asks for \(slots) slots and the largest worker has \(maxWorkerSlots)"))
                continue
            }
            let remaining = remainingReadyEstimate
            let prefetch = remaining > 2 * totalSlots ? policy.prefetchPerSlot : 0
            guard let worker = pickWorker(for: position, slots: slots, prefetchPerSlot: prefetch) else {
                if !workers.values.contains(where: { matches(position, $0.ad) && $0.ad.slots >= slots }) {
                    _ = nextReadyPosition(peekOnly: false)
                    states[position] = .failed
                    decisions.append(.unrunnable(position: position,
                                                 reason: "no worker satisfies its requirements"))
                    continue
                }
                break
            }
            _ = nextReadyPosition(peekOnly: false)
            let attempt = Int(attempts[position]) + 1
            attempts[position] = UInt8(min(attempt, 255))
            states[position] = .running
            workers[worker]!.used += slots
            inFlight[position] = InFlight(worker: worker, slots: slots, attempt: attempt)
            runningTasks += 1
            decisions.append(.assign(position: position, attempt: attempt, worker: worker))
        }
        return decisions
    }

    private var remainingReadyEstimate: Int {
        (taskCount - cursor) + (retryQueue.count - retryHead)
    }

    private func pickWorker(for position: Int, slots: Int, prefetchPerSlot: Int) -> Int? {
        var best: Int?
        var bestFree = Int.min
        for rank in workerOrder {
            let worker = workers[rank]!
            let capacity = worker.ad.slots * (1 + prefetchPerSlot)
            let free = capacity - worker.used
            guard free >= slots, free > bestFree, matches(position, worker.ad) else { continue }
            best = rank
            bestFree = free
        }
        return best
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
        while cursor < taskCount, states[cursor] != .pending || (!heldTasks.isEmpty && heldTasks.contains(cursor)) { cursor += 1 }
        guard cursor < taskCount else { return nil }
        for prerequisite in prerequisitesOf(cursor) where !states[prerequisite].isFinal {
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
        guard let flight = inFlight[position], flight.attempt == completion.attempt else { return [] }
        inFlight[position] = nil
        runningTasks -= 1
        if var worker = workers[flight.worker] {
            worker.used -= flight.slots
            workers[flight.worker] = worker
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
        let allowed = retriesOf(position) ?? policy.retries
        let unless = policy.retryUnlessExit.map { completion.outcome == .exited && completion.exitCode == $0 } ?? false
        let attemptsThisRun = flight.attempt - (position < earlierAttempts.count ? Int(earlierAttempts[position]) : 0)
        if dispatching, !unless, attemptsThisRun <= allowed {
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
}
