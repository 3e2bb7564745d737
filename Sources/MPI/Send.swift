import CMPI
import CMPIShims

/// Point-to-point sends. Payloads travel as `MPI_BYTE`s: a `BitwiseCopyable` array is sent
/// from its own storage, without copying, and received with the same element type.
extension Communicator {
    /// Sends raw bytes to `destination` with `tag`, blocking until the buffer may be reused
    /// (which, for small messages, is usually before the receiver has them).
    ///
    /// - Parameters:
    ///   - bytes: the payload, `bytes.count` bytes.
    ///   - destination: the receiver's rank in this communicator, or ``nullProcess``.
    ///   - tag: the message tag, 0 ... `MPI_TAG_UB` (at least 32767).
    /// - Throws: ``MPIError``: `MPI_ERR_RANK` for a rank out of range, `MPI_ERR_TAG` for a
    ///   negative tag, with the rank, tag, size and communicator size as context.
    /// Source: MPI 3.1 §3.2.1, `MPI_Send`.
    @inlinable
    public func send(_ bytes: UnsafeRawBufferPointer, to destination: Int, tag: Int32) throws(MPIError) {
        let count = try cCount(bytes.count, "MPI_Send")
        try check(MPI_Send(bytes.baseAddress, count, cmpi_byte(), Int32(destination), tag, handle),
                  "MPI_Send", context: peerContext("send to", destination, tag: tag, bytes: bytes.count))
    }

    /// Sends an array of `BitwiseCopyable` values as their bytes, from the array's own
    /// storage (no copy). Sending `[UInt8]` is the bytes payload.
    ///
    /// - Parameters: as ``send(_:to:tag:)-(UnsafeRawBufferPointer,_,_)``; `values.count` elements.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.2.1, `MPI_Send`.
    @inlinable
    public func send<T: BitwiseCopyable>(_ values: [T], to destination: Int, tag: Int32) throws(MPIError) {
        let result: Result<Void, MPIError> = values.withUnsafeBytes { raw in
            Result { () throws(MPIError) in try send(raw, to: destination, tag: tag) }
        }
        try result.get()
    }

    /// Sends one `BitwiseCopyable` value, such as an `Int` or a C-layout struct.
    ///
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.2.1, `MPI_Send`.
    @inlinable
    public func send<T: BitwiseCopyable>(value: T, to destination: Int, tag: Int32) throws(MPIError) {
        let result: Result<Void, MPIError> = withUnsafeBytes(of: value) { raw in
            Result { () throws(MPIError) in try send(raw, to: destination, tag: tag) }
        }
        try result.get()
    }

    /// Synchronous send: blocks until the receiver has started to receive the message,
    /// so its return proves the message was matched. Same parameters as `send`.
    ///
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.4, `MPI_Ssend`.
    public func synchronousSend<T: BitwiseCopyable>(_ values: [T], to destination: Int, tag: Int32) throws(MPIError) {
        let code: Result<Int32, MPIError> = values.withUnsafeBytes { raw in
            Result { () throws(MPIError) in
                MPI_Ssend(raw.baseAddress, try cCount(raw.count, "MPI_Ssend"), cmpi_byte(), Int32(destination), tag, handle)
            }
        }
        try check(try code.get(), "MPI_Ssend",
                  context: peerContext("synchronous send to", destination, tag: tag, bytes: values.count * MemoryLayout<T>.stride))
    }

    /// Starts a nonblocking send of `values`, without copying: the request retains the
    /// array's storage until it completes, so the caller may change or drop its own copy at
    /// once (copy-on-write gives the caller fresh storage).
    ///
    /// - Returns: a ``Request`` to test or wait on.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.7.2, `MPI_Isend`.
    public func isend<T: BitwiseCopyable>(_ values: [T], to destination: Int, tag: Int32) throws(MPIError) -> Request {
        try startSend(RequestBuffer(retaining: values), to: destination, tag: tag, synchronous: false)
    }

    /// Starts a nonblocking send from memory the caller manages. Unsafe: `bytes` must stay
    /// valid and unchanged until the request completes. For reusing one buffer in a hot
    /// loop; prefer the array form otherwise.
    ///
    /// - Returns: a ``Request`` to test or wait on.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.7.2, `MPI_Isend`.
    public func isend(unsafe bytes: UnsafeRawBufferPointer, to destination: Int, tag: Int32) throws(MPIError) -> Request {
        try startSend(RequestBuffer(unmanaged: UnsafeMutableRawPointer(mutating: bytes.baseAddress), byteCount: bytes.count),
                      to: destination, tag: tag, synchronous: false)
    }

    /// Starts a nonblocking synchronous send: the request completes once the receiver has
    /// started to receive. The request retains the array's storage, as ``isend(_:to:tag:)``.
    ///
    /// - Returns: a ``Request`` to test or wait on.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.7.2, `MPI_Issend`.
    public func issend<T: BitwiseCopyable>(_ values: [T], to destination: Int, tag: Int32) throws(MPIError) -> Request {
        try startSend(RequestBuffer(retaining: values), to: destination, tag: tag, synchronous: true)
    }

    func startSend(_ storage: RequestBuffer, to destination: Int, tag: Int32, synchronous: Bool) throws(MPIError) -> Request {
        let routine = synchronous ? "MPI_Issend" : "MPI_Isend"
        let count = try cCount(storage.byteCount, routine)
        var request: MPI_Request? = cmpi_request_null()
        let code = synchronous
            ? MPI_Issend(storage.pointer, count, cmpi_byte(), Int32(destination), tag, handle, &request)
            : MPI_Isend(storage.pointer, count, cmpi_byte(), Int32(destination), tag, handle, &request)
        try check(code, routine, context: peerContext("send to", destination, tag: tag, bytes: storage.byteCount))
        return Request(handle: request, buffer: storage, kind: .send)
    }
}
