import Foundation

/// What `run` and `serve` say about a journal with damaged records, and when they refuse
/// to use it: a damaged header that cannot be rebuilt would otherwise make the folder look
/// new, and every task that already ended would run again.
enum JournalDamage {
    /// The refusal (exit 65) for a journal whose header is damaged and could not be rebuilt
    /// from the fingerprints file while trustworthy records follow it; `nil` otherwise.
    /// It names the journal, what would be lost, and the ways on.
    static func refusal(_ replay: JournalReplay, folder: StateFolder) -> String? {
        guard replay.recordsWithoutHeader > 0 else { return nil }
        let line = replay.skipped.first?.line ?? 1
        return "\(folder.journalFile):\(line): the journal's header is damaged and cannot be rebuilt "
            + "(\(folder.fingerprintsFile) is missing), so the \(replay.recordsWithoutHeader) records after it "
            + "cannot be trusted to a job; nothing was run, and running anyway would run every task that already "
            + "ended again. To keep the history, restore the journal's first line (from a backup or a copy of "
            + "the folder); to start afresh, move the folder aside (mv \(folder.path) \(folder.path).damaged) "
            + "or give another --state-dir"
    }

    /// The refusal (exit 65) for a journal that remembers no run at all (emptied, removed,
    /// overwritten or wholly garbled) in a folder whose `verdict.json` counts tasks that ended:
    /// read as new, it would make every one of them run again. `nil` otherwise.
    ///
    /// A journal cut short (truncated to its first lines, or replaced by an older copy) is
    /// caught too: when no run began after `verdict.json` was written, every end it counts
    /// is in the journal, so a journal holding fewer ended tasks lost some.
    static func lostHistory(_ replay: JournalReplay, folder: StateFolder) -> String? {
        if let whole = lostHistory(remembersARun: replay.header != nil || replay.runs > 0, folder: folder) { return whole }
        // A DAG's journal holds only its latest run: the nodes done before are in its rescue file.
        guard !FileManager.default.fileExists(atPath: DAGStatusFiles.dagStatusPath(in: folder.path)),
              let verdict = folder.verdictEndedTasks(), let written = verdict.finishedAt,
              written >= replay.lastRunBeganTime ?? -.infinity else { return nil }
        let ended = replay.states.lazy.filter(\.isFinal).count
        guard ended < verdict.ended else { return nil }
        return "\(folder.journalFile): the journal holds \(ended) ended task(s), but \(folder.verdictFile) says run "
            + "\(verdict.runID) ended \(verdict.ended): the journal was cut short or replaced by an older copy, and running "
            + "from it would run the missing ones again. " + waysOn(folder)
    }

    /// How to go on from a journal that lost history: restore it, or start afresh.
    private static func waysOn(_ folder: StateFolder) -> String {
        "To keep the history, restore the journal (from a backup or a copy of the folder); to start afresh, move the "
            + "folder aside (mv \(folder.path) \(folder.path).damaged) or give another --state-dir"
    }

    /// ``lostHistory(_:folder:)`` for a reader that replays the journal its own way.
    static func lostHistory(remembersARun: Bool, folder: StateFolder) -> String? {
        guard !remembersARun, let verdict = folder.verdictEndedTasks(), verdict.ended > 0 else {
            return nil
        }
        return "\(folder.journalFile): the journal remembers no run, but \(folder.verdictFile) says run \(verdict.runID) "
            + "ended \(verdict.ended) task(s): the journal was emptied, removed or overwritten, and running from it would "
            + "run those tasks again. " + waysOn(folder)
    }

    /// What a reader of the state folder at `path` (`status`, `output`, `report`) throws
    /// when its journal is missing: the lost history when `verdict.json` counts ended tasks
    /// (65), else that the folder has no journal, or that `path` does not exist (66).
    static func missingJournal(in path: String) -> JournalError {
        if let lost = lostHistory(remembersARun: false, folder: StateFolder(reading: path)) {
            return JournalError(message: lost, isDamage: true)
        }
        let what = FileManager.default.fileExists(atPath: path) ? "no journal here" : "no such file or folder"
        return JournalError(message: "\(path): \(what); expected a state folder made by taskfarm run or serve, or its job file")
    }

    /// Skipped records named one by one; the rest are counted.
    static let shownSkips = 20

    /// One note per skipped record (line and reason), and one when the header was rebuilt.
    static func notes(_ replay: JournalReplay, folder: StateFolder) -> [String] {
        var notes = replay.skipped.prefix(shownSkips).map {
            "\(folder.journalFile):\($0.line): skipped an untrustworthy record (\($0.reason))"
        }
        if replay.skipped.count > shownSkips {
            notes.append("\(folder.journalFile): \(replay.skipped.count - shownSkips) more untrustworthy records skipped")
        }
        if replay.headerRebuilt, let header = replay.header {
            notes.append("\(folder.journalFile): the journal's header was damaged; rebuilt from "
                         + "\(folder.fingerprintsFile) (\(header.taskCount) tasks), so no ended task runs again")
        }
        return notes
    }
}
