import Foundation

/// What a journal says, replayed record by record: each task's state and attempts, the
/// last end of each task, the attempts running when the journal stopped.
public struct JournalReplay: Sendable {
    /// The header, if the journal has one (or it was rebuilt; see ``headerRebuilt``).
    public var header: Header?
    /// Each task's state, by position.
    public var states: [TaskState] = []
    /// Attempts made, by position.
    public var attempts: [AttemptCount] = []
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
    /// When the latest `run-began` record says its run began (Unix seconds), or `nil`.
    public var lastRunBeganTime: Double?
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

    /// Whether the journal's first record was damaged (or is not a header) and the header
    /// was rebuilt from the state folder's fingerprints file and run id.
    public var headerRebuilt = false
    /// Trustworthy records that came before any header and could not be placed, because
    /// the header was damaged and could not be rebuilt. Non-zero means history would be
    /// lost: `run` and `serve` refuse such a folder.
    public var recordsWithoutHeader = 0

    /// The header's fields.
    public typealias Header = (runID: Int, taskCount: Int, fingerprint: String, jobFile: String)

    /// Reads the journal of a state folder; a missing file is an empty journal. When the
    /// first record is damaged, the header is rebuilt from the folder's fingerprints file
    /// (written with every header) and its run id, where they exist.
    ///
    /// - Parameter taskCountLimit: the most tasks a header may claim besides the
    ///   fingerprints file's count (the job's task count, for a run); a header claiming more
    ///   is not trusted.
    /// - Throws: ``JournalError`` when the file exists but cannot be read.
    public init(folder: StateFolder, taskCountLimit: Int = 0) throws {
        let fingerprints = folder.readFingerprints()
        let rebuilt: Header? = fingerprints.map {
            (folder.storedRunID() ?? 0, $0.count, TaskFingerprint.combined($0), "(rebuilt from \(folder.fingerprintsFile))")
        }
        try self.init(path: folder.journalFile, taskCountLimit: max(taskCountLimit, fingerprints?.count ?? 0),
                      rebuiltHeader: rebuilt)
    }

    /// Reads the journal at `path`; a missing file is an empty journal.
    ///
    /// - Throws: ``JournalError`` when the file exists but cannot be read.
    public init(path: String, taskCountLimit: Int = 0, rebuiltHeader: Header? = nil) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            self.init(data: Data())
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JournalError(message: "\(path): cannot read the journal")
        }
        self.init(data: data, taskCountLimit: taskCountLimit, rebuiltHeader: rebuiltHeader)
    }

    /// Replays journal bytes. Every record is input: a record that is torn, fails its
    /// checksum, holds a value out of range, or names a position the header does not have
    /// is skipped and listed in ``skipped`` with its line, never trusted.
    ///
    /// - Parameters:
    ///   - taskCountLimit: the most tasks a header may claim (see ``init(folder:taskCountLimit:)``).
    ///   - rebuiltHeader: the header to use when the first record is not a trustworthy header.
    public init(data: Data, taskCountLimit: Int = 0, rebuiltHeader: Header? = nil) {
        var replay = self
        let skipped = Self.forEachRecord(in: data) { record, _ in
            if let problem = replay.placement(of: record, taskCountLimit: taskCountLimit, rebuiltHeader: rebuiltHeader) {
                return problem
            }
            replay.apply(record)
            return nil
        }
        self = replay
        self.skipped = skipped
    }

    /// Calls `body` with each trustworthy record of journal bytes, in order; returns the
    /// records skipped as torn or corrupt, with their 1-based line numbers.
    public static func forEachRecord(in data: Data, _ body: (JournalRecord) -> Void) -> [(line: Int, reason: String)] {
        forEachRecord(in: data) { record, _ in
            body(record)
            return nil
        }
    }

    /// ``forEachRecord(in:_:)`` with each record's line; `body` returns why the record must
    /// be skipped after all (a value out of place), or `nil`.
    static func forEachRecord(in data: Data, _ body: (JournalRecord, Int) -> String?) -> [(line: Int, reason: String)] {
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
            // An empty line is what a writer leaves when it starts afresh after a torn tail.
            if text.isEmpty { continue }
            do {
                if let problem = body(try JournalRecord(line: Substring(text)), lineNumber) {
                    skipped.append((lineNumber, problem))
                }
            } catch {
                skipped.append((lineNumber, error.reason))
            }
        }
        return skipped
    }

    /// Why `record` cannot be applied where it stands, or `nil`; installs the rebuilt header
    /// before the first record that needs one.
    private mutating func placement(of record: JournalRecord, taskCountLimit: Int, rebuiltHeader: Header?) -> String? {
        if case .header(_, _, let taskCount, _, _) = record {
            // A queue's header claims none; its tasks arrive as `submitted` records.
            guard taskCount <= taskCountLimit else {
                return "a header for \(taskCount) tasks, more than the state folder knows (\(taskCountLimit))"
            }
            return nil
        }
        if header == nil {
            guard let rebuiltHeader else {
                recordsWithoutHeader += 1
                return "no trustworthy header before this record"
            }
            header = rebuiltHeader
            headerRebuilt = true
            grow(to: rebuiltHeader.taskCount)
        }
        switch record {
        case .started(let position, _, _, _, _, _), .unrunnable(let position, _):
            return position < states.count ? nil : "position \(position) is beyond the \(states.count) tasks known"
        case .ended(let end):
            return end.position < states.count ? nil : "position \(end.position) is beyond the \(states.count) tasks known"
        case .submitted(let position, _):
            // A queue grows one task at a time, in order.
            return position == states.count ? nil : "submitted position \(position), expected \(states.count)"
        case .header, .runBegan, .runEnded, .workers:
            return nil
        }
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
        case .runBegan(let time, _, let context):
            lastContext = context
            lastRunBeganTime = time
            runs += 1
            lastRunEnded = false
            for position in running.keys where position < states.count { states[position] = .interrupted }
            running.removeAll()
        case .started(let position, let attempt, let worker, let host, let time, let queued):
            states[position] = .running
            // A prefetched attempt counts once its end is recorded: a crash may come before
            // it ever started, and then a resume's first real attempt is still attempt 1.
            if !queued { attempts[position] = AttemptCount(clamping: max(Int(attempts[position]), attempt)) }
            running[position] = (worker, host, time)
        case .ended(let end) where end.outcome == .revoked:
            // Given back before it started: the attempt did not happen.
            states[end.position] = .pending
            attempts[end.position] = AttemptCount(clamping: end.attempt - 1)
            running[end.position] = nil
        case .ended(let end):
            states[end.position] = end.state
            attempts[end.position] = AttemptCount(clamping: max(Int(attempts[end.position]), end.attempt))
            lastEnds[end.position] = end
            running[end.position] = nil
        case .unrunnable(let position, let reason):
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
