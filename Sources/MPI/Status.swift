import CMPI
import CMPIShims

/// Where a message came from, its tag, its size, and whether its request was cancelled.
///
/// Source: MPI 3.1 §3.2.5 (return status), `MPI_Get_count`; §3.8.4, `MPI_Test_cancelled`.
public struct Status: Sendable {
    @usableFromInline var raw: MPI_Status

    @usableFromInline init(_ raw: MPI_Status) { self.raw = raw }

    /// The status of a request that moved no message (empty status, MPI 3.1 §3.7.3).
    static var empty: Status {
        var raw = MPI_Status()
        raw.MPI_SOURCE = cmpi_any_source()
        raw.MPI_TAG = cmpi_any_tag()
        return Status(raw)
    }

    /// The rank of the sender in the communicator (`MPI_SOURCE`).
    public var source: Int { Int(raw.MPI_SOURCE) }
    /// The message tag (`MPI_TAG`).
    public var tag: Int32 { raw.MPI_TAG }
    /// The error field (`MPI_ERROR`), meaningful only after multiple-completion calls.
    public var error: Int32 { raw.MPI_ERROR }

    /// The size of the message in bytes. Precondition: the status was filled by a receive,
    /// probe or completion (every `Status` this module hands out is).
    /// Source: MPI 3.1 §3.2.5, `MPI_Get_count` with `MPI_BYTE`.
    @inlinable
    public var byteCount: Int {
        var copy = raw
        var count: Int32 = 0
        checkPrecondition(MPI_Get_count(&copy, cmpi_byte(), &count), "MPI_Get_count")
        return Int(count)
    }

    /// The number of whole elements of `T` in the message, assuming it was sent as the
    /// raw bytes of `T` values (as this module sends them): `byteCount / stride`.
    /// Source: MPI 3.1 §3.2.5, `MPI_Get_count`.
    @inlinable
    public func count<T: BitwiseCopyable>(of type: T.Type) -> Int {
        byteCount / MemoryLayout<T>.stride
    }

    /// Whether the request this status completed was cancelled by ``Request/cancel()``
    /// (then no data was received). Precondition: as for ``byteCount``.
    /// Source: MPI 3.1 §3.8.4, `MPI_Test_cancelled`.
    public var isCancelled: Bool {
        var copy = raw
        var flag: Int32 = 0
        checkPrecondition(MPI_Test_cancelled(&copy, &flag), "MPI_Test_cancelled")
        return flag != 0
    }
}
