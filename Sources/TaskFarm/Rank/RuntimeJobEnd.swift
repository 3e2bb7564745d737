import Glibc

/// Asks the MPI runtime, through PMIx, to end the whole job: how rank 0 makes Open MPI 4.1's
/// `mpirun` exit after a run that lost a worker.
///
/// `mpirun` ends a job when every rank's end has reached it, and after a loss some never do: a
/// remote host's daemon reports only the first abnormal end on its host (docs/failures.md), so
/// `mpirun` stayed up after the farm had ended. PMIx job control with `PMIX_JOB_CTRL_TERMINATE`
/// and no targets makes Open MPI halt its daemons (`orte/orted/pmix/pmix_server_gen.c`,
/// `pmix_server_job_ctrl_fn`, which sends `ORTE_DAEMON_HALT_VM_CMD` to every daemon): each
/// stops the ranks still on its host and exits, and `mpirun` exits with the status it holds,
/// which under recovery is 0 (a dead rank does not change it). Measured on 3 namespace hosts
/// and on one host. A host whose link is cut never answers, and `mpirun` still waits for it.
///
/// PMIx is reached with `dlsym` in the `libpmix.so.2` that Open MPI has loaded, so nothing links
/// against it, and only the PMIx Standard's calls are made (`PMIx_Init`, `PMIx_Info_load`,
/// `PMIx_Job_control`, `PMIx_Finalize`), with buffers larger than the structures they fill
/// (PMIx 4.2: `pmix_proc_t` 260 bytes, `pmix_info_t` 552).
enum RuntimeJobEnd {
    private typealias Initialize = @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, Int) -> Int32
    private typealias LoadInfo = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, UnsafeRawPointer?, UInt16) -> Int32
    private typealias JobControl = @convention(c) (UnsafeRawPointer?, Int, UnsafeRawPointer?, Int,
                                                   UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<Int>?) -> Int32
    private typealias Finalize = @convention(c) (UnsafeRawPointer?, Int) -> Int32

    /// PMIx Standard values: `PMIX_SUCCESS`, the `PMIX_BOOL` data type, and the attribute.
    private static let success: Int32 = 0
    private static let boolType: UInt16 = 1
    private static let terminate = "pmix.jctrl.term"

    /// Sends the request and waits for the local daemon to accept it. Returns `false` when
    /// this process has no PMIx (not Open MPI) or PMIx refuses. Every rank of the job, this one
    /// too, is stopped soon after a `true`: call it last.
    static func request() -> Bool {
        guard let library = dlopen("libpmix.so.2", RTLD_NOW | RTLD_NOLOAD),
              let initialize = function("PMIx_Init", in: library, as: Initialize.self),
              let loadInfo = function("PMIx_Info_load", in: library, as: LoadInfo.self),
              let jobControl = function("PMIx_Job_control", in: library, as: JobControl.self),
              let finalize = function("PMIx_Finalize", in: library, as: Finalize.self) else { return false }
        let process = zeroedBuffer(), directive = zeroedBuffer()
        defer { process.deallocate(); directive.deallocate() }
        guard initialize(process, nil, 0) == success else { return false }
        // PMIx counts initializations: this one's finalize leaves Open MPI's in place.
        defer { _ = finalize(nil, 0) }
        var yes = true
        guard loadInfo(directive, terminate, &yes, boolType) == success else { return false }
        var results: UnsafeMutableRawPointer?
        var resultCount = 0
        return jobControl(nil, 0, directive, 1, &results, &resultCount) == success
    }

    private static func function<T>(_ name: String, in library: UnsafeMutableRawPointer, as type: T.Type) -> T? {
        guard let address = dlsym(library, name) else { return nil }
        return unsafeBitCast(address, to: type)
    }

    private static func zeroedBuffer() -> UnsafeMutableRawPointer {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: 4096)
        return buffer
    }
}
