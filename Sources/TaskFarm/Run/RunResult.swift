/// How a run ended, for the summary line, the verdict file and the exit status.
public struct RunResult: Sendable, Equatable {
    /// Tasks in the job.
    public var total: Int
    /// Tasks by state at the end.
    public var counts: [TaskState: Int]
    /// Array indices of the first tasks that failed, timed out or could not run (at most 10).
    public var firstFailures: [Int]
    /// Whether the run stopped early (signal, drain, walltime) and can be resumed.
    public var interrupted: Bool
    /// Workers declared lost during the run (dead ranks, silent hosts), in the order found.
    public var lostWorkers: [LostWorker] = []

    /// A result; every argument is the property of the same name.
    public init(total: Int, counts: [TaskState: Int], firstFailures: [Int], interrupted: Bool) {
        self.total = total
        self.counts = counts
        self.firstFailures = firstFailures
        self.interrupted = interrupted
    }

    /// Tasks that succeeded.
    public var succeeded: Int { counts[.succeeded] ?? 0 }
    /// Tasks that failed or timed out.
    public var failed: Int { (counts[.failed] ?? 0) + (counts[.timedOut] ?? 0) }
    /// Tasks that were cancelled.
    public var cancelled: Int { counts[.cancelled] ?? 0 }
    /// Tasks that did not reach an end: never started, or interrupted.
    public var unfinished: Int { total - succeeded - failed - cancelled }

    /// The exit status from the README's table: 0 all succeeded, 1 some task failed,
    /// 75 interrupted and resumable.
    public var exitStatus: ExitStatus {
        if interrupted, unfinished > 0 { return .interrupted }
        if failed > 0 || cancelled > 0 { return .taskFailed }
        return .success
    }

    /// The one-line summary rank 0 prints at the end.
    public var summaryLine: String {
        var text = "taskfarm: \(succeeded) of \(total) tasks succeeded, \(failed) failed"
        if cancelled > 0 { text += ", \(cancelled) cancelled" }
        if unfinished > 0 { text += ", \(unfinished) not finished" }
        if !firstFailures.isEmpty {
            text += "; first failures at index " + firstFailures.map(String.init).joined(separator: ", ")
        }
        if !lostWorkers.isEmpty {
            text += "; \(lostWorkers.count) worker\(lostWorkers.count == 1 ? "" : "s") lost: "
                + lostWorkers.map(\.name).joined(separator: ", ")
        }
        if interrupted, unfinished > 0 { text += "; interrupted: run again to resume" }
        return text
    }
}

/// The exit statuses of `taskfarm`, one table for every command (see the README).
public enum ExitStatus: Int32, Sendable {
    /// All tasks succeeded.
    case success = 0
    /// Some task failed.
    case taskFailed = 1
    /// Bad command-line usage (swift-argument-parser's own status).
    case usage = 64
    /// A bad job file.
    case badJobFile = 65
    /// An internal error.
    case internalError = 70
    /// Interrupted; run again to resume.
    case interrupted = 75
}
