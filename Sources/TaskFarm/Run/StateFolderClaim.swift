import JobSpec

/// A state folder taken for one run: created if needed, locked against a second run, with
/// its run id. `taskfarm run` and `taskfarm serve` both start this way.
struct StateFolderClaim {
    let folder: StateFolder
    let lock: StateLock
    let runID: Int

    /// Creates (if needed), locks and reads the run id of the folder at `path` (absolute).
    ///
    /// - Returns: the claim, or the problem to report naming the folder: another run holds
    ///   it (exit 75, as sysexits' EX_TEMPFAIL: try again later), or it cannot be created
    ///   or written (exit 73, EX_CANTCREAT).
    static func take(_ path: String) -> Result<StateFolderClaim, RunProblem> {
        do {
            let folder = try StateFolder(path: path)
            let lock = try StateLock(path: folder.lockFile)
            return .success(StateFolderClaim(folder: folder, lock: lock, runID: try folder.runID()))
        } catch let error as StateFolderInUse {
            return .failure(RunProblem(status: .interrupted, message: "\(path): \(error.message)"))
        } catch let error as JournalError {
            return .failure(RunProblem(status: .cannotCreate, message: "\(path): \(error.message)"))
        } catch {
            return .failure(RunProblem(status: .cannotCreate,
                                       message: "\(path): cannot use as the state folder: \(error.fileErrorReason)"))
        }
    }

    /// A problem found after the claim, naming this folder's run for the verdict.
    func problem(_ status: ExitStatus, _ message: String) -> RunProblem {
        RunProblem(status: status, message: message, folder: folder, runID: runID)
    }

    /// Reads back the folder's journal, with a note for each record it skipped and one when
    /// its damaged header was rebuilt from the fingerprints file.
    ///
    /// - Parameters:
    ///   - taskCountLimit: the most tasks a header may claim besides those the fingerprints
    ///     file knows (see ``JournalReplay/init(folder:taskCountLimit:)``).
    ///   - rescuedByDAG: whether the job is a DAG, whose history across runs is its rescue
    ///     file (each run starts a fresh journal), so an empty journal lost nothing.
    /// - Throws: ``RunProblem`` (exit 65) when the header is damaged beyond rebuilding while
    ///   records follow it, or the journal remembers no run while `verdict.json` counts ended
    ///   tasks (``JournalDamage/lostHistory(_:folder:)``); ``JournalError`` when the journal
    ///   exists but cannot be read.
    func replayJournal(taskCountLimit: Int = 0, rescuedByDAG: Bool = false) throws -> (replay: JournalReplay, notes: [String]) {
        let replay = try JournalReplay(folder: folder, taskCountLimit: taskCountLimit)
        if let damaged = JournalDamage.refusal(replay, folder: folder) { throw problem(.badJobFile, damaged) }
        // The verdict is the evidence of what the journal lost: it is left as it is.
        if !rescuedByDAG, let lost = JournalDamage.lostHistory(replay, folder: folder) {
            throw RunProblem(status: .badJobFile, message: lost)
        }
        return (replay, JournalDamage.notes(replay, folder: folder))
    }

    /// Opens the journal for appending, writes `header` when given (a new run or queue), and
    /// marks the run's beginning durably with its ``RunContext`` as JSON (`context`): every
    /// run and served queue starts its journal so.
    ///
    /// - Throws: ``RunProblem``: exit 70 when the journal cannot be opened, 75 when it cannot
    ///   be written (a full disk): nothing ran, so running again once it is freed works.
    ///   Exit 73 when the journal cannot be opened (the folder is not writable).
    func openJournal(header: JournalRecord?, resume: Bool, context: String?) throws(RunProblem) -> JournalWriter {
        let journal: JournalWriter
        do {
            journal = try JournalWriter(path: folder.journalFile)
        } catch {
            throw problem(.cannotCreate, "\(error)")
        }
        if let header { journal.append(header) }
        journal.append(.runBegan(time: Clock.epochSeconds(), resume: resume, context: context), durableNow: true)
        if let error = journal.writeError { throw problem(.interrupted, error + "; nothing was run") }
        return journal
    }
}
