import CMPI
import CMPIShims

/// A message matched by ``Communicator/matchedProbe(from:tag:)``: taken out of matching and
/// waiting to be received. It must be received exactly once, so it is `~Copyable` and each
/// `receive` consumes it. Dropping it unreceived reports the lost message on standard error.
///
/// Source: MPI 3.1 §3.8.2 (matching probe), §3.8.3 (matched receives).
public struct Message: ~Copyable, @unchecked Sendable {
    @usableFromInline let handle: MPI_Message?
    /// The message's source, tag and size, known before receiving (from `MPI_Mprobe`, MPI 3.1 §3.8.2).
    public let status: Status
    @usableFromInline let communicator: Communicator

    @usableFromInline
    init(handle: MPI_Message?, status: Status, communicator: Communicator) {
        self.handle = handle
        self.status = status
        self.communicator = communicator
    }

    /// Receives the message into `buffer`, which must hold ``Status/byteCount`` bytes.
    ///
    /// - Returns: the receive's ``Status``.
    /// - Throws: ``MPIError`` (`MPI_ERR_TRUNCATE` if the buffer is too small).
    /// Source: MPI 3.1 §3.8.3, `MPI_Mrecv`.
    @inlinable
    @discardableResult
    public consuming func receive(into buffer: UnsafeMutableRawBufferPointer) throws(MPIError) -> Status {
        let (message, probed) = take()
        return try Self.receive(message, probed, into: buffer)
    }

    /// Receives the message as exactly `status.count(of: T)` elements of `T`.
    ///
    /// - Returns: the values and the receive's ``Status``.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.8.3, `MPI_Mrecv`.
    @inlinable
    public consuming func receive<T: BitwiseCopyable>(_ type: T.Type = T.self) throws(MPIError) -> ([T], Status) {
        let (message, probed) = take()
        let count = probed.count(of: T.self)
        var values = [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        let result: Result<Status, MPIError> = values.withUnsafeMutableBytes { raw in
            Result { () throws(MPIError) in try Self.receive(message, probed, into: raw) }
        }
        return (values, try result.get())
    }

    /// Receives the message into an existing array, in place; it must have room for
    /// ``Status/count(of:)`` elements.
    ///
    /// - Returns: the receive's ``Status``.
    /// - Throws: ``MPIError`` (`MPI_ERR_TRUNCATE` if the array is too small).
    /// Source: MPI 3.1 §3.8.3, `MPI_Mrecv`.
    @inlinable @discardableResult
    public consuming func receive<T: BitwiseCopyable>(into values: inout [T]) throws(MPIError) -> Status {
        let (message, probed) = take()
        let result: Result<Status, MPIError> = values.withUnsafeMutableBytes { raw in
            Result { () throws(MPIError) in try Self.receive(message, probed, into: raw) }
        }
        return try result.get()
    }

    /// Ends this value's life without its leak report, handing back what a receive needs.
    @usableFromInline
    consuming func take() -> (MPI_Message?, Status) {
        let parts = (handle, status)
        discard self
        return parts
    }

    @usableFromInline
    static func receive(_ message: MPI_Message?, _ probed: Status,
                                into buffer: UnsafeMutableRawBufferPointer) throws(MPIError) -> Status {
        var message = message
        var status = MPI_Status()
        let count = try cCount(buffer.count, "MPI_Mrecv")
        try check(MPI_Mrecv(buffer.baseAddress, count, cmpi_byte(), &message, &status), "MPI_Mrecv",
                  context: "message from rank \(probed.source) tag \(probed.tag), \(probed.byteCount) bytes into \(buffer.count)")
        return Status(status)
    }

    deinit {
        writeToStandardError("MPI warning: a matched Message from rank \(status.source) tag \(status.tag) "
            + "(\(status.byteCount) bytes) was dropped without receive(); it is lost.\n")
    }
}
