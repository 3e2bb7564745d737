/// Where a task stands. Stored as one byte per task so a million queued tasks cost 1 MB.
public enum TaskState: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Not started yet, or to run again.
    case pending = 0
    /// Handed to a worker and not yet ended.
    case running = 1
    /// Its last attempt exited 0.
    case succeeded = 2
    /// Its last attempt failed (non-zero exit, signal, could not start) with no retry left.
    case failed = 3
    /// Its last attempt ran past its time limit, with no retry left.
    case timedOut = 4
    /// Cancelled by the user, or because a prerequisite failed.
    case cancelled = 5
    /// It was running when the run stopped; it runs again on resume.
    case interrupted = 6
    /// Its last attempt passed its memory request under `--enforce-memory`, with no retry
    /// left (Slurm's `OUT_OF_MEMORY`).
    case memoryExceeded = 7

    /// Whether the task has reached an end that a plain resume keeps.
    public var isFinal: Bool {
        switch self {
        case .succeeded, .failed, .timedOut, .cancelled, .memoryExceeded: return true
        case .pending, .running, .interrupted: return false
        }
    }

    /// The state in words, as `taskfarm status` shows it (`timed out` has a space).
    public var description: String {
        switch self {
        case .pending: return "pending"
        case .running: return "running"
        case .succeeded: return "succeeded"
        case .failed: return "failed"
        case .timedOut: return "timed out"
        case .cancelled: return "cancelled"
        case .interrupted: return "interrupted"
        case .memoryExceeded: return "memory exceeded"
        }
    }

    /// Whether the task ended without success: failed, timed out, over its memory, or
    /// cancelled.
    public var isUnsuccessfulEnd: Bool {
        switch self {
        case .failed, .timedOut, .cancelled, .memoryExceeded: return true
        case .pending, .running, .succeeded, .interrupted: return false
        }
    }
}
