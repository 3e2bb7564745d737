import Foundation
import JobSpec

/// The folder that holds a run's state: its run id, verdict and default outputs (later
/// its journal and lock). By default it is `JOBFILE.taskfarm` beside the job file.
public struct StateFolder: Sendable {
    /// The folder's path.
    public let path: String

    /// The job path that means "the task list on standard input" (`taskfarm run -`).
    public static let standardInput = "-"

    /// The default state folder for a job file: `JOBFILE.taskfarm` beside it; for a task
    /// list read from standard input, `stdin.taskfarm` in the current folder.
    public static func defaultPath(forJob jobPath: String) -> String {
        jobPath == standardInput ? "stdin.taskfarm" : jobPath + ".taskfarm"
    }

    /// Where a job read from standard input is kept, so that the run's tasks can be shown
    /// and reloaded after it (`status --task`, `output`, `report`), and a script run from it.
    public var standardInputCopy: String { Self.standardInputCopy(in: path) }

    /// ``standardInputCopy`` of the state folder at `folder`, which need not exist yet.
    public static func standardInputCopy(in folder: String) -> String { folder + "/stdin-tasks" }

    /// Uses (and creates) the folder at `path`.
    ///
    /// - Throws: an error naming the folder when it cannot be created or written.
    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
    }

    /// The folder at `path`, only to read it (`taskfarm status`): nothing is created or checked.
    public init(reading path: String) {
        self.path = path
    }

    /// The run id kept in the folder, created on first use from ``RunIDSequence`` (so two
    /// jobs never share one). Running the same job again from the same folder reuses it, so
    /// output names stay stable.
    ///
    /// - Throws: an error when the id cannot be written.
    public func runID() throws -> Int {
        if let id = storedRunID() { return id }
        let id = RunIDSequence.next()
        try writeAtomically("\(id)\n", to: path + "/run-id")
        return id
    }

    /// The run id kept in the folder, or `nil` when it has none yet.
    public func storedRunID() -> Int? {
        Self.storedRunID(in: path)
    }

    /// The run id kept in the folder at `path`, without creating the folder, or `nil`.
    public static func storedRunID(in path: String) -> Int? {
        (try? String(contentsOfFile: path + "/run-id", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The default folder for per-task output files.
    public var outputFolder: String { path + "/output" }

    /// The journal: every task's changes of state, append-only.
    public var journalFile: String { path + "/journal" }

    /// The lock file, held while a run uses the folder.
    public var lockFile: String { path + "/lock" }

    /// The fingerprint of each expanded task, 8 bytes each, for telling what changed.
    public var fingerprintsFile: String { path + "/fingerprints" }

    /// Writes the tasks' fingerprints, atomically.
    public func writeFingerprints(_ values: [UInt64]) throws {
        var data = Data(capacity: values.count * 8)
        for value in values { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        try writeAtomically(data, to: fingerprintsFile)
    }

    /// The fingerprints written with the journal's header, or `nil`.
    public func readFingerprints() -> [UInt64]? {
        guard let data = FileManager.default.contents(atPath: fingerprintsFile), data.count % 8 == 0 else { return nil }
        return stride(from: 0, to: data.count, by: 8).map { offset in
            var value: UInt64 = 0
            for index in 0..<8 { value |= UInt64(data[data.startIndex + offset + index]) << (8 * UInt64(index)) }
            return value
        }
    }

    /// Writes `text` to `file` through a temporary file and a rename, so that a reader
    /// never sees half of it.
    public func writeAtomically(_ text: String, to file: String) throws {
        try writeAtomically(Data(text.utf8), to: file)
    }

    /// Writes `data` to `file` through a temporary file and a rename; when either fails
    /// (a full disk), the temporary file is removed before the error is thrown.
    public func writeAtomically(_ data: Data, to file: String) throws {
        let temporary = file + ".tmp.\(getpid())"
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, file) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file])
            }
        } catch {
            unlink(temporary)
            throw JournalError(message: "\(file): cannot write: \(error.fileErrorReason)")
        }
    }

    /// Writes `verdict.json`: the run's outcome, the reliable source of truth even when
    /// `mpirun` reports its own exit status.
    public func writeVerdict(_ verdict: Verdict) throws {
        try writeAtomically(verdict.json, to: verdictFile)
    }

    /// `verdict.json`, the last run's outcome.
    public var verdictFile: String { path + "/verdict.json" }

    /// Why run `runID` stopped, as its `verdict.json` says (the refusal of a job no host can
    /// hold, a halt at --max-failures), when the verdict is that run's and it ended with
    /// `exitStatus`, other than 0; `nil` otherwise, or when the verdict has no message or
    /// cannot be read. `status` shows it beside the exit status, which alone says nothing.
    public func verdictReason(runID: Int, exitStatus: Int) -> String? {
        guard exitStatus != 0, let data = FileManager.default.contents(atPath: verdictFile),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["runID"] as? Int == runID, object["exitStatus"] as? Int == exitStatus,
              let message = object["message"] as? String, !message.isEmpty else { return nil }
        return message
    }

    /// The run id and the number of tasks that reached an end (succeeded, failed, timed out,
    /// over their memory or cancelled) according to `verdict.json`; `nil` when there is no
    /// readable verdict or it has no counts (the run failed before it ran tasks).
    /// `finishedAt` is when it was written (Unix seconds), `nil` when unreadable.
    func verdictEndedTasks() -> (runID: Int, ended: Int, finishedAt: Double?)? {
        guard let data = FileManager.default.contents(atPath: verdictFile),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let runID = object["runID"] as? Int, object["total"] != nil else { return nil }
        let ended = Verdict.endedKeys
            .reduce(0) { $0 + max(0, min(object[$1] as? Int ?? 0, Int(Int32.max))) }
        let finishedAt = (object["finishedAt"] as? String).flatMap { Verdict.timeFormat.date(from: $0) }
        return (runID, ended, finishedAt?.timeIntervalSince1970)
    }
}

/// The outcome of one run, as written to `verdict.json`.
public struct Verdict: Sendable, Equatable {
    /// The exit status `taskfarm` ends with; `status` in the JSON is its name.
    public var status: ExitStatus
    /// The run id (0 when the run failed before it had one).
    public var runID: Int
    /// The task counts, when the run got as far as running tasks.
    public var result: RunResult?
    /// Why the run stopped, or a DAG summary, for people; `nil` for none.
    public var message: String?

    /// A verdict; every argument is the property of the same name.
    public init(status: ExitStatus, runID: Int, result: RunResult? = nil, message: String? = nil) {
        self.status = status
        self.runID = runID
        self.result = result
        self.message = message
    }

    /// `status`'s name in the JSON. A served farm shut down on request ends 0 whatever its
    /// tasks did; its name is then `shut-down` unless every task succeeded, so that nobody
    /// reads "succeeded" beside failed or unfinished tasks.
    var statusName: String {
        switch status {
        case .success: return result.map { $0.exitStatus == .success && $0.unfinished == 0 } ?? true
            ? "succeeded" : "shut-down"
        case .taskFailed: return "failed"
        case .usage: return "usage-error"
        case .badJobFile: return "bad-job-file"
        case .unavailable: return "unavailable"
        case .internalError: return "internal-error"
        case .cannotCreate: return "cannot-create"
        case .interrupted: return "interrupted"
        case .noInput: return "no-input"
        case .noPermission: return "not-permitted"
        }
    }

    /// The JSON keys of the counts of tasks that reached an end, in the order written;
    /// read back by ``StateFolder/verdictEndedTasks()``.
    static let endedKeys = ["succeeded", "failed", "timedOut", "memoryExceeded", "cancelled"]

    /// `finishedAt`'s format: ISO 8601 in UTC with milliseconds, so that it can be ordered
    /// against the journal's records (``JournalDamage/lostHistory(_:folder:)``).
    static var timeFormat: ISO8601DateFormatter {
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return format
    }

    /// The verdict as a JSON object.
    public var json: String {
        var fields: [String] = [
            "\"status\": \"\(statusName)\"",
            "\"exitStatus\": \(status.rawValue)",
            "\"runID\": \(runID)",
        ]
        if let result {
            fields += [
                "\"total\": \(result.total)",
            ]
            let ended = [result.succeeded, result.failed, result.timedOut, result.memoryExceeded, result.cancelled]
            fields += zip(Self.endedKeys, ended).map { "\"\($0)\": \($1)" }
            fields += [
                "\"unfinished\": \(result.unfinished)",
                "\"firstFailures\": [\(result.firstFailures.map(String.init).joined(separator: ", "))]",
            ]
            if let limit = result.haltedAtFailures { fields.append("\"maxFailuresReached\": \(limit)") }
            if !result.lostWorkers.isEmpty {
                let lost = result.lostWorkers.map {
                    "{\"rank\": \($0.rank), \"host\": \(jsonString($0.host)), \"reason\": \(jsonString($0.reason))}"
                }
                fields.append("\"lostWorkers\": [\(lost.joined(separator: ", "))]")
            }
        }
        if let message { fields.append("\"message\": \(jsonString(message))") }
        fields.append("\"finishedAt\": \(jsonString(Self.timeFormat.string(from: Date())))")
        return "{\n  " + fields.joined(separator: ",\n  ") + "\n}\n"
    }
}
