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
    /// What the command line adds to every task (outputs, time limit, folder).
    var taskDefaults: TaskDefaults
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
    /// Claims the state folder, loads the job, checks the outputs and the working folder,
    /// plans the resume and opens the journal and the joblog: everything or nothing.
    static func prepare(_ options: FarmOptions, workingDirectory: String,
                        loadJob: Farm.JobLoader) -> Result<PreparedRun, RunProblem> {
        // Checked before the state folder is made: a mistyped name leaves nothing behind.
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: options.jobPath, isDirectory: &isDirectory)
        if options.jobPath != StateFolder.standardInput, !exists || isDirectory.boolValue {
            return .failure(RunProblem(status: .badJobFile,
                message: "\(options.jobPath): \(exists ? "is a directory" : "error: no such file"); expected a job file "
                    + "(a task list, submit description, PBS or Slurm script, or DAG)"))
        }
        let folderPath = Farm.absolutePath(options.stateDirectory ?? StateFolder.defaultPath(forJob: options.jobPath))
        let claim: StateFolderClaim
        switch StateFolderClaim.take(folderPath) {
        case .failure(let problem): return .failure(problem)
        case .success(let taken): claim = taken
        }
        var jobPath = options.jobPath
        // The copy of an earlier run's list from standard input, put back if this one is refused.
        var earlierStandardInput: Data?
        if jobPath == StateFolder.standardInput {
            // Kept in the state folder: the tasks must be reloadable after the run.
            earlierStandardInput = FileManager.default.contents(atPath: claim.folder.standardInputCopy)
            let list: Data
            do {
                list = try StandardInput.read()
            } catch {
                return .failure(claim.problem(.noInput, error.description))
            }
            do {
                try list.write(to: URL(fileURLWithPath: claim.folder.standardInputCopy), options: .atomic)
            } catch {
                return .failure(claim.problem(.cannotCreate, "\(claim.folder.standardInputCopy): cannot keep the task list read from standard input: \(error.fileErrorReason)"))
            }
            jobPath = claim.folder.standardInputCopy
        }
        do throws(RunProblem) {
            let job: any Job
            do {
                job = try loadJob(jobPath, claim.runID)
            } catch {
                throw claim.problem(error.isInCommandLine ? .usage : .badJobFile, "\(error)")
            }
            if job.jobIDsUsed > 1 { RunIDSequence.reserve(through: claim.runID + job.jobIDsUsed - 1) }
            let defaults = TaskDefaults(outputs: try outputDefaults(options, job: job, claim: claim, workingDirectory: workingDirectory),
                                        timeLimit: options.timeout, workingDirectory: options.workingDirectory.map(Farm.absolutePath))
            if let directory = options.workingDirectory.map(Farm.absolutePath) {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw claim.problem(.usage, "--chdir \(directory): no such folder; expected the folder the tasks run in")
                }
            }
            let (plan, journal, journalNotes, continuesEarlierDAGRun)
                = try openJournal(options, jobPath: jobPath, job: job, defaults: defaults, claim: claim,
                                  earlierStandardInput: earlierStandardInput)
            let notes = journalNotes + (plan.isResume ? [resumeNote(plan, job: job, claim: claim)] : [])
            var joblog: Joblog?
            if let path = options.joblog {
                do {
                    joblog = try Joblog(path: path, appending: plan.isResume || continuesEarlierDAGRun)
                } catch {
                    // The journal's run began: end it, so that nobody reads a refused run as one that died.
                    journal.append(.runEnded(time: Clock.epochSeconds(), status: Int(ExitStatus.cannotCreate.rawValue)),
                                   durableNow: true)
                    throw claim.problem(.cannotCreate, "--joblog \(path): cannot create the joblog: \(error.fileErrorReason)")
                }
            }
            return .success(PreparedRun(folder: claim.folder, lock: claim.lock, runID: claim.runID, job: job,
                                        taskDefaults: defaults, journal: journal, plan: plan, notes: notes, joblog: joblog))
        } catch {
            return .failure(error)
        }
    }

    /// The command line's `--output`/`--error`, checked (a task list needs a per-task
    /// pattern; the fixed folder must be writable), with the state folder's defaults for a
    /// task list.
    private static func outputDefaults(_ options: FarmOptions, job: any Job, claim: StateFolderClaim,
                                       workingDirectory: String) throws(RunProblem) -> OutputDefaults {
        var outputs = OutputDefaults(output: options.output, error: options.error)
        for (flag, pattern) in [("--output", options.output), ("--error", options.error)] {
            guard let pattern else { continue }
            let parsed: OutputPattern
            do {
                parsed = try OutputPattern(pattern, location: SourceLocation(file: flag, line: 0))
            } catch {
                throw claim.problem(.usage, "\(error)")
            }
            if job is TaskList, pattern != "/dev/null", !parsed.isPerTask {
                throw claim.problem(.usage, "\(flag) '\(pattern)' names one file for every task; add %a (the task index) or %j, or use /dev/null")
            }
            if let unwritable = OutputCheck.unwritableFolder(for: pattern, relativeTo: options.workingDirectory.map(Farm.absolutePath)
                ?? workingDirectory) {
                throw claim.problem(.cannotCreate, "\(flag) '\(pattern)': \(unwritable)")
            }
        }
        if job is TaskList {
            outputs.defaultOutput = claim.folder.outputFolder + "/%a.out"
            outputs.defaultError = claim.folder.outputFolder + "/%a.err"
        }
        return outputs
    }

    /// Replays the journal, plans what a resume skips from the tasks' fingerprints, and
    /// opens the journal for this run with its ``RunContext``. A DAG run after an earlier one
    /// continues it through its rescue file (`continuesEarlierDAGRun`): its joblog is appended
    /// to, as a resume's is. `jobPath` is the file the job was read from (the state folder's
    /// copy of standard input for `run -`, whose earlier copy is put back when refused).
    private static func openJournal(_ options: FarmOptions, jobPath: String, job: any Job, defaults: TaskDefaults,
                                    claim: StateFolderClaim, earlierStandardInput: Data?)
        throws(RunProblem) -> (plan: ResumePlan, journal: JournalWriter, notes: [String], continuesEarlierDAGRun: Bool) {
        let folder = claim.folder
        var notes: [String] = []
        var continuesEarlierDAGRun = false
        do {
            if job is DAGJob, let archived = try DAGJournal.startAfresh(folder) {
                continuesEarlierDAGRun = true
                notes.append("the previous DAG run's journal is kept as \(archived); the rescue DAG decides which nodes are done")
            }
            let (replay, skipped) = try claim.replayJournal(taskCountLimit: job.taskCount, rescuedByDAG: job is DAGJob)
            notes += skipped
            if replay.runs > 0, !replay.lastRunEnded {
                // This run holds the lock now, so the last one no longer did: it died.
                notes.append("the previous run died without closing its journal (mpirun ended it, a rank or host failed, "
                             + "or it was killed): its verdict.json is not its own, and its running tasks run again")
            }
            let (plan, fingerprints) = try resumePlan(options, job: job, defaults: defaults, replay: replay, folder: folder)
            let header = try journalHeader(plan: plan, fingerprints: fingerprints, replay: replay, options: options,
                                           job: job, claim: claim)
            let overrides = options.jobOverrides
            let context = RunContext(jobFile: Farm.absolutePath(jobPath), launchDirectory: FileManager.default.currentDirectoryPath,
                                     taskDirectory: defaults.workingDirectory, format: overrides.format?.rawValue,
                                     jobNameOverride: overrides.jobName, scriptArguments: overrides.scriptArguments,
                                     rescueFrom: overrides.rescueFrom, jobName: job.name,
                                     user: RunContext.user(in: ProcessInfo.processInfo.environment),
                                     outputs: defaults.outputs, timeout: options.timeout,
                                     jobFileDigest: RunContext.digest(ofFile: jobPath),
                                     dagRescue: (job as? DAGJob).map { $0.dag.rescueNumber ?? 0 })
            let journal = try claim.openJournal(header: header, resume: plan.isResume, context: context.json)
            return (plan, journal, notes, continuesEarlierDAGRun)
        } catch let problem as RunProblem {
            throw problem
        } catch let mismatch as ResumePlan.Mismatch {
            if let earlierStandardInput {  // the folder keeps the list its journal ran
                try? earlierStandardInput.write(to: URL(fileURLWithPath: folder.standardInputCopy), options: .atomic)
            }
            let named = options.jobPath == StateFolder.standardInput
                ? "the task list on standard input (\(folder.path))" : options.jobPath
            throw claim.problem(.badJobFile, "\(named): \(mismatch)")
        } catch {
            throw claim.problem(.cannotCreate, "\(error)")
        }
    }

    /// The tasks' fingerprints and what a resume skips by them. Each task is fingerprinted
    /// as it will really run: the command line's outputs, working directory and time limit
    /// change what a task does as much as the file. Paths under the state folder and the job
    /// file's folder count relative to them, so a folder copied or moved with its job file
    /// resumes; a journal written before that matches absolute paths.
    ///
    /// - Throws: ``ResumePlan/Mismatch`` when the tasks changed.
    private static func resumePlan(_ options: FarmOptions, job: any Job, defaults: TaskDefaults, replay: JournalReplay,
                                   folder: StateFolder) throws -> (plan: ResumePlan, fingerprints: [UInt64]) {
        let anchors = [TaskFingerprint.Anchor(folder: folder.path, name: "$STATE"),
                       TaskFingerprint.Anchor(folder: (Farm.absolutePath(options.jobPath) as NSString).deletingLastPathComponent, name: "$JOB")]
        func fingerprintsOfTasks(anchored: Bool) -> [UInt64] {
            (0..<job.taskCount).map { position -> UInt64 in
                var task = defaults.finalForm(of: job.task(at: position))
                task.attributes["taskfarm.job-name"] = job.name
                return TaskFingerprint.of(anchored ? TaskFingerprint.relocatable(task, anchors: anchors) : task)
            }
        }
        let fingerprints = fingerprintsOfTasks(anchored: true)
        do {
            let plan = try ResumePlan(replay: replay, fingerprints: fingerprints, journalFingerprints: folder.readFingerprints(),
                                      rerunFailed: options.rerunFailed, force: options.force)
            return (plan, fingerprints)
        } catch {
            let absolute = fingerprintsOfTasks(anchored: false)
            guard let legacy = try? ResumePlan(replay: replay, fingerprints: absolute,
                                               journalFingerprints: folder.readFingerprints(),
                                               rerunFailed: options.rerunFailed, force: false) else { throw error }
            return (legacy, absolute)
        }
    }

    /// The header this run writes: a new one (with the fingerprints file) when the plan
    /// starts afresh, the rebuilt one when the journal's was damaged, else none.
    ///
    /// - Throws: ``RunProblem`` (75) when the fingerprints file cannot be written: nothing ran.
    private static func journalHeader(plan: ResumePlan, fingerprints: [UInt64], replay: JournalReplay, options: FarmOptions,
                                      job: any Job, claim: StateFolderClaim) throws(RunProblem) -> JournalRecord? {
        if plan.writesHeader {
            do {
                try claim.folder.writeFingerprints(fingerprints)
            } catch {
                // Nothing ran: once the folder can be written, running again works.
                throw claim.problem(.interrupted, "\(error); nothing was run")
            }
            return .header(version: 1, runID: claim.runID, taskCount: job.taskCount,
                           fingerprint: TaskFingerprint.combined(fingerprints), jobFile: options.jobPath)
        }
        if replay.headerRebuilt, let rebuilt = replay.header {
            // Written again, so the journal has a trustworthy header of its own.
            return .header(version: 1, runID: rebuilt.runID, taskCount: rebuilt.taskCount,
                           fingerprint: rebuilt.fingerprint, jobFile: options.jobPath)
        }
        return nil
    }

    /// What a resume skips and runs again, for the user.
    private static func resumeNote(_ plan: ResumePlan, job: any Job, claim: StateFolderClaim) -> String {
        var text = "resuming run \(claim.runID) from \(claim.folder.path): \(plan.skippedSucceeded) succeeded task\(plan.skippedSucceeded == 1 ? "" : "s") skipped"
        if !plan.skippedFailures.isEmpty {
            let shown = plan.skippedFailures.prefix(10).map { String(job.task(at: $0).arrayIndex) }.joined(separator: ", ")
            text += ", \(plan.skippedFailures.count) failed skipped (index \(shown)); --rerun-failed runs them again"
        }
        if plan.rerunFailures > 0 { text += ", \(plan.rerunFailures) failed run again" }
        return text
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
