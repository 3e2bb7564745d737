/// Detects a launch that cannot be right: the MPI library says this is a one-rank world
/// while the launcher's variables say more ranks were started. Then every rank would think
/// it is rank 0 and run the whole job (typically `taskfarm` built against another MPI
/// than the `mpirun` that started it).
enum LaunchCheck {
    /// The problem, or `nil` when the launch is consistent.
    static func mismatch(worldSize: Int, environment: [String: String]) -> String? {
        guard worldSize == 1 else { return nil }
        for name in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"] {
            if let text = environment[name], let launched = Int(text), launched > 1 {
                return "the MPI library reports a world of 1 rank, but the launcher started \(launched) (\(name)=\(text)). "
                    + "taskfarm was probably built against a different MPI than the mpirun that started it; "
                    + "rebuild it against the mpirun in PATH (check `mpirun --version` and `pkg-config --modversion ompi-c`)."
            }
        }
        return nil
    }
}
