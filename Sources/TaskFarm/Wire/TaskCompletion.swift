/// How one attempt of a task ended.
public enum TaskOutcome: Int, Sendable, Equatable {
    /// The process exited; see ``TaskCompletion/exitCode``.
    case exited = 0
    /// The process was killed by a signal it did not ask for; see ``TaskCompletion/signal``.
    case signaled = 1
    /// The task ran past its time limit and was killed.
    case timedOut = 2
    /// The scheduler cancelled it.
    case cancelled = 3
    /// The farm stopped it (SIGTERM/SIGINT to the run); it runs again on resume.
    case interrupted = 4
    /// The program could not be started (not found, not executable, argument list too long,
    /// output file not writable).
    case failedToStart = 5
    /// Given back before it started: a prefetched task taken back for an idle worker, or
    /// handed back by a drain or an interrupt. Not an attempt: its number is reused.
    case revoked = 6
    /// Its worker was lost (its rank died or its host went silent) while it ran: not a
    /// failed attempt; it runs again elsewhere, up to a limit (see ``WorkerLiveness``).
    case workerLost = 7
    /// Its resident set passed its memory request and `--enforce-memory` stopped it (Slurm's
    /// `OUT_OF_MEMORY`).
    case memoryExceeded = 8
}

/// A worker's report of one attempt's end. Only the farm makes one, with the compiler's
/// memberwise initializer (the optional and resource-use fields default to `nil` and 0).
public struct TaskCompletion: Sendable, Equatable {
    /// The task's position in the job.
    public var position: Int
    /// The attempt number, from 1.
    public var attempt: Int
    /// The worker's rank.
    public var workerRank: Int
    /// How it ended.
    public var outcome: TaskOutcome
    /// The exit status (0...255) when it exited, else `nil`.
    public var exitCode: Int?
    /// The signal number when a signal ended it (including a timeout's SIGTERM/SIGKILL).
    public var signal: Int?
    /// Start, in seconds since the Unix epoch.
    public var startTime: Double
    /// End, in seconds since the Unix epoch.
    public var endTime: Double
    /// User CPU time of the task's process and its waited-for children, in seconds (`wait4`).
    public var userSeconds: Double = 0
    /// System CPU time of the task's process and its waited-for children, in seconds (`wait4`).
    public var systemSeconds: Double = 0
    /// Peak resident memory, in KiB (`ru_maxrss`).
    public var maxResidentKiB: Int = 0
    /// A human-readable reason when it failed to start or was stopped.
    public var message: String?
    /// The exit status that counts as success, when the task names one other than 0
    /// (HTCondor's `success_exit_code`); `nil` for 0.
    public var successExitCode: Int?

    /// Whether the attempt counts as a success: exit status 0, or the task's
    /// ``successExitCode`` when it names one.
    public var succeeded: Bool { outcome == .exited && exitCode == (successExitCode ?? 0) }
}

extension TaskCompletion: WireMessage {
    func write(to writer: inout WireWriter) {
        writer.write(position, attempt, workerRank, outcome.rawValue, exitCode, signal, startTime, endTime,
                     userSeconds, systemSeconds, maxResidentKiB, message, successExitCode)
    }

    init(from reader: inout WireReader) throws(WireError) {
        let position = try reader.readInt()
        let attempt = try reader.readInt()
        let workerRank = try reader.readInt()
        guard let outcome = TaskOutcome(rawValue: try reader.readInt()) else {
            throw WireError(description: "unknown task outcome")
        }
        self.init(position: position, attempt: attempt, workerRank: workerRank, outcome: outcome,
                  exitCode: try reader.readOptionalInt(), signal: try reader.readOptionalInt(),
                  startTime: try reader.readDouble(), endTime: try reader.readDouble(),
                  userSeconds: try reader.readDouble(), systemSeconds: try reader.readDouble(),
                  maxResidentKiB: try reader.readInt(), message: try reader.readOptionalString())
        successExitCode = try reader.readOptionalInt()
    }
}
