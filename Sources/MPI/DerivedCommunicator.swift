import CMPI
import CMPIShims

/// A communicator this process created (by ``Communicator/dup()``, ``Communicator/split(color:key:)``,
/// ``Communicator/splitByNode(key:)``, ``Communicator/accept(port:root:)`` or
/// ``Communicator/connect(port:root:)``) and therefore owns.
///
/// Ownership is explicit. `MPI_Comm_free` is collective and illegal after `MPI_Finalize`,
/// so it must be called at the same point on every rank; a `deinit`, which runs at a
/// different time on each rank, must never call it. This type is therefore `~Copyable`
/// and freed only by the consuming ``free()``. If a value is dropped without `free()`,
/// its `deinit` reports the leak on standard error and counts it in
/// ``forgottenCount``; the handle is not freed. Live derived communicators are also
/// listed at ``MPI/finalize()``.
///
/// Use ``communicator`` for every operation; that copyable view is valid until `free()`.
///
/// Source: MPI 3.1 §6.4.2 (constructors), §6.4.3 (`MPI_Comm_free`), §10.5.4 (`MPI_Comm_disconnect`).
public struct DerivedCommunicator: ~Copyable, Sendable {
    /// The non-owning view (its `MPI_Comm` handle) used for all operations. Do not use it
    /// after ``free()``. Source: MPI 3.1 §6.4.
    public let communicator: Communicator

    init(adopting handle: MPI_Comm, origin: String) {
        communicator = Communicator(handle: handle)
        CommunicatorLedger.register(handle, origin: origin)
    }

    /// The calling process's rank in this communicator. Source: MPI 3.1 §6.4.1, `MPI_Comm_rank`.
    public var rank: Int { communicator.rank }
    /// The number of processes in this communicator. Source: MPI 3.1 §6.4.1, `MPI_Comm_size`.
    public var size: Int { communicator.size }

    /// Frees the communicator. Collective: every member must call it. Pending operations
    /// complete normally first (MPI 3.1 §6.4.3).
    ///
    /// - Throws: ``MPIError`` (class `MPI_ERR_COMM` if MPI is already finalized).
    /// Source: MPI 3.1 §6.4.3, `MPI_Comm_free`.
    public consuming func free() throws(MPIError) {
        let handle = communicator.handle
        discard self
        try Self.release(handle, routine: "MPI_Comm_free") { MPI_Comm_free(&$0) }
    }

    /// Disconnects a communicator obtained from ``Communicator/accept(port:root:)`` or
    /// ``Communicator/connect(port:root:)``: waits for its pending communication, then frees it.
    /// Collective.
    ///
    /// - Throws: ``MPIError``. Source: MPI 3.1 §10.5.4, `MPI_Comm_disconnect`.
    public consuming func disconnect() throws(MPIError) {
        let handle = communicator.handle
        discard self
        try Self.release(handle, routine: "MPI_Comm_disconnect") { MPI_Comm_disconnect(&$0) }
    }

    private static func release(_ handle: MPI_Comm, routine: String,
                                _ call: (inout MPI_Comm?) -> Int32) throws(MPIError) {
        CommunicatorLedger.unregister(handle)
        if MPI.isFinalized {
            throw MPIError(.comm, routine: routine, context: "MPI is already finalized; free communicators before MPI.finalize()")
        }
        var cHandle: MPI_Comm? = handle
        try check(call(&cHandle), routine)
    }

    deinit {
        CommunicatorLedger.forgot(communicator.handle)
    }

    /// How many derived communicators this process dropped without ``free()`` (each one
    /// an `MPI_Comm` never passed to `MPI_Comm_free`, MPI 3.1 §6.4.3).
    public static var forgottenCount: Int { CommunicatorLedger.forgottenCount }
}

/// The process's record of live derived communicators, for leak reports.
enum CommunicatorLedger {
    private struct Book {
        var live: [UInt: String] = [:]
        var forgotten = 0
    }

    private static let book = Locked(Book())

    private static func key(_ handle: MPI_Comm) -> UInt { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle))) }

    static func register(_ handle: MPI_Comm, origin: String) {
        book.withLock { $0.live[key(handle)] = origin }
    }

    static func unregister(_ handle: MPI_Comm) {
        _ = book.withLock { $0.live.removeValue(forKey: key(handle)) }
    }

    static func forgot(_ handle: MPI_Comm) {
        let origin = book.withLock { book -> String? in
            book.forgotten += 1
            return book.live.removeValue(forKey: key(handle))
        }
        writeToStandardError(
            "MPI warning: a DerivedCommunicator from \(origin ?? "?") was dropped without free(); "
                + "call free() on every rank (MPI_Comm_free is collective). The handle is leaked.\n")
    }

    static var forgottenCount: Int { book.withLock { $0.forgotten } }

    static func reportLiveAtFinalize() {
        let origins = book.withLock { Array($0.live.values) }
        if !origins.isEmpty {
            writeToStandardError("MPI warning: \(origins.count) derived communicator(s) not freed before MPI_Finalize: "
                + origins.sorted().joined(separator: ", ") + "\n")
        }
    }
}
