import Glibc

/// Open MPI's fence at the start of `MPI_Finalize`, which a rank turns off once a peer is lost.
///
/// Open MPI 4.1 begins `MPI_Finalize` with a PMIx fence over every rank of the job
/// (`ompi/runtime/ompi_mpi_finalize.c`, `ompi_mpi_finalize`) unless the MCA parameter
/// `async_mpi_finalize` is set (the global `ompi_async_mpi_finalize`, registered in
/// `ompi/runtime/ompi_mpi_params.c`). A dead rank never enters that fence, so the survivors of
/// a lost worker would wait in it (measured: 5 minutes, then `mpirun` exited 1). The parameter
/// is read once, in `MPI_Init`, and only a run that lost a worker should go without the fence,
/// so the library's global is set just before `MPI_Finalize`.
///
/// Why finalize at all rather than leave with `_exit`: Open MPI's daemon on each remote host
/// (`orte/mca/errmgr/default_orted/errmgr_default_orted.c`, `proc_errors`) counts a rank that
/// exits without `MPI_Finalize` as an abnormal end ("terminated without sync") and tells
/// `mpirun` of only the first abnormal end on its host, so `mpirun` never counted the others
/// and stayed up after the farm had ended.
enum FinalizeFence {
    /// Turns the fence off for this process. Returns `false` when the MPI library has no such
    /// switch (it is not Open MPI); then `MPI_Finalize` would still wait for the dead ranks.
    static func turnOff() -> Bool {
        guard let program = dlopen(nil, RTLD_NOW), let flag = dlsym(program, "ompi_async_mpi_finalize") else {
            return false
        }
        // A C `bool`: one byte, 0 or 1.
        flag.assumingMemoryBound(to: Bool.self).pointee = true
        return true
    }
}
