import Glibc

/// Appends records to the journal and makes them durable in batches, so that `fsync`
/// does not cap throughput.
///
/// A batch is written and `fdatasync`ed when it holds ``batchLimit`` completions or when
/// ``batchInterval`` seconds have passed since its first record, whichever comes first, and
/// at every start and end of a run. A `kill -9` of everything therefore loses at most the
/// tasks that were running and the completions of the current batch: at most 256 completions
/// or 0.1 s of them, with the defaults.
public final class JournalWriter: RunRecorder {
    /// Completions per batch at most.
    public let batchLimit: Int
    /// Seconds a record may wait before its batch is made durable.
    public let batchInterval: Double
    private let descriptor: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var pendingCompletions = 0
    private var firstPendingAt: Double?
    private var hosts: [Int: String] = [:]
    /// The first write error, if any; the run reports it at the end.
    public private(set) var writeError: String?

    /// Opens (creating) the journal at `path` for appending.
    ///
    /// - Throws: ``JournalError`` naming the file when it cannot be opened.
    public init(path: String, batchLimit: Int = 256, batchInterval: Double = 0.1) throws {
        self.path = path
        self.batchLimit = batchLimit
        self.batchInterval = batchInterval
        descriptor = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw JournalError(message: "\(path): cannot open the journal: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        flush()
        close(descriptor)
    }

    /// Appends `record` to the current batch; `durableNow` writes and syncs at once.
    public func append(_ record: JournalRecord, durableNow: Bool = false) {
        buffer.append(contentsOf: record.line.utf8)
        if firstPendingAt == nil { firstPendingAt = Clock.monotonicSeconds() }
        if durableNow { flush() }
    }

    /// Appends a `started` record with the worker's start time (epoch seconds); it waits
    /// for the next batch.
    public func taskStarted(position: Int, attempt: Int, worker: WorkerAd, time: Double) {
        append(.started(position: position, attempt: attempt, worker: worker.rank, host: worker.host,
                        time: time))
        hosts[worker.rank] = worker.host
    }

    /// Appends an `ended` record with state ``TaskState/pending``; counts toward the batch.
    public func taskRetrying(position: Int, completion: TaskCompletion) {
        appendCompletion(.ended(JournalRecord.TaskEnd(state: .pending, completion: completion)))
    }

    /// Appends an `ended` record with the task's `state`; counts toward the batch.
    public func taskEnded(position: Int, state: TaskState, completion: TaskCompletion) {
        appendCompletion(.ended(JournalRecord.TaskEnd(state: state, completion: completion)))
    }

    /// Appends an `unrunnable` record; counts toward the batch.
    public func taskUnrunnable(position: Int, reason: String) {
        appendCompletion(.unrunnable(position: position, reason: reason))
    }

    /// Records that the attempt was given back unstarted, so a replay does not count it.
    public func taskReturned(position: Int, attempt: Int) {
        let now = Clock.epochSeconds()
        let completion = TaskCompletion(position: position, attempt: attempt, workerRank: -1, outcome: .revoked,
                                        startTime: now, endTime: now, message: "given back before it started")
        append(.ended(JournalRecord.TaskEnd(state: .pending, completion: completion)))
    }

    private func appendCompletion(_ record: JournalRecord) {
        append(record)
        pendingCompletions += 1
        if pendingCompletions >= batchLimit { flush() }
    }

    /// Writes the batch if its time is up; called from the scheduler's loop.
    public func flushIfDue() {
        if let first = firstPendingAt, Clock.monotonicSeconds() - first >= batchInterval { flush() }
    }

    /// Writes and syncs the current batch.
    public func flush() {
        guard !buffer.isEmpty else { return }
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                if writeError == nil {
                    writeError = "\(path): cannot write the journal: \(String(cString: strerror(errno)))"
                }
                break
            }
            offset += written
        }
        if fdatasync(descriptor) != 0, writeError == nil {
            writeError = "\(path): cannot sync the journal: \(String(cString: strerror(errno)))"
        }
        buffer.removeAll(keepingCapacity: true)
        pendingCompletions = 0
        firstPendingAt = nil
    }
}

/// A journal or state-folder problem, in words for the user.
public struct JournalError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the file.
    public var message: String
    /// The message, as is.
    public var description: String { message }
}
