import CMPI
import CMPIShims

/// The level of thread support of an MPI process.
///
/// Source: MPI 3.1 §12.4.3, `MPI_Init_thread`.
public enum ThreadLevel: Int32, Sendable, Comparable, CustomStringConvertible {
    /// Only one thread will execute (`MPI_THREAD_SINGLE`).
    case single
    /// Only the main thread makes MPI calls (`MPI_THREAD_FUNNELED`).
    case funneled
    /// Any thread, one at a time (`MPI_THREAD_SERIALIZED`).
    case serialized
    /// Any thread, concurrently (`MPI_THREAD_MULTIPLE`).
    case multiple

    init(cValue: Int32) {
        switch cValue {
        case Int32(MPI_THREAD_MULTIPLE): self = .multiple
        case Int32(MPI_THREAD_SERIALIZED): self = .serialized
        case Int32(MPI_THREAD_FUNNELED): self = .funneled
        default: self = .single
        }
    }

    var cValue: Int32 {
        switch self {
        case .single: return Int32(MPI_THREAD_SINGLE)
        case .funneled: return Int32(MPI_THREAD_FUNNELED)
        case .serialized: return Int32(MPI_THREAD_SERIALIZED)
        case .multiple: return Int32(MPI_THREAD_MULTIPLE)
        }
    }

    public static func < (lhs: ThreadLevel, rhs: ThreadLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .single: return "single"
        case .funneled: return "funneled"
        case .serialized: return "serialized"
        case .multiple: return "multiple"
        }
    }
}

/// The MPI execution environment: initialization, finalization, time and abort.
///
/// Source: MPI 3.1 chapter 8 (MPI environmental management) and §12.4.3.
public enum MPI {
    /// Initializes MPI, asking for a level of thread support, and installs
    /// `MPI_ERRORS_RETURN` on the world and self communicators so that errors come back
    /// as ``MPIError`` instead of aborting.
    ///
    /// - Parameter threadLevel: the level requested.
    /// - Returns: the level the library provides, which may be lower than requested.
    /// - Throws: ``MPIError`` if `MPI_Init_thread` fails or MPI was already initialized.
    ///
    /// Source: MPI 3.1 §12.4.3, `MPI_Init_thread`.
    @discardableResult
    public static func initialize(threadLevel: ThreadLevel = .single) throws(MPIError) -> ThreadLevel {
        var provided: Int32 = 0
        try check(MPI_Init_thread(nil, nil, threadLevel.cValue, &provided), "MPI_Init_thread")
        try check(MPI_Comm_set_errhandler(cmpi_comm_world(), cmpi_errors_return()), "MPI_Comm_set_errhandler",
                  context: "MPI_COMM_WORLD")
        try check(MPI_Comm_set_errhandler(cmpi_comm_self(), cmpi_errors_return()), "MPI_Comm_set_errhandler",
                  context: "MPI_COMM_SELF")
        return ThreadLevel(cValue: provided)
    }

    /// Finalizes MPI. Every rank must call it once, after its last MPI call.
    ///
    /// - Throws: ``MPIError`` if `MPI_Finalize` fails.
    ///
    /// Source: MPI 3.1 §8.7, `MPI_Finalize`.
    public static func finalize() throws(MPIError) {
        try check(MPI_Finalize(), "MPI_Finalize")
    }

    /// Whether ``initialize(threadLevel:)`` has completed. Source: MPI 3.1 §8.7, `MPI_Initialized`.
    public static var isInitialized: Bool {
        var flag: Int32 = 0
        _ = MPI_Initialized(&flag)
        return flag != 0
    }

    /// Whether ``finalize()`` has completed. Source: MPI 3.1 §8.7, `MPI_Finalized`.
    public static var isFinalized: Bool {
        var flag: Int32 = 0
        _ = MPI_Finalized(&flag)
        return flag != 0
    }

    /// Aborts every process of the communicator's group, with `errorCode` returned to
    /// the launcher where it supports that. Does not return.
    ///
    /// Source: MPI 3.1 §8.7, `MPI_Abort`.
    public static func abort(errorCode: Int32, communicator: Communicator = .world) -> Never {
        _ = MPI_Abort(communicator.handle, errorCode)
        fatalError("MPI_Abort returned")
    }

    /// Elapsed wall-clock time in seconds since an arbitrary time in the past.
    /// Source: MPI 3.1 §8.6, `MPI_Wtime`.
    public static func wallTime() -> Double { MPI_Wtime() }

    /// The resolution of ``wallTime()``, in seconds. Source: MPI 3.1 §8.6, `MPI_Wtick`.
    public static func wallTick() -> Double { MPI_Wtick() }
}
