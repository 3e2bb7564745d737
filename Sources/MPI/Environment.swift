import CMPI
import CMPIShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The MPI execution environment: initialization, finalization, time, identity and abort.
///
/// A process initializes MPI once and finalizes it once. ``initialize(threadLevel:)``
/// registers an exit handler: a process that returns from `main` or calls `exit(0)` without
/// ``finalize()`` still finalizes, and one that calls `exit` with a failure status aborts
/// the job (`MPI_Abort` with that status) rather than hang the ranks waiting for it. For a whole program, prefer ``run(threadLevel:_:)``,
/// which also turns an uncaught error into `MPI_Abort` of the world instead of a hang.
///
/// Source: MPI 3.1 chapter 8 (MPI environmental management) and §12.4.3.
public enum MPI {
    /// Initializes MPI once per process, asking for a level of thread support, and installs
    /// `MPI_ERRORS_RETURN` on the world and self communicators so that errors come back
    /// as ``MPIError`` instead of aborting. Registers an exit handler: exiting with status 0
    /// without ``finalize()`` finalizes; exiting with another status calls `MPI_Abort` with it.
    ///
    /// - Parameter threadLevel: the level requested.
    /// - Returns: the level the library provides, which may be lower than requested
    ///   (Open MPI 4.1.4 built with `--enable-mpi-thread-multiple` provides `multiple`).
    /// - Throws: ``MPIError`` of class `MPI_ERR_OTHER` if MPI was already initialized or
    ///   finalized (MPI allows one initialization per process); any error of `MPI_Init_thread`.
    ///
    /// Source: MPI 3.1 §12.4.3, `MPI_Init_thread`; §8.3.1, `MPI_Comm_set_errhandler`.
    @discardableResult
    public static func initialize(threadLevel: ThreadLevel = .single) throws(MPIError) -> ThreadLevel {
        if isFinalized {
            throw MPIError(.other, routine: "MPI_Init_thread", context: "MPI was already finalized; it cannot be initialized again")
        }
        if isInitialized {
            throw MPIError(.other, routine: "MPI_Init_thread", context: "MPI is already initialized; initialize once per process")
        }
        var provided: Int32 = 0
        try check(MPI_Init_thread(nil, nil, threadLevel.cValue, &provided), "MPI_Init_thread",
                  context: "requested thread level \(threadLevel)")
        try check(MPI_Comm_set_errhandler(cmpi_comm_world(), cmpi_errors_return()), "MPI_Comm_set_errhandler",
                  context: "MPI_COMM_WORLD")
        try check(MPI_Comm_set_errhandler(cmpi_comm_self(), cmpi_errors_return()), "MPI_Comm_set_errhandler",
                  context: "MPI_COMM_SELF")
        registerExitHandler()
        return ThreadLevel(cValue: provided)
    }

    /// Finalizes MPI. Every rank must call it once, after its last MPI call; it is collective
    /// over the world. Derived communicators still live at this point are reported on
    /// standard error (they should have been freed with ``DerivedCommunicator/free()``).
    /// Calling it again after MPI is finalized does nothing.
    ///
    /// - Throws: ``MPIError`` if `MPI_Finalize` fails, or of class `MPI_ERR_OTHER` if MPI was
    ///   never initialized.
    ///
    /// Source: MPI 3.1 §8.7, `MPI_Finalize`.
    public static func finalize() throws(MPIError) {
        if isFinalized { return }
        if !isInitialized {
            throw MPIError(.other, routine: "MPI_Finalize", context: "MPI was never initialized")
        }
        CommunicatorLedger.reportLiveAtFinalize()
        try check(MPI_Finalize(), "MPI_Finalize")
    }

    /// At exit, a program that forgot `finalize()` finalizes; one exiting with a failure
    /// status aborts the job instead, since `MPI_Finalize` would wait for the other ranks.
    private static func registerExitHandler() {
        #if canImport(Glibc)
        on_exit({ status, _ in MPI.atExit(status: status) }, nil)
        #else
        atexit { MPI.atExit(status: 0) }
        #endif
    }

    private static func atExit(status: Int32) {
        guard isInitialized && !isFinalized else { return }
        if status == 0 {
            try? finalize()
        } else {
            abort(errorCode: status)
        }
    }

    /// Whether MPI has been initialized (stays `true` after finalization).
    /// Callable at any time (it cannot fail). Source: MPI 3.1 §8.7, `MPI_Initialized`.
    public static var isInitialized: Bool {
        var flag: Int32 = 0
        checkPrecondition(MPI_Initialized(&flag), "MPI_Initialized")
        return flag != 0
    }

    /// Whether ``finalize()`` has completed. Callable at any time (it cannot fail).
    /// Source: MPI 3.1 §8.7, `MPI_Finalized`.
    public static var isFinalized: Bool {
        var flag: Int32 = 0
        checkPrecondition(MPI_Finalized(&flag), "MPI_Finalized")
        return flag != 0
    }

    /// The thread level MPI provides in this process, once initialized.
    ///
    /// - Throws: ``MPIError`` from `MPI_Query_thread`. Source: MPI 3.1 §12.4.3, `MPI_Query_thread`.
    public static func providedThreadLevel() throws(MPIError) -> ThreadLevel {
        var provided: Int32 = 0
        try check(MPI_Query_thread(&provided), "MPI_Query_thread")
        return ThreadLevel(cValue: provided)
    }

    /// Whether the calling thread is the one that initialized MPI (the only one allowed to
    /// call MPI under `funneled`).
    ///
    /// - Throws: ``MPIError`` from `MPI_Is_thread_main`. Source: MPI 3.1 §12.4.3, `MPI_Is_thread_main`.
    public static func isMainThread() throws(MPIError) -> Bool {
        var flag: Int32 = 0
        try check(MPI_Is_thread_main(&flag), "MPI_Is_thread_main")
        return flag != 0
    }

    /// Aborts every process of the communicator's group (Open MPI aborts the whole job),
    /// with `errorCode` as the exit status where the launcher supports it. Does not return:
    /// should `MPI_Abort` itself fail, the process traps with its error.
    ///
    /// Source: MPI 3.1 §8.7, `MPI_Abort`.
    public static func abort(errorCode: Int32, communicator: Communicator = .world) -> Never {
        let code = MPI_Abort(communicator.handle, errorCode)
        fatalError("\(MPIError(code: code, routine: "MPI_Abort"))")
    }

    /// Elapsed wall-clock time in seconds since an arbitrary time in the past, for intervals.
    /// Source: MPI 3.1 §8.6, `MPI_Wtime`.
    public static func wallTime() -> Double { MPI_Wtime() }

    /// The resolution of ``wallTime()``, in seconds. Source: MPI 3.1 §8.6, `MPI_Wtick`.
    public static func wallTick() -> Double { MPI_Wtick() }

    /// The name of the processor (host) this process runs on, such as `"node017"`.
    ///
    /// - Throws: ``MPIError`` from `MPI_Get_processor_name`. Source: MPI 3.1 §8.1.2, `MPI_Get_processor_name`.
    public static func processorName() throws(MPIError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(cmpi_max_processor_name()) + 1)
        var length: Int32 = 0
        try check(MPI_Get_processor_name(&buffer, &length), "MPI_Get_processor_name")
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The library's own version string, such as `"Open MPI v4.1.4, package: ..."`.
    /// Callable before initialization.
    ///
    /// - Throws: ``MPIError`` from `MPI_Get_library_version`.
    /// Source: MPI 3.1 §8.1.1, `MPI_Get_library_version`.
    public static func libraryVersion() throws(MPIError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(cmpi_max_library_version_string()) + 1)
        var length: Int32 = 0
        try check(MPI_Get_library_version(&buffer, &length), "MPI_Get_library_version")
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The version of the MPI standard the library implements: `(3, 1)` for Open MPI 4.1.4.
    /// Callable at any time (it cannot fail).
    ///
    /// Source: MPI 3.1 §8.1.1, `MPI_Get_version`.
    public static func standardVersion() -> (major: Int, minor: Int) {
        var major: Int32 = 0
        var minor: Int32 = 0
        checkPrecondition(MPI_Get_version(&major, &minor), "MPI_Get_version")
        return (Int(major), Int(minor))
    }
}
