import CMPI
import CMPIShims

/// A communicator: a group of processes (ranks) and a context for their messages.
///
/// `Communicator` is a non-owning view of a C handle and is freely copyable and `Sendable`.
/// ``world`` and ``self`` are predefined and never freed. Communicators made by ``dup()``,
/// ``split(color:key:)`` and friends come back as a ``DerivedCommunicator``, which owns
/// its handle and must be freed explicitly (collectively) with ``DerivedCommunicator/free()``.
///
/// Source: MPI 3.1 chapter 6 (groups, contexts, communicators).
public struct Communicator: @unchecked Sendable, Equatable {
    /// The C handle. Open MPI's `MPI_Comm` is a pointer; it is safe to share between
    /// threads as far as the thread level allows.
    public let handle: MPI_Comm

    /// Wraps a C `MPI_Comm` handle without taking ownership (it is never freed through this
    /// value). Source: MPI 3.1 §6.4.
    public init(handle: MPI_Comm) { self.handle = handle }

    /// All processes started together (`MPI_COMM_WORLD`). Source: MPI 3.1 §6.2.4.
    public static var world: Communicator { Communicator(handle: cmpi_comm_world()) }

    /// Only the calling process (`MPI_COMM_SELF`). Source: MPI 3.1 §6.2.4.
    public static var `self`: Communicator { Communicator(handle: cmpi_comm_self()) }

    /// Matches a message from any sender (`MPI_ANY_SOURCE`). Source: MPI 3.1 §3.2.4.
    public static var anySource: Int { Int(cmpi_any_source()) }
    /// Matches a message with any tag (`MPI_ANY_TAG`). Source: MPI 3.1 §3.2.4.
    public static var anyTag: Int32 { cmpi_any_tag() }
    /// The null process (`MPI_PROC_NULL`): a send to it or a receive from it completes at
    /// once and moves no data. Source: MPI 3.1 §3.11.
    public static var nullProcess: Int { Int(cmpi_proc_null()) }

    /// The calling process's rank in this communicator, from 0 to `size - 1`.
    /// Precondition: MPI is initialized and the handle is valid (as every `Communicator`
    /// this module makes is, until a derived one is freed).
    /// Source: MPI 3.1 §6.4.1, `MPI_Comm_rank`.
    public var rank: Int { Int(query("MPI_Comm_rank", MPI_Comm_rank)) }

    /// The number of processes in this communicator. Precondition: as for ``rank``.
    /// Source: MPI 3.1 §6.4.1, `MPI_Comm_size`.
    public var size: Int { Int(query("MPI_Comm_size", MPI_Comm_size)) }

    /// For an intercommunicator (from ``accept(port:root:)``/``connect(port:root:)``), the
    /// number of processes in the remote group; for an ordinary communicator, ``size``.
    /// Point-to-point ranks on an intercommunicator name processes of the remote group.
    /// Precondition: as for ``rank``. Source: MPI 3.1 §6.6.1, `MPI_Comm_remote_size`.
    public var remoteSize: Int {
        isIntercommunicator ? Int(query("MPI_Comm_remote_size", MPI_Comm_remote_size)) : size
    }

    /// Whether this is an intercommunicator (two groups). Precondition: as for ``rank``.
    /// Source: MPI 3.1 §6.6.1, `MPI_Comm_test_inter`.
    public var isIntercommunicator: Bool { query("MPI_Comm_test_inter", MPI_Comm_test_inter) != 0 }

    /// One integer a local query of the communicator answers; it cannot fail on a valid
    /// handle (``checkPrecondition(_:_:)``).
    private func query(_ routine: String, _ call: (MPI_Comm?, UnsafeMutablePointer<Int32>?) -> Int32) -> Int32 {
        var value: Int32 = 0
        checkPrecondition(call(handle, &value), routine)
        return value
    }

    /// Whether this is `MPI_COMM_WORLD` or `MPI_COMM_SELF`, which are never freed.
    public var isPredefined: Bool { handle == cmpi_comm_world() || handle == cmpi_comm_self() }

    /// Swift context for errors about a peer rank: `"<what> rank R (communicator size N)"`.
    @usableFromInline
    func peerContext(_ what: String, _ peer: Int, tag: Int32? = nil, bytes: Int? = nil) -> String {
        var text = "\(what) rank \(peer == Communicator.anySource ? "MPI_ANY_SOURCE" : String(peer))"
        if let tag { text += " tag \(tag == Communicator.anyTag ? "MPI_ANY_TAG" : String(tag))" }
        if let bytes { text += ", \(bytes) bytes" }
        text += " (communicator size \(size), valid ranks 0...\(size - 1))"
        return text
    }
}

/// The result of ``Communicator/compare(_:)``.
///
/// Source: MPI 3.1 §6.4.1, `MPI_Comm_compare`.
public enum CommunicatorComparison: Sendable, Equatable {
    /// The same communicator (`MPI_IDENT`).
    case identical
    /// Same members in the same order, different contexts, as after `dup` (`MPI_CONGRUENT`).
    case congruent
    /// Same members, different order (`MPI_SIMILAR`).
    case similar
    /// Anything else (`MPI_UNEQUAL`).
    case unequal
}

extension Communicator {
    /// Compares two communicators' groups and contexts. Local, not collective.
    ///
    /// - Throws: ``MPIError`` (`MPI_ERR_COMM` for an invalid handle).
    /// Source: MPI 3.1 §6.4.1, `MPI_Comm_compare`.
    public func compare(_ other: Communicator) throws(MPIError) -> CommunicatorComparison {
        var result: Int32 = 0
        try check(MPI_Comm_compare(handle, other.handle, &result), "MPI_Comm_compare")
        switch result {
        case cmpi_ident(): return .identical
        case cmpi_congruent(): return .congruent
        case cmpi_similar(): return .similar
        default: return .unequal
        }
    }

    /// Duplicates the communicator: same group, new context, so its messages never match
    /// the original's. Collective over this communicator. A library should `dup` the
    /// communicator it is given so its tags cannot collide with the caller's.
    ///
    /// - Returns: the new communicator; free it on every rank with ``DerivedCommunicator/free()``.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §6.4.2, `MPI_Comm_dup`.
    public func dup() throws(MPIError) -> DerivedCommunicator {
        var result: MPI_Comm? = cmpi_comm_null()
        try check(MPI_Comm_dup(handle, &result), "MPI_Comm_dup")
        return DerivedCommunicator(adopting: result!, origin: "dup")
    }

    /// Partitions the communicator: ranks passing the same `color` form a new communicator,
    /// ordered by `key` then by old rank. Collective over this communicator.
    ///
    /// - Parameters:
    ///   - color: a non-negative group number, or `nil` to join no group (`MPI_UNDEFINED`).
    ///   - key: the sort key inside the new group; defaults to the current rank.
    /// - Returns: the new communicator, or `nil` for ranks that passed a `nil` color.
    /// - Throws: ``MPIError`` (`MPI_ERR_ARG` for a negative color).
    /// Source: MPI 3.1 §6.4.2, `MPI_Comm_split`.
    public func split(color: Int?, key: Int? = nil) throws(MPIError) -> DerivedCommunicator? {
        var result: MPI_Comm? = cmpi_comm_null()
        let cColor = color.map { Int32($0) } ?? cmpi_undefined()
        try check(MPI_Comm_split(handle, cColor, Int32(key ?? rank), &result), "MPI_Comm_split",
                  context: "color \(color.map(String.init) ?? "MPI_UNDEFINED"), key \(key ?? rank)")
        guard let result, result != cmpi_comm_null() else { return nil }
        return DerivedCommunicator(adopting: result, origin: "split(color: \(color!))")
    }

    /// Splits the communicator into one communicator per shared-memory node: the ranks
    /// that can share memory (in practice, the ranks on one host) end up together.
    /// Collective over this communicator.
    ///
    /// - Parameter key: the sort key inside each node; defaults to the current rank.
    /// - Returns: this rank's node communicator.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §6.4.2, `MPI_Comm_split_type` with `MPI_COMM_TYPE_SHARED`.
    public func splitByNode(key: Int? = nil) throws(MPIError) -> DerivedCommunicator {
        var result: MPI_Comm? = cmpi_comm_null()
        try check(MPI_Comm_split_type(handle, cmpi_comm_type_shared(), Int32(key ?? rank), cmpi_info_null(), &result),
                  "MPI_Comm_split_type", context: "MPI_COMM_TYPE_SHARED")
        return DerivedCommunicator(adopting: result!, origin: "splitByNode")
    }
}
