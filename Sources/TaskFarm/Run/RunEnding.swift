import Foundation
import Logging

/// How rank 0 closes a run or a served queue once its loop has ended, the same for both:
/// the stop note and any failure (the scheduler's, or the journal's write error) logged,
/// then the journal's `runEnded` record and the verdict, and only then the summary line on
/// stdout: the rank may be ended at any moment after an interrupt, and the durable records
/// matter more.
struct RunEnding {
    /// The run's counts as the journal holds them (see ``RunConclusion/durable(_:journal:folder:taskCount:)``).
    var result: RunResult
    /// The scheduler's fatal problem (no workers registered); the exit status is then 70.
    let schedulerFailure: String?
    /// The journal's write error (a full disk); the run then ends resumable (75).
    let journalFailure: String?
    /// Why the scheduler refused the run before any task started (a request no host can hold).
    let refusal: String?
    /// The first of the failures, for the verdict's message.
    var failure: String? { refusal ?? schedulerFailure ?? journalFailure }
    /// The exit status the scheduler's result gives, before any DAG or serve rule: 65 for a
    /// refused job, 70 for the scheduler's own failure.
    var status: ExitStatus {
        refusal != nil ? .badJobFile : schedulerFailure != nil ? .internalError : result.exitStatus
    }

    /// Reads the end from `scheduler`; `nil` when it has no result (an internal error).
    init?(scheduler: Scheduler, journal: JournalWriter, folder: StateFolder, taskCount: Int, logger: Logger) {
        if let note = scheduler.stopNote { logger.notice("\(note)") }
        schedulerFailure = scheduler.failure
        journalFailure = journal.writeError
        refusal = scheduler.refusal
        for problem in [refusal, schedulerFailure, journalFailure].compactMap({ $0 }) { logger.error("\(problem)") }
        guard let recorded = scheduler.result else { return nil }
        result = RunConclusion.durable(recorded, journal: journal, folder: folder, taskCount: taskCount)
    }

    /// Ends the journal with `status` (durably), writes the verdict with `message`, then
    /// prints the summary line and `extraSummary` (a DAG's) on stdout. A verdict that cannot
    /// be written is logged, never fatal.
    func record(status: ExitStatus, message: String?, extraSummary: String? = nil, journal: JournalWriter,
                folder: StateFolder, runID: Int, logger: Logger) {
        journal.append(.runEnded(time: Clock.epochSeconds(), status: Int(status.rawValue)), durableNow: true)
        RunConclusion.writeVerdict(Verdict(status: status, runID: runID, result: result, message: message),
                                   to: folder, logger: logger)
        ConsoleOutput.standardOutput(result.summaryLine + "\n" + (extraSummary.map { $0 + "\n" } ?? ""))
    }
}
