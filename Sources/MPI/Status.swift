import CMPI
import CMPIShims

/// Where a message came from, its tag and its size.
///
/// Source: MPI 3.1 §3.2.5 (return status), `MPI_Get_count`, `MPI_Test_cancelled`.
public struct Status: Sendable {
    var raw: MPI_Status

    init(_ raw: MPI_Status) { self.raw = raw }

    /// The rank of the sender in the communicator (`MPI_SOURCE`).
    public var source: Int { Int(raw.MPI_SOURCE) }
    /// The message tag (`MPI_TAG`).
    public var tag: Int32 { raw.MPI_TAG }
    /// The error field (`MPI_ERROR`), meaningful only for multiple-completion calls.
    public var error: Int32 { raw.MPI_ERROR }

    /// The size of the message in bytes. Source: MPI 3.1 §3.2.5, `MPI_Get_count` with `MPI_BYTE`.
    public var byteCount: Int {
        var copy = raw
        var count: Int32 = 0
        _ = MPI_Get_count(&copy, cmpi_byte(), &count)
        return Int(count)
    }

    /// The number of elements of `T` in the message, assuming it was sent as raw bytes
    /// of `T` values. Source: MPI 3.1 §3.2.5, `MPI_Get_count`.
    public func count<T: BitwiseCopyable>(of type: T.Type) -> Int {
        byteCount / MemoryLayout<T>.stride
    }
}
