import Foundation
import JobSpec

/// What `taskfarm status` shows, read from a state folder's journal while a run is going or
/// after it ended: counts by state, the failed tasks with their exit codes or signals, and
/// the running tasks with their hosts and how long they have run.
public struct StatusReport: Sendable {
    /// The run id from the journal's header, or `nil` when it has none.
    public let runID: Int?
    /// Tasks known: the header's count, or more when a served queue grew.
    public let taskCount: Int
    /// Tasks by state. ``TaskState/running`` counts the attempts still open, and only while a
    /// run is in progress.
    public let counts: [TaskState: Int]
    /// The last end of each task now failed, timed out or cancelled, by position.
    public let failures: [JournalRecord.TaskEnd]
    /// Tasks that can never run, and why, by position.
    public let unrunnable: [(position: Int, reason: String)]
    /// Attempts started and not ended, by position: worker rank, host, and seconds since they
    /// started. Empty when the last run ended.
    public let running: [(position: Int, worker: Int, host: String, seconds: Double)]
    /// Whether the last run has no `run-ended` record: still going, or killed.
    public let inProgress: Bool
    /// Whether the last run has no `run-ended` record and nobody holds the folder's lock:
    /// it died (mpirun ended it, a rank or host failed, or it was killed).
    public let runDied: Bool
    /// The exit status of the journal's latest `run-ended` record (an earlier run's while one is
    /// in progress), or `nil` when there is none.
    public let lastExitStatus: Int?
    /// Why the last run stopped, from its `verdict.json` (``StateFolder/verdictReason(runID:exitStatus:)``),
    /// when it ended with a status other than 0 and no run is in progress; else `nil`.
    public var lastRunReason: String?
    /// Journal lines skipped as torn, corrupt or out of range.
    public let skippedRecords: Int
    /// Records skipped because the journal's header is damaged and could not be rebuilt.
    public let recordsWithoutHeader: Int
    /// The DAG's nodes by state, when the state folder belongs to a DAG run (`dag-status`).
    public let dag: DAGStatusSnapshot?
    /// Worker hosts by rank, from the journal's worker pool.
    public let hosts: [Int: String]
    /// The workers of a live farm (`taskfarm status --connect`); empty when read from a folder.
    public var workers: [WorkerAd] = []
    /// Failed and running tasks left out of ``failures``, ``unrunnable`` and ``running``: a
    /// live farm's report lists a bounded number of each (``QueueStatus/listLimit``); one
    /// read from a folder lists them all (0).
    public var unlisted = 0
    /// The array index of each listed task, by position, when it differs from the position
    /// (a Slurm `--array=1-10` or PBS `-J 1-10` run starts at 1): the index is what `%a`,
    /// `SLURM_ARRAY_TASK_ID` and `PBS_ARRAY_INDEX` showed and what `status --task` and
    /// `output` take, so it is what the report shows. Empty when the job file cannot be read
    /// again, for a served queue, whose task ids are its positions, and for a DAG, whose
    /// nodes' procs share indexes (each node's first is 0) and are told apart by position.
    public var indexes: [Int: Int] = [:]
    /// Why the listed tasks are numbered by position although their job's are by array index
    /// (the job file changed since the run, or cannot be read again: ``RecordedRun/numberingNote``),
    /// or `nil`. The report says so rather than relabel tasks with the indexes of a file that
    /// is not what ran.
    public var numberingNote: String?

    /// The most tasks a journal's header may claim for `status` to read it when the folder
    /// has no fingerprints file (100,000); with one, its count is the limit. Every run writes
    /// the fingerprints file with its header, so only a damaged or hand-made folder lacks it,
    /// and a forged count must not cost seconds (the journal fuzz target timed out at 6
    /// million).
    static let readableTaskCount = 100_000

    /// A report of the given parts, as a live farm keeps them (``QueueStatus``).
    init(runID: Int?, taskCount: Int, counts: [TaskState: Int], failures: [JournalRecord.TaskEnd],
         unrunnable: [(position: Int, reason: String)], running: [(position: Int, worker: Int, host: String, seconds: Double)],
         inProgress: Bool, lastExitStatus: Int?, skippedRecords: Int) {
        self.runID = runID
        self.taskCount = taskCount
        self.counts = counts
        self.failures = failures
        self.unrunnable = unrunnable
        self.running = running
        self.inProgress = inProgress
        runDied = false  // a live farm is not dead
        self.lastExitStatus = lastExitStatus
        self.skippedRecords = skippedRecords
        recordsWithoutHeader = 0
        hosts = [:]
        dag = nil
    }

    /// Reads the state folder at `path`.
    ///
    /// - Throws: ``JournalError`` when the folder has no journal or it cannot be read, or
    ///   (``JournalError/isDamage``) when it remembers no run while `verdict.json` counts
    ///   ended tasks.
    public init(stateFolder path: String, now: Double? = nil) throws {
        let now = now ?? Clock.epochSeconds()
        let folder = StateFolder(reading: path)
        guard FileManager.default.fileExists(atPath: folder.journalFile) else { throw JournalDamage.missingJournal(in: path) }
        // A header is trusted up to this many tasks even without the folder's fingerprints
        // file (see ``readableTaskCount``).
        let replay = try JournalReplay(folder: folder, taskCountLimit: Self.readableTaskCount)
        if let lost = JournalDamage.lostHistory(replay, folder: folder) { throw JournalError(message: lost, isDamage: true) }
        runID = replay.header?.runID
        taskCount = max(replay.header?.taskCount ?? 0, replay.states.count)  // a served queue grows
        var counts = replay.counts
        let died = !replay.lastRunEnded && replay.runs > 0 && !StateLock.isHeld(path: path + "/lock")
        if died {
            // Nothing runs any more: what was running was interrupted, and runs again on resume.
            counts[.interrupted, default: 0] += counts[.running] ?? 0
            counts[.running] = nil
        } else if !replay.lastRunEnded {
            counts[.running] = replay.running.count
        } else {
            counts[.running] = nil
        }
        self.counts = counts
        failures = replay.lastEnds.values
            .filter { replay.states[$0.position].isUnsuccessfulEnd }
            .sorted { $0.position < $1.position }
        unrunnable = replay.unrunnable.map { ($0.key, $0.value) }.sorted { $0.position < $1.position }
        inProgress = !replay.lastRunEnded && !died
        runDied = died
        running = inProgress
            ? replay.running.map { ($0.key, $0.value.worker, $0.value.host, max(0, now - $0.value.time)) }
                .sorted { $0.position < $1.position }
            : []
        lastExitStatus = replay.lastExitStatus
        if replay.lastRunEnded, let runID, let lastExitStatus {
            lastRunReason = folder.verdictReason(runID: runID, exitStatus: lastExitStatus)
        }
        hosts = Dictionary(replay.workerPool.map { ($0.rank, $0.host) }, uniquingKeysWith: { $1 })
        skippedRecords = replay.skipped.count
        recordsWithoutHeader = replay.recordsWithoutHeader
        dag = DAGStatusSnapshot(contentsOf: DAGStatusFiles.dagStatusPath(in: path))
        let listed = failures.map(\.position) + unrunnable.map(\.position) + running.map(\.position)
        if !listed.isEmpty { (indexes, numberingNote) = Self.arrayIndexes(of: listed, replay: replay) }
    }

    /// The array indexes of `positions` that differ from the position, from the job file the
    /// latest run read (reloaded as `status --task` does); empty for a served queue, a DAG,
    /// or a file that changed since the run or cannot be read again, so the report then shows
    /// positions, and for the last two says why.
    private static func arrayIndexes(of positions: [Int], replay: JournalReplay) -> (indexes: [Int: Int], note: String?) {
        guard let header = replay.header, header.jobFile != "(queue)" else { return ([:], nil) }
        guard let text = replay.lastContext, let context = RunContext(json: text) else {
            return ([:], RecordedRun.numberingNote(jobFileChanged: false, jobProblem: RecordedRun.contextMissing))
        }
        if context.jobFileChanged { return ([:], RecordedRun.numberingNote(jobFileChanged: true, jobProblem: nil)) }
        let job: any Job
        do {
            job = try JobFiles.reload(context, runID: header.runID, runBegan: replay.lastRunBeganTime)
        } catch {
            return ([:], RecordedRun.numberingNote(jobFileChanged: false, jobProblem: RecordedRun.unreadable(error)))
        }
        guard !job.numbersTasksByPosition else { return ([:], nil) }
        var indexes: [Int: Int] = [:]
        for position in positions where position < job.taskCount {
            let index = job.arrayIndex(at: position)
            if index != position { indexes[position] = index }
        }
        return (indexes, nil)
    }

    /// The index `status --task` and `output` take for the task at `position`.
    public func index(ofPosition position: Int) -> Int { indexes[position] ?? position }

    private static let order: [TaskState] = [.succeeded, .failed, .timedOut, .memoryExceeded, .cancelled, .running, .interrupted,
                                                    .pending]

    /// The report as text for people.
    public var text: String {
        var lines: [String] = []
        // "memory exceeded" only when some task ended so (`--enforce-memory`), so the line
        // reads as before for every other run.
        let summary = Self.order.filter { $0 != .memoryExceeded || (counts[$0] ?? 0) > 0 }
            .map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ")
        lines.append("run \(runID.map(String.init) ?? "?"), \(taskCount) tasks: \(summary)")
        lines.append(runDied ? "the last run died without closing its journal (its lock is free): run again to resume"
                     : inProgress ? "a run is in progress"
                                : "the last run ended with exit status \(lastExitStatus.map(String.init) ?? "?")" + (lastRunReason.map { ": \($0)" } ?? ""))
        if let numberingNote, !failures.isEmpty || !unrunnable.isEmpty || !running.isEmpty {
            lines.append("note: \(numberingNote)")
        }
        if !failures.isEmpty || !unrunnable.isEmpty {
            lines.append("failed:")
            for end in failures.prefix(50) {
                var what = [TaskState.timedOut, .cancelled, .memoryExceeded].contains(end.state) ? end.state.description : ""
                if let signal = end.signal, end.state != .timedOut, end.state != .memoryExceeded { what = "signal \(signal)" }
                if what.isEmpty { what = "exit \(end.exitCode.map(String.init) ?? "?")" }
                let reason = end.message.map { ": \($0)" } ?? ""
                let host = hosts[end.worker] ?? workers.first { $0.rank == end.worker }?.host
                let place = end.worker >= 0 ? "  on \(host ?? "rank \(end.worker)") (rank \(end.worker))" : ""
                // Attempt 0 is a task cancelled before it was ever handed out.
                let attempt = end.attempt == 0 ? "never ran" : "attempt \(end.attempt)"
                lines.append("  task \(index(ofPosition: end.position))  \(attempt)  \(what)\(place)\(reason)")
            }
            for entry in unrunnable.prefix(50) { lines.append("  task \(index(ofPosition: entry.position))  cannot run: \(entry.reason)") }
            let hidden = max(0, failures.count - 50) + max(0, unrunnable.count - 50) + unlisted
            if hidden > 0 {
                lines.append("  … and \(hidden) more (\(unlisted > 0 ? "taskfarm status STATE_DIR --json" : "--json") lists them all)")
            }
            lines.append("  (taskfarm status --task INDEX shows a task's command, attempts, output files and stderr)")
        }
        if !running.isEmpty {
            lines.append("running:")
            for task in running.prefix(50) {
                lines.append("  task \(index(ofPosition: task.position))  on \(task.host) (rank \(task.worker))  for \(String(format: "%.1f", task.seconds)) s")
            }
        }
        if !workers.isEmpty {
            lines.append("workers:")
            for ad in workers { lines.append("  rank \(ad.rank) on \(ad.host)  \(ad.slots) slot\(ad.slots == 1 ? "" : "s")") }
        }
        if recordsWithoutHeader > 0 {
            lines.append("note: the journal's header is damaged; \(recordsWithoutHeader) record(s) after it cannot be placed, and the counts above leave them out")
        }
        if skippedRecords > 0 { lines.append("note: \(skippedRecords) torn, corrupt or out-of-range journal record(s) were skipped") }
        if let dag { lines += dag.reportLines }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `, "workers": [...]` (and `"unlisted": N` when tasks were left out) for a live farm,
    /// else nothing, so a folder's report is unchanged.
    private var workersJSON: String {
        let unlistedField = unlisted > 0 ? ", \"unlisted\": \(unlisted)" : ""
        guard !workers.isEmpty else { return unlistedField }
        let items = workers.map { "{\"rank\": \($0.rank), \"host\": \(jsonString($0.host)), \"slots\": \($0.slots)}" }
        return ", \"workers\": [\(items.joined(separator: ", "))]" + unlistedField
    }

    /// The report as JSON for scripts.
    public var json: String {
        let countFields = Self.order.map { "\(jsonString($0.description)): \(counts[$0] ?? 0)" }.joined(separator: ", ")
        let failed = failures.map { end in
            "{\"index\": \(index(ofPosition: end.position)), \"position\": \(end.position), \"attempt\": \(end.attempt), \"state\": \(jsonString(end.state.description)), "
                + "\"exitCode\": \(end.exitCode.map(String.init) ?? "null"), \"signal\": \(end.signal.map(String.init) ?? "null"), "
                + "\"message\": \(end.message.map(jsonString) ?? "null")}"
        } + unrunnable.map { "{\"index\": \(index(ofPosition: $0.position)), \"position\": \($0.position), \"state\": \"failed\", \"message\": \(jsonString($0.reason))}" }
        let runningItems = running.map {
            "{\"index\": \(index(ofPosition: $0.position)), \"position\": \($0.position), \"worker\": \($0.worker), \"host\": \(jsonString($0.host)), \"seconds\": \(String(format: "%.3f", $0.seconds))}"
        }
        return """
            {"runID": \(runID.map(String.init) ?? "null"), "tasks": \(taskCount), "inProgress": \(inProgress), "runDied": \(runDied), \
            "lastExitStatus": \(lastExitStatus.map(String.init) ?? "null"), "lastRunReason": \(lastRunReason.map(jsonString) ?? "null"), "counts": {\(countFields)}, \
            "failed": [\(failed.joined(separator: ", "))], "running": [\(runningItems.joined(separator: ", "))], \
            "dag": \(dag?.json ?? "null")\(numberingNote.map { ", \"numberingNote\": \(jsonString($0))" } ?? "")\(workersJSON)}

            """
    }
}
