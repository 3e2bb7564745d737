#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// Appends records to the journal and makes them durable in batches, so that `fsync`
/// does not cap throughput.
///
/// A batch is written and `fdatasync`ed when it holds ``batchLimit`` completions, at every
/// ``flush()`` (the scheduler flushes its recorders every 0.1 s), and at every start and end
/// of a run. A `kill -9` of everything therefore loses at most the tasks that were running
/// and the completions of the current batch: at most 256 completions or 0.1 s of them.
///
/// The journal holds every command submitted, so it is created readable by its owner only
/// (0600). A write that fails (a full disk) is kept and tried again at the next flush, and
/// ``writeError`` says so at once: the scheduler hands out no more work (see
/// ``RunRecorder/recordingFailure``). A journal whose last line is torn (a crash or a full
/// disk in an earlier run) gets its next record on a fresh line, so that record is read back.
public final class JournalWriter: RunRecorder {
    /// Completions per batch at most.
    public let batchLimit: Int
    private let descriptor: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var pendingCompletions = 0
    /// Whether the file ends inside a torn record, so the next write starts with a newline.
    private var endsTorn: Bool
    /// The first write error, if any: from then on the ends the run records are not durable.
    public private(set) var writeError: String?

    /// Opens (creating) the journal at `path` for appending.
    ///
    /// - Throws: ``JournalError`` naming the file when it cannot be opened.
    public init(path: String, batchLimit: Int = 256) throws {
        self.path = path
        self.batchLimit = batchLimit
        descriptor = Glibc.open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw JournalError(message: "\(path): cannot open the journal: \(Errno(rawValue: errno).description)")
        }
        // A journal made by an earlier version may be world-readable; it holds commands.
        _ = fchmod(descriptor, 0o600)
        endsTorn = Self.endsInsideRecord(descriptor)
    }

    /// Whether the file's last byte is not a newline (an empty file ends cleanly).
    private static func endsInsideRecord(_ descriptor: Int32) -> Bool {
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 0 else { return false }
        var last: UInt8 = 0
        return pread(descriptor, &last, 1, status.st_size - 1) == 1 && last != 0x0A
    }

    deinit {
        flush()
        close(descriptor)
    }

    /// Appends `record` to the current batch; `durableNow` writes and syncs at once.
    public func append(_ record: JournalRecord, durableNow: Bool = false) {
        record.appendLine(to: &buffer)
        if durableNow { flush() }
    }

    /// Appends a `started` record with the worker's start time (epoch seconds); it waits
    /// for the next batch.
    public func taskStarted(position: Int, attempt: Int, worker: WorkerAd, time: Double) {
        append(.started(position: position, attempt: attempt, worker: worker.rank, host: worker.host,
                        time: time, queued: false))
    }

    /// Appends a `workers` record: each worker's rank, host and slots, for reports.
    public func workersKnown(_ workers: [WorkerAd]) {
        append(.workers(workers.map { WorkerSlotsRecord(rank: $0.rank, host: $0.host, slots: $0.slots) }))
    }

    /// Appends an `ended` record with state ``TaskState/pending``; counts toward the batch.
    public func taskRetrying(position: Int, completion: TaskCompletion) {
        appendCompletion(.ended(JournalRecord.TaskEnd(state: .pending, completion: completion)))
    }

    /// Appends an `ended` record with the task's `state`; counts toward the batch.
    public func taskEnded(position: Int, state: TaskState, completion: TaskCompletion, worker: WorkerAd?) {
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

    /// Writes and syncs the current batch. What cannot be written stays buffered for the
    /// next flush (the rest of a record written in part completes it).
    public func flush() {
        guard !buffer.isEmpty else { return }
        if endsTorn {
            buffer.insert(0x0A, at: 0)
            endsTorn = false
        }
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                if writeError == nil {
                    writeError = "\(path): cannot write the journal: \(Errno(rawValue: errno).description)"
                }
                break
            }
            offset += written
        }
        if offset > 0, fdatasync(descriptor) != 0, writeError == nil {
            writeError = "\(path): cannot sync the journal: \(Errno(rawValue: errno).description)"
        }
        buffer.removeFirst(offset)
        pendingCompletions = 0
    }

    /// ``writeError``: once a write failed, ends are no longer durable.
    public var recordingFailure: String? { writeError }
}

/// A journal or state-folder problem, in words for the user.
public struct JournalError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the file.
    public var message: String
    /// Whether the journal is there but cannot be trusted (EX_DATAERR, 65), rather than
    /// missing or unreadable (EX_NOINPUT, 66).
    public var isDamage = false
    /// The exit status a command reading the journal ends with: 65 for damage, else 66.
    public var exitStatus: ExitStatus { isDamage ? .badJobFile : .noInput }
    /// The message, as is.
    public var description: String { message }
}
