import Foundation
import Logging

/// How rank 0 closes a run or a served queue once its loop has ended, the same for both:
/// the stop note and any failure (the scheduler's, or the journal's write error) logged,
/// the summary line on stdout, then the journal's `runEnded` record and the verdict.
struct RunEnding {
    /// The run's counts.
    let result: RunResult
    /// The fatal problem of the run, if any; the exit status is then 70.
    let failure: String?

    /// Reads the end from `scheduler`; `nil` when it has no result (an internal error).
    init?(scheduler: Scheduler, journal: JournalWriter, logger: Logger) {
        if let note = scheduler.stopNote { logger.notice("\(note)") }
        var failure = scheduler.failure
        if failure == nil, let journalError = journal.writeError { failure = journalError }
        if let failure { logger.error("\(failure)") }
        guard let result = scheduler.result else { return nil }
        FileHandle.standardOutput.write(Data((result.summaryLine + "\n").utf8))
        self.result = result
        self.failure = failure
    }

    /// Ends the journal with `status` (durably) and writes the verdict with `message`.
    ///
    /// - Throws: the state folder's error when the verdict cannot be written.
    func record(status: ExitStatus, message: String?, journal: JournalWriter, folder: StateFolder, runID: Int) throws {
        journal.append(.runEnded(time: Clock.epochSeconds(), status: Int(status.rawValue)), durableNow: true)
        try folder.writeVerdict(Verdict(status: status, runID: runID, result: result, message: message))
    }
}
