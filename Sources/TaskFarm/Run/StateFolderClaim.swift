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
                                       message: "\(path): cannot use as the state folder: \(error.localizedDescription)"))
        }
    }
}
