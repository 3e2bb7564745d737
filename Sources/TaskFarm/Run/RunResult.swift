/// How a run ended, for the summary line, the verdict file and the exit status.
public struct RunResult: Sendable, Equatable {
    /// Tasks in the job.
    public var total: Int
    /// Tasks by state at the end.
    public var counts: [TaskState: Int]
    /// Array indices of the tasks that failed, timed out or could not run, lowest first (at
    /// most ``shownFailures``).
    public var firstFailures: [Int]
    /// Whether the run stopped early (signal, drain, walltime) and can be resumed.
    public var interrupted: Bool
    /// `--max-failures` when it stopped the run: no new task started after that many
    /// failures, and the run ends failed (exit 1), not resumable (75); `nil` otherwise.
    public var haltedAtFailures: Int?

    /// How many failed indices the summary names.
    public static let shownFailures = 10
    /// Workers declared lost during the run (dead ranks, silent hosts), in the order found.
    public var lostWorkers: [LostWorker] = []
    /// What the summary tells the user to do with an interrupted run's unfinished tasks:
    /// `taskfarm run` resumes, a served queue is served again.
    public var resumeAdvice = "run again to resume"

    /// A result; every argument is the property of the same name.
    public init(total: Int, counts: [TaskState: Int], firstFailures: [Int], interrupted: Bool,
                haltedAtFailures: Int? = nil) {
        self.total = total
        self.counts = counts
        self.firstFailures = firstFailures
        self.interrupted = interrupted
        self.haltedAtFailures = haltedAtFailures
    }

    /// Tasks that succeeded.
    public var succeeded: Int { counts[.succeeded] ?? 0 }
    /// Tasks that failed (non-zero exit, signal, could not start or run), timed-out ones apart.
    public var failed: Int { counts[.failed] ?? 0 }
    /// Tasks stopped at their time limit.
    public var timedOut: Int { counts[.timedOut] ?? 0 }
    /// Tasks that were cancelled.
    public var cancelled: Int { counts[.cancelled] ?? 0 }
    /// Tasks stopped for passing their memory request (`--enforce-memory`).
    public var memoryExceeded: Int { counts[.memoryExceeded] ?? 0 }
    /// Tasks that did not reach an end: never started, or interrupted.
    public var unfinished: Int { total - succeeded - failed - timedOut - cancelled - memoryExceeded }

    /// The exit status from the README's table: 0 all succeeded, 1 some task failed or
    /// timed out (or `--max-failures` stopped the run), 75 interrupted and resumable.
    public var exitStatus: ExitStatus {
        if haltedAtFailures != nil { return .taskFailed }
        if interrupted, unfinished > 0 { return .interrupted }
        if failed > 0 || timedOut > 0 || cancelled > 0 || memoryExceeded > 0 { return .taskFailed }
        return .success
    }

    /// The one-line summary rank 0 prints at the end, such as `taskfarm: 195 of 200 tasks
    /// succeeded, 3 failed, 2 timed out; first failures at index 4, 17, 103`.
    public var summaryLine: String {
        var text = "taskfarm: \(succeeded) of \(total) tasks succeeded, \(failed) failed"
        if timedOut > 0 { text += ", \(timedOut) timed out" }
        if memoryExceeded > 0 { text += ", \(memoryExceeded) over their memory" }
        if cancelled > 0 { text += ", \(cancelled) cancelled" }
        if unfinished > 0 { text += ", \(unfinished) not finished" }
        if !firstFailures.isEmpty {
            text += "; first failures at index " + firstFailures.map(String.init).joined(separator: ", ")
        }
        if !lostWorkers.isEmpty {
            text += "; \(lostWorkers.count) worker\(lostWorkers.count == 1 ? "" : "s") lost: "
                + lostWorkers.map(\.name).joined(separator: ", ")
        }
        if let limit = haltedAtFailures {
            text += "; stopped after \(limit) failure\(limit == 1 ? "" : "s") (--max-failures \(limit)): no new task started"
        } else if interrupted, unfinished > 0 {
            text += "; interrupted: \(resumeAdvice)"
        }
        return text
    }
}

/// The exit statuses of `taskfarm`, one table for every command (see the README). They
/// follow sysexits.h; 70 is only for the farm's own bugs, never for a user's mistake.
public enum ExitStatus: Int32, Sendable {
    /// All tasks succeeded.
    case success = 0
    /// Some task failed.
    case taskFailed = 1
    /// Bad command-line usage, or an unknown task index (EX_USAGE).
    case usage = 64
    /// A bad job file, connection file or journal, or a request the farm refuses, such as
    /// an unknown task id (EX_DATAERR).
    case badJobFile = 65
    /// An input file (a task's output, a state folder's journal) does not exist or cannot be
    /// read (EX_NOINPUT).
    case noInput = 66
    /// No farm reachable at the connection file's address (EX_UNAVAILABLE).
    case unavailable = 69
    /// An internal error: a bug of the farm (EX_SOFTWARE).
    case internalError = 70
    /// A file or folder the run needs cannot be created (EX_CANTCREAT).
    case cannotCreate = 73
    /// Interrupted and resumable, or the state folder is in use by another run: run again
    /// later (EX_TEMPFAIL).
    case interrupted = 75
    /// The farm refused the connection file's token (EX_NOPERM).
    case noPermission = 77
}
