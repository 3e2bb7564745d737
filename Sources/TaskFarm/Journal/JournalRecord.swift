/// One line of the journal: a task's change of state, or the start or end of a run.
///
/// On disk each record is one line: the CRC-32 of the rest of the line as 8 hex digits,
/// a tab, the record's kind, and its fields, tab-separated. Text fields escape `\`, tab,
/// CR and newline as `\\`, `\t`, `\r` and `\n`. A line whose checksum does not match, or
/// that has no final newline, is a torn write: it is skipped with a warning, never trusted.
public enum JournalRecord: Sendable, Equatable {
    /// The first record of a state folder's journal: what the job expanded to.
    case header(version: Int, runID: Int, taskCount: Int, fingerprint: String, jobFile: String)
    /// A run (the first, or a resume) began; `context` is its ``RunContext`` as JSON (how to
    /// reload its tasks and name their output files), `nil` in journals written before it.
    case runBegan(time: Double, resume: Bool, context: String?)
    /// The run's worker pool became known: each worker's rank, host and slots.
    case workers([WorkerSlotsRecord])
    /// An attempt started on a worker, at the time the worker reported. `queued` marks a
    /// record of an earlier version, written when a prefetched attempt was handed out: it
    /// may never have started, so only its end counts it as an attempt. This version writes
    /// no such record (an optional last field, which older readers ignore).
    case started(position: Int, attempt: Int, worker: Int, host: String, time: Double, queued: Bool)
    /// An attempt ended; `state` is the task's state after it (`pending` when it will be retried).
    case ended(TaskEnd)
    /// A task can never run here.
    case unrunnable(position: Int, reason: String)
    /// A run ended with this exit status.
    case runEnded(time: Double, status: Int)
    /// A task was submitted to a served queue (`taskfarm serve`) at `position`; `task` is
    /// its ``TaskSpec`` as JSON, so a restarted farm knows its queue.
    case submitted(position: Int, task: String)

    /// An attempt's end: the worker's ``TaskCompletion`` as it came, with the task's state
    /// after it. Its fields read through to the completion (`end.exitCode`); `worker` is
    /// the completion's `workerRank`.
    @dynamicMemberLookup
    public struct TaskEnd: Sendable, Equatable {
        /// The task's state after this attempt: ``TaskState/pending`` when it will be retried.
        public var state: TaskState
        /// How the attempt ended, as the worker reported it.
        public var completion: TaskCompletion

        /// A field of the completion.
        public subscript<Value>(dynamicMember field: KeyPath<TaskCompletion, Value>) -> Value {
            completion[keyPath: field]
        }

        /// The rank of the worker that ran it.
        public var worker: Int { completion.workerRank }
    }

    /// The attempt numbers a record may carry (see ``AttemptCount``).
    static let attempts = 1...Int(AttemptCount.max)

    /// The record as one journal line, checksum and newline included.
    public var line: String {
        var bytes: [UInt8] = []
        appendLine(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``line``'s bytes to `output`, without making the line a `String` first
    /// (``JournalWriter`` appends two records per task).
    func appendLine(to output: inout [UInt8]) {
        var fields: JournalLineEncoder
        switch self {
        case .header(let version, let runID, let taskCount, let fingerprint, let jobFile):
            fields = JournalLineEncoder(kind: "header")
            fields.append(version)
            fields.append(runID)
            fields.append(taskCount)
            fields.append(verbatim: fingerprint)
            fields.append(text: jobFile)
        case .runBegan(let time, let resume, let context):
            fields = JournalLineEncoder(kind: "run-began")
            fields.append(time)
            fields.append(word: resume ? "resume" : "new")
            if let context { fields.append(text: context) }
        case .workers(let workers):
            fields = JournalLineEncoder(kind: "workers")
            for worker in workers {
                fields.append(worker.rank)
                fields.append(text: worker.host)
                fields.append(worker.slots)
            }
        case .started(let position, let attempt, let worker, let host, let time, let queued):
            fields = JournalLineEncoder(kind: "started")
            fields.append(position)
            fields.append(attempt)
            fields.append(worker)
            fields.append(text: host)
            fields.append(time)
            if queued { fields.append(word: "queued") }
        case .ended(let end):
            fields = JournalLineEncoder(kind: "ended")
            end.append(to: &fields)
        case .unrunnable(let position, let reason):
            fields = JournalLineEncoder(kind: "unrunnable")
            fields.append(position)
            fields.append(text: reason)
        case .runEnded(let time, let status):
            fields = JournalLineEncoder(kind: "run-ended")
            fields.append(time)
            fields.append(status)
        case .submitted(let position, let task):
            fields = JournalLineEncoder(kind: "submitted")
            fields.append(position)
            fields.append(text: task)
        }
        fields.appendLine(to: &output)
    }

    /// Parses one line (without its newline). Every number is range-checked on its own
    /// (positions 0 or more, attempts from 1, states and outcomes that exist, exit statuses
    /// 0...255, finite times); ``JournalReplay`` checks positions against the header.
    ///
    /// - Throws: ``JournalFormatError`` for a checksum mismatch, malformed fields or a value
    ///   out of range.
    public init(line: Substring) throws(JournalFormatError) {
        guard let tab = line.firstIndex(of: "\t") else { throw JournalFormatError(reason: "no checksum") }
        let text = line[line.index(after: tab)...]
        guard let expected = UInt32(line[..<tab], radix: 16), expected == CRC32.checksum(text.utf8) else {
            throw JournalFormatError(reason: "checksum mismatch")
        }
        let fields = text.split(separator: "\t", omittingEmptySubsequences: false)
        let rest = fields.dropFirst()
        func field(_ index: Int) throws(JournalFormatError) -> Substring {
            guard index < fields.count else { throw JournalFormatError(reason: "missing field \(index)") }
            return fields[index]
        }
        switch fields[0] {
        case "header":
            self = .header(version: try int(try field(1), "version", in: 1...1), runID: try int(try field(2), "run id", in: 0...Int.max),
                           taskCount: try int(try field(3), "task count", in: 0...Int.max),
                           fingerprint: String(try field(4)), jobFile: unescape(try field(5)))
        case "run-began":
            self = .runBegan(time: try double(try field(1), "time"), resume: try field(2) == "resume",
                             context: fields.count > 3 ? unescape(fields[3]) : nil)
        case "workers":
            guard rest.count % 3 == 0 else { throw JournalFormatError(reason: "a workers record has \(rest.count) fields, not 3 per worker") }
            let values = Array(rest)
            self = .workers(try stride(from: 0, to: values.count, by: 3).map { offset throws(JournalFormatError) in
                WorkerSlotsRecord(rank: try int(values[offset], "worker rank", in: 0...Int.max),
                                  host: unescape(values[offset + 1]),
                                  slots: try int(values[offset + 2], "slots", in: 0...Int.max))
            })
        case "started":
            self = .started(position: try int(try field(1), "position", in: 0...Int.max),
                            attempt: try int(try field(2), "attempt", in: Self.attempts),
                            worker: try int(try field(3), "worker", in: 0...Int.max),
                            host: unescape(try field(4)), time: try double(try field(5), "time"),
                            queued: fields.count > 6 && fields[6] == "queued")
        case "ended":
            self = .ended(try TaskEnd(fields: rest))
        case "unrunnable":
            self = .unrunnable(position: try int(try field(1), "position", in: 0...Int.max), reason: unescape(try field(2)))
        case "run-ended":
            self = .runEnded(time: try double(try field(1), "time"), status: try int(try field(2), "exit status", in: 0...255))
        case "submitted":
            self = .submitted(position: try int(try field(1), "position", in: 0...Int.max), task: unescape(try field(2)))
        default:
            throw JournalFormatError(reason: "unknown record kind '\(fields[0])'")
        }
    }
}

/// An end record's fields, as the journal line holds them.
extension JournalRecord.TaskEnd {
    /// Parses the fields after `ended`, each range-checked: a record is input, and a
    /// checksum only proves that nobody changed it by accident.
    init(fields: ArraySlice<Substring>) throws(JournalFormatError) {
        let values = Array(fields)
        guard values.count == 13 else { throw JournalFormatError(reason: "an end record has \(values.count) fields, not 13") }
        let stateNumber = try int(values[2], "state", in: 0...255)
        // `running` is never the state after an end.
        guard let state = TaskState(rawValue: UInt8(stateNumber)), state != .running else {
            throw JournalFormatError(reason: "state \(stateNumber) is not a state a task has after an end")
        }
        guard let outcome = TaskOutcome(rawValue: try int(values[3], "outcome", in: 0...255)) else {
            throw JournalFormatError(reason: "outcome \(values[3]) is not an outcome")
        }
        self.state = state
        completion = TaskCompletion(
            position: try int(values[0], "position", in: 0...Int.max),
            // 0 for a task cancelled before its first attempt.
            attempt: try int(values[1], "attempt", in: 0...JournalRecord.attempts.upperBound),
            workerRank: try int(values[6], "worker", in: -1...Int.max), outcome: outcome,
            exitCode: values[4].isEmpty ? nil : try int(values[4], "exit status", in: 0...255),
            signal: values[5].isEmpty ? nil : try int(values[5], "signal", in: 1...255),
            startTime: try double(values[7], "start time"), endTime: try double(values[8], "end time"),
            userSeconds: try double(values[9], "user time"), systemSeconds: try double(values[10], "system time"),
            maxResidentKiB: try int(values[11], "peak memory", in: 0...Int.max),
            message: values[12].isEmpty ? nil : unescape(values[12]))
    }

    /// Appends the fields after `ended`: position, attempt, state, outcome, exit status and
    /// signal (empty when absent), worker, start and end time, user and system seconds, peak
    /// memory in KiB, and the message (empty when absent).
    func append(to fields: inout JournalLineEncoder) {
        let end = completion
        fields.append(end.position)
        fields.append(end.attempt)
        fields.append(Int(state.rawValue))
        fields.append(Int(end.outcome.rawValue))
        fields.append(end.exitCode)
        fields.append(end.signal)
        fields.append(end.workerRank)
        fields.append(end.startTime)
        fields.append(end.endTime)
        fields.append(end.userSeconds)
        fields.append(end.systemSeconds)
        fields.append(end.maxResidentKiB)
        fields.append(text: end.message ?? "")
    }
}

/// One worker of a ``JournalRecord/workers(_:)`` record.
public struct WorkerSlotsRecord: Sendable, Equatable {
    /// The worker's rank.
    public var rank: Int
    /// The host it runs on.
    public var host: String
    /// Task slots it offers.
    public var slots: Int

    /// A worker; every argument is the property of the same name.
    public init(rank: Int, host: String, slots: Int) {
        self.rank = rank
        self.host = host
        self.slots = slots
    }
}

/// A journal line that cannot be trusted.
public struct JournalFormatError: Error, Sendable, CustomStringConvertible {
    /// What is wrong with the line (checksum mismatch, missing field, unknown kind, bad number).
    public var reason: String
    /// The reason, as is.
    public var description: String { reason }
}

private func int(_ text: Substring, _ what: String, in range: ClosedRange<Int>) throws(JournalFormatError) -> Int {
    guard let value = Int(text) else { throw JournalFormatError(reason: "\(what) '\(text)' is not an integer") }
    guard range.contains(value) else {
        throw JournalFormatError(reason: "\(what) \(value) is out of range (\(range.lowerBound)...\(range.upperBound))")
    }
    return value
}

private func double(_ text: Substring, _ what: String) throws(JournalFormatError) -> Double {
    guard let value = Double(text), value.isFinite else { throw JournalFormatError(reason: "\(what) '\(text)' is not a finite number") }
    return value
}

func unescape(_ text: Substring) -> String {
    guard text.unicodeScalars.contains("\\") else { return String(text) }
    var result = String.UnicodeScalarView()
    var escaped = false
    for scalar in text.unicodeScalars {
        if escaped {
            switch scalar {
            case "t": result.append("\t")
            case "n": result.append("\n")
            case "r": result.append("\r")
            default: result.append(scalar)
            }
            escaped = false
        } else if scalar == "\\" {
            escaped = true
        } else {
            result.append(scalar)
        }
    }
    return String(result)
}
