import CMPI
import CMPIShims

/// Heap storage that a nonblocking operation reads from or writes into; it lives at
/// least as long as the ``Request`` that uses it.
final class RequestBuffer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let byteCount: Int

    init<T: BitwiseCopyable>(copying values: [T]) {
        byteCount = values.count * MemoryLayout<T>.stride
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 16)
        values.withUnsafeBytes { raw in
            if let base = raw.baseAddress { pointer.copyMemory(from: base, byteCount: byteCount) }
        }
    }

    deinit { pointer.deallocate() }
}

/// A pending nonblocking operation. It holds the operation's buffer until it completes.
///
/// Source: MPI 3.1 §3.7 (nonblocking communication), `MPI_Test`, `MPI_Wait`.
public final class Request: @unchecked Sendable {
    var handle: MPI_Request?
    var buffer: RequestBuffer?

    init(handle: MPI_Request?, buffer: RequestBuffer?) {
        self.handle = handle
        self.buffer = buffer
    }

    /// Whether the operation has completed and released its buffer.
    public var isComplete: Bool { handle == cmpi_request_null() }

    /// Checks without blocking whether the operation has completed.
    ///
    /// - Returns: the ``Status`` once complete (the buffer is then released), or `nil`.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.7.3, `MPI_Test`.
    public func test() throws(MPIError) -> Status? {
        if isComplete { return Status(MPI_Status()) }
        var flag: Int32 = 0
        var status = MPI_Status()
        try check(MPI_Test(&handle, &flag, &status), "MPI_Test")
        guard flag != 0 else { return nil }
        buffer = nil
        return Status(status)
    }

    /// Blocks until the operation completes. Note that Open MPI's wait busy-polls a core.
    ///
    /// - Returns: the completed operation's ``Status``.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.7.3, `MPI_Wait`.
    @discardableResult
    public func wait() throws(MPIError) -> Status {
        if isComplete { return Status(MPI_Status()) }
        var status = MPI_Status()
        try check(MPI_Wait(&handle, &status), "MPI_Wait")
        buffer = nil
        return Status(status)
    }
}
