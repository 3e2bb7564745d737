import Logging

/// The last words of a run or a served farm, told honestly when the state folder's disk
/// failed: only ends that reached the journal count as done, and a verdict that cannot be
/// written is reported instead of ending the rank with an internal error.
enum RunConclusion {
    /// `result` as the journal holds it, once a journal write failed: the tasks whose ends
    /// were recorded only in memory are not durable and count as not finished (a resume runs
    /// them again), and the run counts as interrupted. `result` itself when the journal is whole.
    static func durable(_ result: RunResult, journal: JournalWriter, folder: StateFolder, taskCount: Int) -> RunResult {
        guard journal.writeError != nil else { return result }
        var counts: [TaskState: Int] = [:]
        if let replay = try? JournalReplay(folder: folder, taskCountLimit: taskCount) {
            for state in replay.states.prefix(result.total) { counts[state, default: 0] += 1 }
        }
        counts[.running] = nil
        return RunResult(total: result.total, counts: counts, firstFailures: result.firstFailures, interrupted: true)
    }

    /// Wires what `scheduler` reports as it goes, the same for `run` and `serve`: lost
    /// workers to the log (``WorkerRecovery/attach(to:environment:logger:)``), and the
    /// verdict of an interrupt as it begins (``writeInterruptVerdict(_:runID:to:hint:logger:)``).
    static func watch(_ scheduler: Scheduler, runID: Int, folder: StateFolder, environment: [String: String],
                      logger: Logger) {
        WorkerRecovery.attach(to: scheduler, environment: environment, logger: logger)
        let hint = WorkerRecovery.interruptHint(environment: environment)
        scheduler.onInterrupt = { writeInterruptVerdict($0, runID: runID, to: folder, hint: hint, logger: logger) }
    }

    /// Writes the verdict of an interrupt as it begins (75, tasks in flight not finished), so
    /// that a rank ended before its interrupt completes still leaves one; the run's final
    /// verdict replaces it.
    /// `hint` is added to the message (see ``WorkerRecovery/interruptHint(environment:)``).
    static func writeInterruptVerdict(_ result: RunResult, runID: Int, to folder: StateFolder, hint: String? = nil,
                                      logger: Logger) {
        writeVerdict(Verdict(status: .interrupted, runID: runID, result: result,
                             message: "interrupted; written as the interrupt began, with the tasks then running "
                                + "counted as not finished, and replaced when the run ends" + (hint.map { " (\($0))" } ?? "")),
                     to: folder, logger: logger)
    }

    /// Writes `verdict.json`; when that fails (a full disk) the reason goes to the log
    /// instead, naming the file, and no temporary file is left behind.
    static func writeVerdict(_ verdict: Verdict, to folder: StateFolder, logger: Logger) {
        do {
            try folder.writeVerdict(verdict)
        } catch {
            logger.error("cannot write the verdict: \(error); the run ended with exit status \(verdict.status.rawValue)")
        }
    }
}
