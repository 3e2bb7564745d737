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
    /// An attempt was handed to a worker.
    case started(position: Int, attempt: Int, worker: Int, host: String, time: Double)
    /// An attempt ended; `state` is the task's state after it (`pending` when it will be retried).
    case ended(TaskEnd)
    /// A task can never run here.
    case unrunnable(position: Int, reason: String)
    /// A run ended with this exit status.
    case runEnded(time: Double, status: Int)
    /// A task was submitted to a served queue (`taskfarm serve`) at `position`; `task` is
    /// its ``TaskSpec`` as JSON, so a restarted farm knows its queue.
    case submitted(position: Int, task: String)

    /// The fields of an attempt's end.
    public struct TaskEnd: Sendable, Equatable {
        /// The task's 0-based position in the job.
        public var position: Int
        /// The attempt number, from 1.
        public var attempt: Int
        /// The task's state after this attempt: ``TaskState/pending`` when it will be retried.
        public var state: TaskState
        /// How the attempt ended.
        public var outcome: TaskOutcome
        /// The exit status (0...255) when the process exited, else `nil`.
        public var exitCode: Int?
        /// The signal number when a signal ended it, else `nil`.
        public var signal: Int?
        /// The rank of the worker that ran it.
        public var worker: Int
        /// Start, in seconds since the Unix epoch.
        public var startTime: Double
        /// End, in seconds since the Unix epoch.
        public var endTime: Double
        /// User CPU time of the task and its waited-for children, in seconds.
        public var userSeconds: Double
        /// System CPU time of the task and its waited-for children, in seconds.
        public var systemSeconds: Double
        /// Peak resident memory, in KiB (`ru_maxrss`).
        public var maxResidentKiB: Int
        /// Why it failed to start or was stopped, for people; `nil` otherwise.
        public var message: String?

        /// The end of `completion`'s attempt, with the task's `state` after it.
        public init(state: TaskState, completion: TaskCompletion) {
            position = completion.position
            attempt = completion.attempt
            self.state = state
            outcome = completion.outcome
            exitCode = completion.exitCode
            signal = completion.signal
            worker = completion.workerRank
            startTime = completion.startTime
            endTime = completion.endTime
            userSeconds = completion.userSeconds
            systemSeconds = completion.systemSeconds
            maxResidentKiB = completion.maxResidentKiB
            message = completion.message
        }

        init(fields: ArraySlice<Substring>) throws(JournalFormatError) {
            let values = Array(fields)
            guard values.count == 13 else { throw JournalFormatError(reason: "an end record has \(values.count) fields, not 13") }
            position = try int(values[0])
            attempt = try int(values[1])
            guard let state = TaskState(rawValue: UInt8(try int(values[2]))),
                  let outcome = TaskOutcome(rawValue: try int(values[3])) else {
                throw JournalFormatError(reason: "unknown state or outcome")
            }
            self.state = state
            self.outcome = outcome
            exitCode = values[4].isEmpty ? nil : try int(values[4])
            signal = values[5].isEmpty ? nil : try int(values[5])
            worker = try int(values[6])
            startTime = try double(values[7])
            endTime = try double(values[8])
            userSeconds = try double(values[9])
            systemSeconds = try double(values[10])
            maxResidentKiB = try int(values[11])
            message = values[12].isEmpty ? nil : unescape(values[12])
        }

        var fields: [String] {
            [String(position), String(attempt), String(state.rawValue), String(outcome.rawValue),
             exitCode.map(String.init) ?? "", signal.map(String.init) ?? "", String(worker),
             String(startTime), String(endTime), String(userSeconds), String(systemSeconds),
             String(maxResidentKiB), escape(message ?? "")]
        }
    }

    /// The record as one journal line, checksum and newline included.
    public var line: String {
        let body: [String]
        switch self {
        case .header(let version, let runID, let taskCount, let fingerprint, let jobFile):
            body = ["header", String(version), String(runID), String(taskCount), fingerprint, escape(jobFile)]
        case .runBegan(let time, let resume, let context):
            body = ["run-began", String(time), resume ? "resume" : "new"] + (context.map { [escape($0)] } ?? [])
        case .workers(let workers):
            body = ["workers"] + workers.flatMap { [String($0.rank), escape($0.host), String($0.slots)] }
        case .started(let position, let attempt, let worker, let host, let time):
            body = ["started", String(position), String(attempt), String(worker), escape(host), String(time)]
        case .ended(let end):
            body = ["ended"] + end.fields
        case .unrunnable(let position, let reason):
            body = ["unrunnable", String(position), escape(reason)]
        case .runEnded(let time, let status):
            body = ["run-ended", String(time), String(status)]
        case .submitted(let position, let task):
            body = ["submitted", String(position), escape(task)]
        }
        let text = body.joined(separator: "\t")
        let crc = String(CRC32.checksum(text.utf8), radix: 16)
        return String(repeating: "0", count: 8 - crc.count) + crc + "\t" + text + "\n"
    }

    /// Parses one line (without its newline).
    ///
    /// - Throws: ``JournalFormatError`` for a checksum mismatch or malformed fields.
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
            self = .header(version: try int(try field(1)), runID: try int(try field(2)), taskCount: try int(try field(3)),
                           fingerprint: String(try field(4)), jobFile: unescape(try field(5)))
        case "run-began":
            self = .runBegan(time: try double(try field(1)), resume: try field(2) == "resume",
                             context: fields.count > 3 ? unescape(fields[3]) : nil)
        case "workers":
            guard rest.count % 3 == 0 else { throw JournalFormatError(reason: "a workers record has \(rest.count) fields, not 3 per worker") }
            let values = Array(rest)
            self = .workers(try stride(from: 0, to: values.count, by: 3).map { offset throws(JournalFormatError) in
                WorkerSlotsRecord(rank: try int(values[offset]), host: unescape(values[offset + 1]),
                                  slots: try int(values[offset + 2]))
            })
        case "started":
            self = .started(position: try int(try field(1)), attempt: try int(try field(2)), worker: try int(try field(3)),
                            host: unescape(try field(4)), time: try double(try field(5)))
        case "ended":
            self = .ended(try TaskEnd(fields: rest))
        case "unrunnable":
            self = .unrunnable(position: try int(try field(1)), reason: unescape(try field(2)))
        case "run-ended":
            self = .runEnded(time: try double(try field(1)), status: try int(try field(2)))
        case "submitted":
            self = .submitted(position: try int(try field(1)), task: unescape(try field(2)))
        default:
            throw JournalFormatError(reason: "unknown record kind '\(fields[0])'")
        }
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

private func int(_ text: Substring) throws(JournalFormatError) -> Int {
    guard let value = Int(text) else { throw JournalFormatError(reason: "'\(text)' is not an integer") }
    return value
}

private func double(_ text: Substring) throws(JournalFormatError) -> Double {
    guard let value = Double(text) else { throw JournalFormatError(reason: "'\(text)' is not a number") }
    return value
}

/// Escapes by Unicode scalar, since "\r\n" is a single Character in Swift.
func escape(_ text: String) -> String {
    let special: Set<Unicode.Scalar> = ["\\", "\t", "\n", "\r"]
    guard text.unicodeScalars.contains(where: special.contains) else { return text }
    var result = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": result.append(contentsOf: "\\\\".unicodeScalars)
        case "\t": result.append(contentsOf: "\\t".unicodeScalars)
        case "\n": result.append(contentsOf: "\\n".unicodeScalars)
        case "\r": result.append(contentsOf: "\\r".unicodeScalars)
        default: result.append(scalar)
        }
    }
    return String(result)
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
