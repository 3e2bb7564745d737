import Foundation
import JobSpec

/// What rank 0 of a served farm settles before it listens: the state folder and its lock,
/// the run id, and the queue the journal replays (a farm restarted with the same state
/// folder knows every task submitted before, and how far each got).
struct PreparedQueue {
    var folder: StateFolder
    var lock: StateLock
    var runID: Int
    var job: QueueJob
    var replay: JournalReplay
    var journal: JournalWriter
    var notes: [String]
    /// Where task output goes: the command line's patterns, else `STATE/output/%a.out|err`.
    var outputs: OutputDefaults
}

enum QueuePreparation {
    /// The journal header's fingerprint that marks a served queue's state folder.
    static let fingerprint = "queue"

    /// Claims the state folder and reads back the queue its journal holds; `options` give
    /// the output patterns and folder every submitted task gets.
    static func prepare(stateDirectory: String, options: FarmOptions) -> Result<PreparedQueue, RunProblem> {
        let claim: StateFolderClaim
        switch StateFolderClaim.take(Farm.absolutePath(stateDirectory)) {
        case .failure(let problem): return .failure(problem)
        case .success(let taken): claim = taken
        }
        let folder = claim.folder
        do {
            let (replay, skipped) = try claim.replayJournal()
            var notes = skipped
            if let header = replay.header, header.fingerprint != fingerprint {
                throw claim.problem(.usage, "\(folder.path): this state folder belongs to `taskfarm run \(header.jobFile)`; give `taskfarm serve` a --state-dir of its own")
            }
            let job = QueueJob(name: "queue")
            let decoder = JSONDecoder()
            for (position, text) in replay.submitted {
                guard position == job.taskCount, let task = try? decoder.decode(TaskSpec.self, from: Data(text.utf8)) else {
                    throw claim.problem(.badJobFile, "\(folder.journalFile): the submitted task at position \(position) cannot be read back")
                }
                job.append(task)
            }
            if replay.header != nil {
                notes.append("serving run \(claim.runID) again from \(folder.path): \(job.taskCount) task\(job.taskCount == 1 ? "" : "s") known")
            }
            let outputs = OutputDefaults(output: options.output, error: options.error,
                                         defaultOutput: folder.outputFolder + "/%a.out",
                                         defaultError: folder.outputFolder + "/%a.err")
            let context = RunContext(jobFile: "(queue)", launchDirectory: FileManager.default.currentDirectoryPath,
                                     taskDirectory: options.workingDirectory.map(Farm.absolutePath), jobName: job.name,
                                     user: RunContext.user(in: ProcessInfo.processInfo.environment), outputs: outputs,
                                     timeout: options.timeout)
            let header: JournalRecord? = replay.header != nil ? nil
                : .header(version: 1, runID: claim.runID, taskCount: 0, fingerprint: fingerprint, jobFile: "(queue)")
            let journal = try claim.openJournal(header: header, resume: replay.header != nil, context: context.json)
            return .success(PreparedQueue(folder: folder, lock: claim.lock, runID: claim.runID, job: job, replay: replay,
                                          journal: journal, notes: notes, outputs: outputs))
        } catch let problem as RunProblem {
            return .failure(problem)
        } catch {
            return .failure(claim.problem(.cannotCreate, "\(error)"))
        }
    }
}
