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
}

enum QueuePreparation {
    /// The journal header's fingerprint that marks a served queue's state folder.
    static let fingerprint = "queue"

    static func prepare(stateDirectory: String) -> Result<PreparedQueue, RunProblem> {
        let folderPath = Farm.absolutePath(stateDirectory)
        let claim: StateFolderClaim
        switch StateFolderClaim.take(folderPath) {
        case .failure(let problem): return .failure(problem)
        case .success(let taken): claim = taken
        }
        let (folder, lock, runID) = (claim.folder, claim.lock, claim.runID)
        func problem(_ status: ExitStatus, _ message: String) -> Result<PreparedQueue, RunProblem> {
            .failure(RunProblem(status: status, message: message, folder: folder, runID: runID))
        }
        do {
            let replay = try JournalReplay(path: folder.journalFile)
            var notes = replay.skipped.map { "\(folder.journalFile):\($0.line): skipped an untrustworthy record (\($0.reason))" }
            if let header = replay.header, header.fingerprint != fingerprint {
                return problem(.usage, "\(folder.path): this state folder belongs to `taskfarm run \(header.jobFile)`; give `taskfarm serve` a --state-dir of its own")
            }
            let job = QueueJob(name: "queue")
            let decoder = JSONDecoder()
            for (position, text) in replay.submitted {
                guard position == job.taskCount, let task = try? decoder.decode(TaskSpec.self, from: Data(text.utf8)) else {
                    return problem(.internalError, "\(folder.journalFile): the submitted task at position \(position) cannot be read back")
                }
                job.append(task)
            }
            let journal = try JournalWriter(path: folder.journalFile)
            if replay.header == nil {
                journal.append(.header(version: 1, runID: runID, taskCount: 0, fingerprint: fingerprint, jobFile: "(queue)"))
            } else {
                notes.append("serving run \(runID) again from \(folder.path): \(job.taskCount) task\(job.taskCount == 1 ? "" : "s") known")
            }
            journal.append(.runBegan(time: Clock.epochSeconds(), resume: replay.header != nil), durableNow: true)
            if let error = journal.writeError { return problem(.internalError, error) }
            return .success(PreparedQueue(folder: folder, lock: lock, runID: runID, job: job, replay: replay,
                                          journal: journal, notes: notes))
        } catch {
            return problem(.internalError, "\(error)")
        }
    }
}
