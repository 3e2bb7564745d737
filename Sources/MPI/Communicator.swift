import CMPI
import CMPIShims

/// A communicator: a group of processes (ranks) and a context for their messages.
///
/// `world` and `self` are predefined and never freed.
///
/// Source: MPI 3.1 chapter 6 (groups, contexts, communicators).
public struct Communicator: @unchecked Sendable {
    /// The C handle. Open MPI's `MPI_Comm` is a pointer; it is safe to share between
    /// threads as far as the thread level allows.
    public let handle: MPI_Comm

    /// Wraps a C handle without taking ownership.
    public init(handle: MPI_Comm) { self.handle = handle }

    /// All processes started together (`MPI_COMM_WORLD`). Source: MPI 3.1 §6.2.4.
    public static var world: Communicator { Communicator(handle: cmpi_comm_world()) }

    /// Only the calling process (`MPI_COMM_SELF`). Source: MPI 3.1 §6.2.4.
    public static var `self`: Communicator { Communicator(handle: cmpi_comm_self()) }

    /// Matches a message from any sender (`MPI_ANY_SOURCE`). Source: MPI 3.1 §3.2.4.
    public static var anySource: Int { Int(cmpi_any_source()) }
    /// Matches a message with any tag (`MPI_ANY_TAG`). Source: MPI 3.1 §3.2.4.
    public static var anyTag: Int32 { cmpi_any_tag() }

    /// The calling process's rank in this communicator, from 0 to `size - 1`.
    /// Source: MPI 3.1 §6.4.1, `MPI_Comm_rank`.
    public var rank: Int {
        var value: Int32 = 0
        _ = MPI_Comm_rank(handle, &value)
        return Int(value)
    }

    /// The number of processes in this communicator. Source: MPI 3.1 §6.4.1, `MPI_Comm_size`.
    public var size: Int {
        var value: Int32 = 0
        _ = MPI_Comm_size(handle, &value)
        return Int(value)
    }
}
