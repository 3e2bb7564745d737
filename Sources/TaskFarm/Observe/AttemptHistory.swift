import Foundation

/// Every attempt a state folder's journal records, with where and when it ran and how it
/// ended: the material of `taskfarm status --task`, `taskfarm report` and its trace. Readable
/// while a run writes the journal (the attempts still open are running) and after it.
public struct AttemptHistory: Sendable {
    /// One attempt of one task.
    public struct Attempt: Sendable {
        /// The task's position in the job.
        public var position: Int
        /// The attempt number, from 1.
        public var attempt: Int
        /// The worker's rank; -1 when the task never reached a worker (cancelled while queued).
        public var worker: Int
        /// The worker's host.
        public var host: String
        /// When the attempt started, in seconds since the epoch: the worker's own start once
        /// it ended, the hand-out time while it runs.
        public var start: Double
        /// When it ended, or `nil` while it runs (or when its run stopped without recording it).
        public var end: Double?
        /// The task's state after the attempt (`pending` when retried), or `nil` while it runs.
        public var state: TaskState?
        /// How it ended, or `nil` while it runs.
        public var outcome: TaskOutcome?
        /// The exit status, when it exited.
        public var exitCode: Int?
        /// The signal that ended it, if one did.
        public var signal: Int?
        /// User plus system CPU time, in seconds.
        public var cpuSeconds: Double = 0
        /// Peak resident memory, in KiB.
        public var maxResidentKiB: Int = 0
        /// Why it failed to start or was stopped.
        public var message: String?
        /// Which run of the state folder (1 for the first) made it.
        public var run: Int

        /// Whether this is no attempt at all: the end of a task cancelled before it was ever
        /// handed out (a client's cancel, a failed `--after` parent), which the journal
        /// records as attempt 0 with no worker.
        public var neverRan: Bool { attempt == 0 }

        /// Whether it still runs: started in the run in progress, with no end recorded.
        public var isOpen: Bool { end == nil }

        /// How it ended, in words: `exit 3`, `signal 9`, `timed out`, `running`.
        public var endDescription: String {
            guard let outcome else { return "running" }
            switch outcome {
            case .timedOut: return "timed out"
            case .memoryExceeded: return "memory exceeded"
            case .cancelled: return "cancelled"
            case .interrupted: return "interrupted"
            case .failedToStart: return "could not start" + (exitCode.map { " (exit \($0))" } ?? "")
            case .revoked: return "given back"
            case .workerLost: return "worker lost"
            case .signaled: return "signal \(signal ?? 0)"
            case .exited: return "exit \(exitCode ?? 0)"
            }
        }

        /// A one-word class for colours and counts: `succeeded`, `failed`, `timedout`,
        /// `cancelled`, `interrupted`, `running`.
        public var kind: String {
            guard let outcome else { return "running" }
            switch outcome {
            case .exited where exitCode == 0: return "succeeded"
            case .timedOut: return "timedout"
            case .cancelled: return "cancelled"
            case .interrupted, .revoked, .workerLost: return "interrupted"
            default: return "failed"
            }
        }
    }

    /// The journal's header: run id, tasks, job file as named.
    public var header: (runID: Int, taskCount: Int, jobFile: String)?
    /// Attempts in the order they started.
    public var attempts: [Attempt] = []
    /// Tasks that could never run, and why, by position.
    public var unrunnable: [Int: String] = [:]
    /// The latest run's context, if recorded.
    public var context: RunContext?
    /// The latest worker pool recorded.
    public var workers: [WorkerSlotsRecord] = []
    /// Each run's start and end (epoch seconds; `nil` while it runs or when it was killed).
    public var runs: [(began: Double, ended: Double?)] = []
    /// The exit status of the latest run that recorded its end, or `nil` when none did.
    public var lastExitStatus: Int?
    /// Whether the last run has recorded no end.
    public var inProgress: Bool { runs.last.map { $0.ended == nil } ?? false }
    /// Each served task's ``TaskSpec`` JSON by position (a `taskfarm serve` queue).
    public var submitted: [Int: String] = [:]
    /// Journal lines skipped as torn or corrupt.
    public var skippedRecords = 0

    /// Reads the journal of the state folder at `folder`; `only` keeps one position's attempts.
    ///
    /// - Throws: ``JournalError`` when the folder has no journal or it cannot be read, or
    ///   it remembers no run while `verdict.json` counts ended tasks (``JournalError/isDamage``).
    public init(stateFolder folder: String, only: Int? = nil) throws {
        let path = folder + "/journal"
        guard let data = FileManager.default.contents(atPath: path) else { throw JournalDamage.missingJournal(in: folder) }
        self.init(data: data, only: only)
        if let lost = JournalDamage.lostHistory(remembersARun: header != nil || !runs.isEmpty,
                                                folder: StateFolder(reading: folder)) {
            throw JournalError(message: lost, isDamage: true)
        }
    }

    /// Replays journal bytes; `only` keeps one position's attempts.
    public init(data: Data, only: Int? = nil) {
        var history = AttemptHistory()
        var open: [Int: Int] = [:]  // position → index in attempts
        var hosts: [Int: String] = [:]
        var removed = Set<Int>()
        func closeOpen() {
            open.removeAll()  // killed runs' attempts keep no end
        }
        let skipped = JournalReplay.forEachRecord(in: data) { record in
            switch record {
            case .header(_, let runID, let taskCount, _, let jobFile):
                history.header = (runID, taskCount, jobFile)
            case .runBegan(let time, _, let context):
                if let last = history.runs.last, last.ended == nil { closeOpen() }
                history.runs.append((time, nil))
                if let context = RunContext(json: context) { history.context = context }
            case .workers(let pool):
                history.workers = pool
                for worker in pool { hosts[worker.rank] = worker.host }
            case .started(let position, let attempt, let worker, let host, let time, _):
                hosts[worker] = host
                guard only == nil || only == position else { return }
                open[position] = history.attempts.count
                history.attempts.append(Attempt(position: position, attempt: attempt, worker: worker, host: host,
                                                start: time, run: history.runs.count))
            case .ended(let end):
                guard only == nil || only == end.position else { return }
                if end.outcome == .revoked {
                    if let index = open.removeValue(forKey: end.position) { removed.insert(index) }
                    return
                }
                var attempt: Attempt
                let index: Int?
                if let found = open[end.position], history.attempts[found].attempt == end.attempt {
                    attempt = history.attempts[found]
                    index = found
                    open[end.position] = nil
                } else {
                    attempt = Attempt(position: end.position, attempt: end.attempt, worker: end.worker,
                                      host: hosts[end.worker] ?? (end.worker < 0 ? "" : "rank \(end.worker)"),
                                      start: end.startTime, run: history.runs.count)
                    index = nil
                }
                attempt.start = end.startTime
                attempt.end = end.endTime
                attempt.state = end.state
                attempt.outcome = end.outcome
                attempt.exitCode = end.exitCode
                attempt.signal = end.signal
                attempt.cpuSeconds = end.userSeconds + end.systemSeconds
                attempt.maxResidentKiB = end.maxResidentKiB
                attempt.message = end.message
                if let index { history.attempts[index] = attempt } else { history.attempts.append(attempt) }
            case .unrunnable(let position, let reason):
                if only == nil || only == position { history.unrunnable[position] = reason }
            case .runEnded(let time, let status):
                if !history.runs.isEmpty { history.runs[history.runs.count - 1].ended = time }
                history.lastExitStatus = status
                closeOpen()
            case .submitted(let position, let task):
                if only == nil || only == position { history.submitted[position] = task }
            }
        }
        if !removed.isEmpty {
            history.attempts = history.attempts.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        }
        history.skippedRecords = skipped.count
        self = history
    }

    private init() {}

    /// Attempts that ran on a worker, ended or still running, with `now` (epoch seconds)
    /// as the end of running ones; attempts of killed runs that recorded no end are left out.
    public func ranAttempts(now: Double) -> [Attempt] {
        let current = runs.count
        return attempts.compactMap { attempt in
            guard attempt.worker >= 0 else { return nil }
            if attempt.end != nil { return attempt }
            guard inProgress, attempt.run == current else { return nil }
            var running = attempt
            running.end = max(now, attempt.start)
            return running
        }
    }
}
