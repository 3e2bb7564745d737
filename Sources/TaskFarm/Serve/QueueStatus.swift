import JobSpec

/// The live status of a served farm's queue, kept up to date as the scheduler reports each
/// change of a task, so that `taskfarm status --connect` costs rank 0's MPI thread time in
/// proportion to what it lists, never to the size of the queue or of its journal (a farm
/// that re-read its journal for each poll spent seconds per `status` on 100,000 tasks, and
/// a polling client stalled dispatch). Counts are kept by state; failed and running tasks
/// are listed by position, at most ``listLimit`` of each; `taskfarm status STATE_DIR`
/// reads the journal for the full lists. Used on rank 0's MPI thread only.
final class QueueStatus: RunRecorder {
    /// Failed (and timed out, cancelled, unrunnable) tasks listed at most, and as many
    /// running ones, lowest positions first.
    static let listLimit = 1_000

    private let runID: Int
    private let previousExitStatus: Int?
    private let skippedRecords: Int
    private var states: [TaskState]
    private var counts: [TaskState: Int] = [:]
    /// Positions of the tasks now failed, timed out or cancelled (or unrunnable), ascending.
    private var failedPositions: [Int] = []
    private var lastEnds: [Int: JournalRecord.TaskEnd] = [:]
    private var unrunnable: [Int: String] = [:]
    private var running: [Int: (worker: Int, host: String, time: Double)] = [:]

    /// The status of run `runID`, whose tasks are now in `states` (as the scheduler starts
    /// them), with the ends and reasons `replay` read from the journal.
    init(runID: Int, states: [TaskState], replay: JournalReplay) {
        self.runID = runID
        previousExitStatus = replay.lastExitStatus
        skippedRecords = replay.skipped.count
        self.states = states
        for (position, state) in states.enumerated() {
            counts[state, default: 0] += 1
            guard Self.isFailure(state) else { continue }
            failedPositions.append(position)
            if let end = replay.lastEnds[position] {
                lastEnds[position] = end
            } else {
                unrunnable[position] = replay.unrunnable[position] ?? "no end recorded"
            }
        }
    }

    /// `count` tasks were added to the queue, pending; called before the scheduler learns of them.
    func appended(count: Int) {
        states += repeatElement(.pending, count: count)
        counts[.pending, default: 0] += count
    }

    /// When the running task at `position` started its attempt (seconds since the epoch),
    /// or `nil` when it is not running.
    func startTime(of position: Int) -> Double? { running[position]?.time }

    /// The report as `taskfarm status` shows it, with `workers`.
    func report(workers: [WorkerAd], now: Double = Clock.epochSeconds()) -> StatusReport {
        let listedFailures = failedPositions.prefix(Self.listLimit)
        let runningPositions = running.keys.sorted()
        let listedRunning = runningPositions.prefix(Self.listLimit).map { position in
            let attempt = running[position]!
            return (position: position, worker: attempt.worker, host: attempt.host, seconds: max(0, now - attempt.time))
        }
        var report = StatusReport(
            runID: runID, taskCount: states.count, counts: counts.filter { $0.value > 0 },
            failures: listedFailures.compactMap { lastEnds[$0] },
            unrunnable: listedFailures.compactMap { position in unrunnable[position].map { (position, $0) } },
            running: listedRunning, inProgress: true, lastExitStatus: previousExitStatus, skippedRecords: skippedRecords)
        report.workers = workers
        report.unlisted = (failedPositions.count - listedFailures.count) + (runningPositions.count - listedRunning.count)
        return report
    }

    // MARK: Changes, as the scheduler reports them

    func taskStarted(position: Int, attempt: Int, worker: WorkerAd, time: Double) {
        running[position] = (worker.rank, worker.host, time)
        move(position, to: .running)
    }

    func taskRetrying(position: Int, completion: TaskCompletion) {
        running[position] = nil
        move(position, to: .pending)
    }

    func taskEnded(position: Int, state: TaskState, completion: TaskCompletion, worker: WorkerAd?) {
        running[position] = nil
        if Self.isFailure(state) {
            lastEnds[position] = JournalRecord.TaskEnd(state: state, completion: completion)
            unrunnable[position] = nil
        }
        move(position, to: state)
    }

    func taskUnrunnable(position: Int, reason: String) {
        running[position] = nil
        lastEnds[position] = nil
        unrunnable[position] = reason
        move(position, to: .failed)
    }

    func taskReturned(position: Int, attempt: Int) {
        running[position] = nil
        move(position, to: .pending)
    }

    private func move(_ position: Int, to state: TaskState) {
        guard states.indices.contains(position) else { return }
        let old = states[position]
        guard old != state else { return }
        states[position] = state
        counts[old, default: 0] -= 1
        counts[state, default: 0] += 1
        switch (Self.isFailure(old), Self.isFailure(state)) {
        case (false, true):
            failedPositions.insert(position, at: insertionIndex(of: position))
        case (true, false):
            let index = insertionIndex(of: position)
            if index < failedPositions.count, failedPositions[index] == position { failedPositions.remove(at: index) }
            lastEnds[position] = nil
            unrunnable[position] = nil
        default:
            break
        }
    }

    /// Where `position` belongs in ``failedPositions`` (binary search; positions mostly
    /// arrive in order, so insertions are mostly appends).
    private func insertionIndex(of position: Int) -> Int {
        if failedPositions.last.map({ $0 < position }) ?? true { return failedPositions.count }
        var low = 0
        var high = failedPositions.count
        while low < high {
            let middle = (low + high) / 2
            if failedPositions[middle] < position { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func isFailure(_ state: TaskState) -> Bool {
        state.isUnsuccessfulEnd
    }
}
