import Foundation
import JobSpec

/// Everything rank 0 settles before the first task runs: the state folder and its lock,
/// the run id, the job, the journal and what a resume skips, the output patterns. Nothing
/// runs when any of it is wrong.
struct PreparedRun {
    var folder: StateFolder
    var lock: StateLock
    var runID: Int
    var job: any Job
    var outputs: OutputDefaults
    var journal: JournalWriter
    var plan: ResumePlan
    var notes: [String]
    /// The `--joblog`, opened before anything runs.
    var joblog: Joblog?
}

/// Why a run cannot start, with the exit status it gives.
struct RunProblem: Error {
    var status: ExitStatus
    var message: String
    var folder: StateFolder?
    var runID: Int?
}

enum RunPreparation {
    static func prepare(_ options: FarmOptions, workingDirectory: String,
                        loadJob: Farm.JobLoader) -> Result<PreparedRun, RunProblem> {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: options.jobPath, isDirectory: &isDirectory), isDirectory.boolValue {
            return .failure(RunProblem(status: .badJobFile,
                message: "\(options.jobPath): is a directory; expected a job file (a task list, submit description, PBS or Slurm script)"))
        }
        let folderPath = Farm.absolutePath(options.stateDirectory ?? StateFolder.defaultPath(forJob: options.jobPath))
        let claim: StateFolderClaim
        switch StateFolderClaim.take(folderPath) {
        case .failure(let problem): return .failure(problem)
        case .success(let taken): claim = taken
        }
        let (folder, lock, runID) = (claim.folder, claim.lock, claim.runID)
        func problem(_ status: ExitStatus, _ message: String) -> Result<PreparedRun, RunProblem> {
            .failure(RunProblem(status: status, message: message, folder: folder, runID: runID))
        }

        let job: any Job
        do {
            job = try loadJob(options.jobPath, runID)
        } catch {
            return problem(.badJobFile, "\(error)")
        }
        var outputs = OutputDefaults(output: options.output, error: options.error)
        for (flag, pattern) in [("--output", options.output), ("--error", options.error)] {
            guard let pattern else { continue }
            do {
                let parsed = try OutputPattern(pattern, location: SourceLocation(file: flag, line: 0))
                if job is TaskList, pattern != "/dev/null", !parsed.isPerTask {
                    return problem(.usage, "\(flag) '\(pattern)' names one file for every task; add %a (the task index) or %j, or use /dev/null")
                }
                if let unwritable = OutputCheck.unwritableFolder(for: pattern, relativeTo: options.workingDirectory.map(Farm.absolutePath)
                    ?? workingDirectory) {
                    return problem(.usage, "\(flag) '\(pattern)': \(unwritable)")
                }
            } catch {
                return problem(.usage, "\(error)")
            }
        }
        if job is TaskList {
            outputs.defaultOutput = folder.outputFolder + "/%a.out"
            outputs.defaultError = folder.outputFolder + "/%a.err"
        }

        if let directory = options.workingDirectory.map(Farm.absolutePath) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                return problem(.usage, "--chdir \(directory): no such folder; expected the folder the tasks run in")
            }
        }
        var notes: [String] = []
        let plan: ResumePlan
        let journal: JournalWriter
        /// A DAG run after an earlier one continues it through its rescue file: its joblog
        /// is appended to, as a resume's is.
        var continuesEarlierDAGRun = false
        do {
            if job is DAGJob, let archived = try DAGJournal.startAfresh(folder) {
                continuesEarlierDAGRun = true
                notes.append("the previous DAG run's journal is kept as \(archived); the rescue DAG decides which nodes are done")
            }
            let replay = try JournalReplay(path: folder.journalFile)
            for skipped in replay.skipped {
                notes.append("\(folder.journalFile):\(skipped.line): skipped an untrustworthy record (\(skipped.reason))")
            }
            if replay.runs > 0, !replay.lastRunEnded {
                // This run holds the lock now, so the last one no longer did: it died.
                notes.append("the previous run died without closing its journal (mpirun ended it, a rank or host failed, "
                             + "or it was killed): its verdict.json is not its own, and its running tasks run again")
            }
            // Fingerprint each task as it will really run: the command line's outputs,
            // working directory and time limit change what a task does as much as the file.
            let chdir = options.workingDirectory.map(Farm.absolutePath)
            let fingerprints = (0..<job.taskCount).map { position -> UInt64 in
                var task = job.task(at: position)
                let streams = outputs.resolve(taskOutput: task.stdout, taskError: task.stderr)
                task.stdout = streams.stdout
                task.stderr = streams.stderr
                if task.timeLimit == nil { task.timeLimit = options.timeout }
                if task.workingDirectory == nil { task.workingDirectory = chdir }
                task.attributes["taskfarm.job-name"] = job.name
                return TaskFingerprint.of(task)
            }
            plan = try ResumePlan(replay: replay, fingerprints: fingerprints,
                                  journalFingerprints: folder.readFingerprints(),
                                  rerunFailed: options.rerunFailed, force: options.force)
            journal = try JournalWriter(path: folder.journalFile)
            if plan.writesHeader {
                try folder.writeFingerprints(fingerprints)
                journal.append(.header(version: 1, runID: runID, taskCount: job.taskCount,
                                       fingerprint: TaskFingerprint.combined(fingerprints), jobFile: options.jobPath))
            }
            journal.append(.runBegan(time: Clock.epochSeconds(), resume: plan.isResume), durableNow: true)
            if let error = journal.writeError { return problem(.internalError, error) }
        } catch let mismatch as ResumePlan.Mismatch {
            return problem(.badJobFile, "\(options.jobPath): \(mismatch)")
        } catch {
            return problem(.internalError, "\(error)")
        }
        if plan.isResume {
            var text = "resuming run \(runID) from \(folder.path): \(plan.skippedSucceeded) succeeded task\(plan.skippedSucceeded == 1 ? "" : "s") skipped"
            if !plan.skippedFailures.isEmpty {
                let shown = plan.skippedFailures.prefix(10).map { String(job.task(at: $0).arrayIndex) }.joined(separator: ", ")
                text += ", \(plan.skippedFailures.count) failed skipped (index \(shown)); --rerun-failed runs them again"
            }
            if plan.rerunFailures > 0 { text += ", \(plan.rerunFailures) failed run again" }
            notes.append(text)
        }
        var joblog: Joblog?
        if let path = options.joblog {
            do {
                joblog = try Joblog(path: path, appending: plan.isResume || continuesEarlierDAGRun)
            } catch {
                return problem(.usage, "--joblog \(path): cannot create the joblog: \(error.localizedDescription)")
            }
        }
        return .success(PreparedRun(folder: folder, lock: lock, runID: runID, job: job, outputs: outputs,
                                    journal: journal, plan: plan, notes: notes, joblog: joblog))
    }
}

/// Finds output folders that cannot be created or written, before any task starts.
enum OutputCheck {
    /// The fixed folder part of `pattern` (before any `%` letter), if it exists and is not
    /// writable, or cannot be created; `nil` when it is fine or depends on the task.
    static func unwritableFolder(for pattern: String, relativeTo directory: String) -> String? {
        guard pattern != "/dev/null" else { return nil }
        let fixed = pattern.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard let slash = fixed.lastIndex(of: "/") else { return checkFolder(directory) }
        let folder = String(fixed[..<slash])
        let full = folder.hasPrefix("/") ? folder : directory + "/" + folder
        return checkFolder(full.isEmpty ? "/" : full)
    }

    private static func checkFolder(_ path: String) -> String? {
        var current = path
        let manager = FileManager.default
        while !manager.fileExists(atPath: current) {
            let parent = (current as NSString).deletingLastPathComponent
            if parent == current || parent.isEmpty { return nil }
            current = parent
        }
        var isDirectory: ObjCBool = false
        _ = manager.fileExists(atPath: current, isDirectory: &isDirectory)
        if !isDirectory.boolValue { return "\(current) is not a folder" }
        if !manager.isWritableFile(atPath: current) { return "the folder \(current) is not writable" }
        return nil
    }
}
