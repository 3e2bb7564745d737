/// What a run does with each task, given what the journal says. This is the README's
/// resume table:
///
/// | state | plain resume | `--rerun-failed` |
/// |---|---|---|
/// | never started | runs it | runs it |
/// | interrupted (running when the run stopped) | runs it | runs it |
/// | succeeded | skips it | skips it |
/// | failed | skips it, and reports it | runs it |
/// | timed out | skips it, and reports it | runs it |
/// | cancelled | skips it, and reports it | runs it |
///
/// It is GNU parallel's split between `--resume` and `--resume-failed`.
public struct ResumePlan: Sendable, Equatable {
    /// States to start the scheduler with, by position (`nil`: a new run).
    public var initialStates: [TaskState]?
    /// Attempts already made, by position, so attempt numbers keep counting up.
    public var initialAttempts: [AttemptCount]?
    /// Whether this continues an earlier run.
    public var isResume: Bool
    /// Tasks skipped because they already succeeded.
    public var skippedSucceeded: Int
    /// Positions skipped because they failed, timed out or were cancelled before.
    public var skippedFailures: [Int]
    /// Positions that run again because they failed before (`--rerun-failed`).
    public var rerunFailures: Int
    /// Whether the journal needs a new header (a new run, or a forced one).
    public var writesHeader: Bool

    /// Why the tasks do not match the journal's.
    public struct Mismatch: Error, Sendable, Equatable, CustomStringConvertible {
        /// Positions, among those both have, whose task differs from the journal's (all of them when
        /// the journal kept no per-task fingerprints).
        public var changed: [Int]
        /// Tasks the job has beyond the journal's count.
        public var added: Int
        /// Tasks the journal has beyond the job's count.
        public var removed: Int
        /// The task count in the journal's header.
        public var journalTaskCount: Int

        /// What differs (the first 5 changed positions), and the three ways on: the same job, a new
        /// `--state-dir`, or `--force`.
        public var description: String {
            var parts: [String] = []
            if !changed.isEmpty {
                let shown = changed.prefix(5).map(String.init).joined(separator: ", ")
                parts.append("\(changed.count) task\(changed.count == 1 ? "" : "s") changed (position\(changed.count == 1 ? "" : "s") \(shown)\(changed.count > 5 ? ", …" : ""))")
            }
            if added > 0 { parts.append("\(added) added") }
            if removed > 0 { parts.append("\(removed) removed") }
            if parts.isEmpty { parts.append("the tasks differ") }
            return "the expanded tasks differ from the journal's (\(journalTaskCount) tasks): " + parts.joined(separator: ", ")
                + ". Resume with the job that made the journal, give a new --state-dir, or pass --force "
                + "to keep the records of unchanged tasks and run the changed ones afresh"
        }
    }

    /// Plans a run.
    ///
    /// - Parameters:
    ///   - replay: the journal's content (empty for a new state folder).
    ///   - fingerprints: the current tasks' fingerprints, by position.
    ///   - journalFingerprints: the fingerprints recorded with the journal, by position.
    ///   - rerunFailed: `--rerun-failed`.
    ///   - force: `--force`: tasks whose fingerprint changed run afresh, the others keep
    ///     their records; added tasks run, removed ones are forgotten.
    /// - Throws: ``Mismatch`` when the tasks differ and `force` is off.
    public init(replay: JournalReplay, fingerprints: [UInt64], journalFingerprints: [UInt64]?,
                rerunFailed: Bool, force: Bool) throws(Mismatch) {
        skippedSucceeded = 0
        skippedFailures = []
        rerunFailures = 0
        guard let header = replay.header else {
            initialStates = nil
            initialAttempts = nil
            isResume = false
            writesHeader = true
            return
        }
        if replay.attempts.allSatisfy({ $0 == 0 }), replay.states.allSatisfy({ $0 == .pending }) {
            // Nothing ever ran (the run was refused before any task started): nothing to keep.
            initialStates = nil
            initialAttempts = nil
            isResume = false
            writesHeader = true
            return
        }
        isResume = true
        let combined = TaskFingerprint.combined(fingerprints)
        var states = Array(replay.states.prefix(fingerprints.count))
        var attempts = Array(replay.attempts.prefix(fingerprints.count))
        if states.count < fingerprints.count {
            states += Array(repeating: .pending, count: fingerprints.count - states.count)
            attempts += Array(repeating: 0, count: fingerprints.count - attempts.count)
        }
        writesHeader = false
        if combined != header.fingerprint {
            let old = journalFingerprints ?? []
            let common = min(old.count, fingerprints.count)
            let changed = (0..<common).filter { old[$0] != fingerprints[$0] }
            let mismatch = Mismatch(changed: journalFingerprints == nil ? Array(0..<common) : changed,
                                    added: max(0, fingerprints.count - header.taskCount),
                                    removed: max(0, header.taskCount - fingerprints.count),
                                    journalTaskCount: header.taskCount)
            guard force else { throw mismatch }
            for position in mismatch.changed {
                states[position] = .pending
                attempts[position] = 0
            }
            writesHeader = true
        }
        for position in states.indices {
            switch states[position] {
            case .succeeded:
                skippedSucceeded += 1
            case .failed, .timedOut, .cancelled, .memoryExceeded:
                if rerunFailed {
                    states[position] = .pending
                    rerunFailures += 1
                } else {
                    skippedFailures.append(position)
                }
            case .running, .interrupted, .pending:
                states[position] = .pending
            }
        }
        initialStates = states
        initialAttempts = attempts
    }
}
