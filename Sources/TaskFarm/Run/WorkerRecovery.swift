import Logging

/// Whether Open MPI keeps the job alive when a rank dies, and what rank 0 says about it.
///
/// Under `mpirun --enable-recovery` (or `OMPI_MCA_orte_enable_recovery=1` in mpirun's
/// environment) Open MPI 4 lets the other ranks run on when one dies, and sets
/// `OMPI_MCA_orte_enable_recovery=1` in every rank's environment; the farm then loses only
/// the dead worker's tasks, which run again elsewhere. Without it, `mpirun` kills every rank
/// about 2 s after one dies. A silent host (its link down) is found by the farm either way,
/// since Open MPI takes minutes to notice it. Source: Open MPI 4.1 mpirun(1),
/// `--enable-recovery`.
enum WorkerRecovery {
    /// Whether this rank runs under `mpirun --enable-recovery`.
    static func isEnabled(environment: [String: String]) -> Bool {
        guard let value = environment["OMPI_MCA_orte_enable_recovery"]?.lowercased() else { return false }
        return ["1", "true", "yes", "enabled"].contains(value)
    }

    /// How to keep the farm running when a worker's rank dies, for messages.
    static let howToEnable = "start the farm with `mpirun --enable-recovery` so that the other ranks survive a dead rank"

    /// What an interrupt's provisional verdict adds when recovery is off: mpirun ends a job
    /// whose rank died with SIGTERM, and the user can keep the others running next time.
    static func interruptHint(environment: [String: String]) -> String? {
        isEnabled(environment: environment) ? nil : "if mpirun stopped it because a rank died: \(howToEnable)"
    }

    /// Logs once, at the start of rank 0, whether a dead rank will cost only its tasks, and
    /// makes the scheduler log each lost worker.
    static func attach(to scheduler: Scheduler, environment: [String: String], logger: Logger) {
        let enabled = isEnabled(environment: environment)
        if enabled {
            logger.notice("Open MPI recovery is on: a worker whose rank dies or whose host goes silent costs only its tasks")
        } else {
            logger.notice("Open MPI recovery is off: mpirun ends the job when a rank dies; \(howToEnable)")
        }
        scheduler.onWorkerLost = { worker, tasks in
            var text = "worker \(worker.name) is lost (\(worker.reason)); its \(tasks) task\(tasks == 1 ? "" : "s") go back to the queue"
            if !enabled { text += "; if its rank died, mpirun will end the job: \(howToEnable)" }
            logger.warning("\(text)")
        }
    }

    /// Set on every surviving rank when the run lost a worker (rank 0 knows it; the others
    /// learn it from the final stop). Written and read on the rank's one MPI thread.
    nonisolated(unsafe) static var peerLost = false

    /// Whether this rank must finalize without Open MPI's fence (``FinalizeFence``): under
    /// recovery, after a worker was lost, `MPI_Finalize` waits in a fence for every rank, the
    /// dead ones too, and holds the survivors for minutes (measured: 5 minutes, then exit 1).
    /// The rank's loop has completed its sends by then.
    static func skipsFinalizeFence(environment: [String: String]) -> Bool {
        peerLost && isEnabled(environment: environment)
    }
}
