import CMPI

/// The level of thread support of an MPI process, ordered from least to most.
///
/// - `single`, `funneled`: call MPI only from the thread that called
///   ``MPI/initialize(threadLevel:)`` (in `async` code: from `@MainActor`).
/// - `serialized`: any thread, but never two MPI calls at once (confine them to one actor).
/// - `multiple`: any thread, concurrently.
///
/// Source: MPI 3.1 §12.4.3, `MPI_Init_thread`, `MPI_THREAD_*`.
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

    /// Orders by the amount of concurrency allowed: `single < funneled < serialized < multiple`,
    /// as the `MPI_THREAD_*` values do (MPI 3.1 §12.4.3).
    public static func < (lhs: ThreadLevel, rhs: ThreadLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `"single"`, `"funneled"`, `"serialized"` or `"multiple"` (`MPI_THREAD_*`, MPI 3.1 §12.4.3).
    public var description: String {
        switch self {
        case .single: return "single"
        case .funneled: return "funneled"
        case .serialized: return "serialized"
        case .multiple: return "multiple"
        }
    }
}
