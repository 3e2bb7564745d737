import Foundation

/// What a journal says, replayed record by record: each task's state and attempts, the
/// last end of each task, the attempts running when the journal stopped.
public struct JournalReplay: Sendable {
    /// The header, if the journal has one.
    public var header: (runID: Int, taskCount: Int, fingerprint: String, jobFile: String)?
    /// Each task's state, by position.
    public var states: [TaskState] = []
    /// Attempts made, by position.
    public var attempts: [UInt8] = []
    /// The last end recorded for each task that ended.
    public var lastEnds: [Int: JournalRecord.TaskEnd] = [:]
    /// Why tasks could not run.
    public var unrunnable: [Int: String] = [:]
    /// Attempts started and not ended: position → (worker, host, start time).
    public var running: [Int: (worker: Int, host: String, time: Double)] = [:]
    /// Records that were skipped as torn or corrupt, with their line numbers.
    public var skipped: [(line: Int, reason: String)] = []
    /// Runs recorded, and whether the last one ended.
    public var runs = 0
    /// Whether the last run recorded its `run-ended` (true for an empty journal).
    public var lastRunEnded = true
    /// The exit status of the latest `run-ended` record, or `nil` when there is none; a later
    /// `run-began` does not clear it.
    public var lastExitStatus: Int?
    /// The latest run's ``RunContext`` as JSON, or `nil` when its `run-began` has none.
    public var lastContext: String?
    /// The latest worker pool recorded: rank, host and slots of each worker.
    public var workerPool: [WorkerSlotsRecord] = []
    /// Tasks submitted to a served queue, in journal order: position and ``TaskSpec`` JSON.
    public var submitted: [(position: Int, task: String)] = []

    /// Reads the journal at `path`; a missing file is an empty journal.
    ///
    /// - Throws: ``JournalError`` when the file exists but cannot be read.
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            try self.init(data: Data())
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JournalError(message: "\(path): cannot read the journal")
        }
        try self.init(data: data)
    }

    /// Replays journal bytes.
    public init(data: Data) throws {
        var replay = self
        let skipped = JournalReplay.forEachRecord(in: data) { replay.apply($0) }
        self = replay
        self.skipped = skipped
    }

    /// Calls `body` with each trustworthy record of journal bytes, in order; returns the
    /// records skipped as torn or corrupt, with their 1-based line numbers.
    public static func forEachRecord(in data: Data, _ body: (JournalRecord) -> Void) -> [(line: Int, reason: String)] {
        var skipped: [(line: Int, reason: String)] = []
        var lineNumber = 0
        var start = data.startIndex
        while start < data.endIndex {
            lineNumber += 1
            guard let newline = data[start...].firstIndex(of: 0x0A) else {
                skipped.append((lineNumber, "the last record has no newline (a torn write)"))
                break
            }
            let text = String(decoding: data[start..<newline], as: UTF8.self)
            start = newline + 1
            do {
                body(try JournalRecord(line: Substring(text)))
            } catch {
                skipped.append((lineNumber, error.reason))
            }
        }
        return skipped
    }

    private mutating func grow(to count: Int) {
        if states.count < count {
            states += Array(repeating: .pending, count: count - states.count)
            attempts += Array(repeating: 0, count: count - attempts.count)
        }
    }

    private mutating func apply(_ record: JournalRecord) {
        switch record {
        case .header(_, let runID, let taskCount, let fingerprint, let jobFile):
            header = (runID, taskCount, fingerprint, jobFile)
            grow(to: taskCount)
        case .runBegan(_, _, let context):
            lastContext = context
            runs += 1
            lastRunEnded = false
            for position in running.keys where position < states.count { states[position] = .interrupted }
            running.removeAll()
        case .started(let position, let attempt, let worker, let host, let time):
            grow(to: position + 1)
            states[position] = .running
            attempts[position] = UInt8(clamping: max(Int(attempts[position]), attempt))
            running[position] = (worker, host, time)
        case .ended(let end) where end.outcome == .revoked:
            // Given back before it started: the attempt did not happen.
            grow(to: end.position + 1)
            states[end.position] = .pending
            attempts[end.position] = UInt8(clamping: end.attempt - 1)
            running[end.position] = nil
        case .ended(let end):
            grow(to: end.position + 1)
            states[end.position] = end.state
            attempts[end.position] = UInt8(clamping: max(Int(attempts[end.position]), end.attempt))
            lastEnds[end.position] = end
            running[end.position] = nil
        case .unrunnable(let position, let reason):
            grow(to: position + 1)
            states[position] = .failed
            unrunnable[position] = reason
        case .workers(let pool):
            workerPool = pool
        case .submitted(let position, let task):
            grow(to: position + 1)
            submitted.append((position, task))
        case .runEnded(_, let status):
            lastRunEnded = true
            lastExitStatus = status
            for position in running.keys where position < states.count { states[position] = .interrupted }
            running.removeAll()
        }
    }

    /// Counts of tasks by state.
    public var counts: [TaskState: Int] {
        var result: [TaskState: Int] = [:]
        for state in states { result[state, default: 0] += 1 }
        return result
    }
}
