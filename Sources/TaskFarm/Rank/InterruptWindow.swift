/// How long running tasks may take to stop when the run is interrupted.
///
/// After `mpirun` receives SIGTERM it waits `odls_base_sigkill_timeout` seconds (default 1),
/// forwards SIGTERM to the ranks, waits as long again, and then SIGKILLs them. A rank
/// therefore has one `odls_base_sigkill_timeout` between its SIGTERM and its death: the
/// tasks' SIGKILL must land well inside it, leaving time to record their ends and close the
/// journal. `mpirun --mca odls_base_sigkill_timeout N` reaches the ranks as
/// `OMPI_MCA_odls_base_sigkill_timeout`, which widens the window.
///
/// Source: Open MPI 4.1 `orte/mca/odls/base` (`odls_base_sigkill_timeout`).
public enum InterruptWindow {
    /// Seconds left for flushing after the tasks' SIGKILL.
    static let flushMargin = 0.4

    /// Seconds between the tasks' SIGTERM and SIGKILL on an interrupt: `killGrace`, capped
    /// so that it ends `flushMargin` before mpirun's own SIGKILL.
    public static func grace(killGrace: Double, environment: [String: String]) -> Double {
        let window = environment["OMPI_MCA_odls_base_sigkill_timeout"].flatMap(Double.init) ?? 1
        return max(0.1, min(killGrace, window - flushMargin))
    }
}
