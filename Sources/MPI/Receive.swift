import CMPI
import CMPIShims

/// Point-to-point receives. Messages of unknown size are received race-free through a
/// matched probe (`MPI_Mprobe` then `MPI_Mrecv`), so two threads receiving from the same
/// source never steal each other's message.
extension Communicator {
    /// Receives a message into `buffer`, blocking until it arrives.
    ///
    /// - Parameters:
    ///   - buffer: room for the message; a longer message fails with `MPI_ERR_TRUNCATE`.
    ///   - source: the sender's rank, or ``anySource``.
    ///   - tag: the tag, or ``anyTag``.
    /// - Returns: the ``Status`` with the actual source, tag and byte count.
    /// - Throws: ``MPIError`` (`MPI_ERR_RANK`, `MPI_ERR_TAG`, `MPI_ERR_TRUNCATE`).
    /// Source: MPI 3.1 §3.2.4, `MPI_Recv`.
    @inlinable
    @discardableResult
    public func receive(into buffer: UnsafeMutableRawBufferPointer, from source: Int = Communicator.anySource,
                        tag: Int32 = Communicator.anyTag) throws(MPIError) -> Status {
        var status = MPI_Status()
        let count = try cCount(buffer.count, "MPI_Recv")
        try check(MPI_Recv(buffer.baseAddress, count, cmpi_byte(), Int32(source), tag, handle, &status),
                  "MPI_Recv", context: peerContext("receive from", source, tag: tag, bytes: buffer.count))
        return Status(status)
    }

    /// Receives a message into an existing array, in place (no allocation): at most
    /// `values.count` elements; ``Status/count(of:)`` tells how many arrived.
    ///
    /// - Throws: ``MPIError`` (`MPI_ERR_TRUNCATE` if the message is longer than the array).
    /// Source: MPI 3.1 §3.2.4, `MPI_Recv`.
    @inlinable
    @discardableResult
    public func receive<T: BitwiseCopyable>(into values: inout [T], from source: Int = Communicator.anySource,
                                            tag: Int32 = Communicator.anyTag) throws(MPIError) -> Status {
        let result: Result<Status, MPIError> = values.withUnsafeMutableBytes { raw in
            Result { () throws(MPIError) in try receive(into: raw, from: source, tag: tag) }
        }
        return try result.get()
    }

    /// Receives a message of unknown size as an array of `T`, race-free: a matched probe,
    /// then a receive of exactly that message.
    ///
    /// - Returns: the values (`status.count(of: T)` of them) and the ``Status``.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.8.2 (`MPI_Mprobe`) and §3.8.3 (`MPI_Mrecv`).
    @inlinable
    public func receive<T: BitwiseCopyable>(_ type: T.Type = T.self, from source: Int = Communicator.anySource,
                                            tag: Int32 = Communicator.anyTag) throws(MPIError) -> ([T], Status) {
        try matchedProbe(from: source, tag: tag).receive(T.self)
    }

    /// Receives one `BitwiseCopyable` value, such as an `Int`.
    ///
    /// - Throws: ``MPIError`` (`MPI_ERR_TRUNCATE` if the message is longer than one value).
    /// Source: MPI 3.1 §3.2.4, `MPI_Recv`.
    @inlinable
    public func receive<T: BitwiseCopyable>(value type: T.Type, from source: Int = Communicator.anySource,
                                            tag: Int32 = Communicator.anyTag) throws(MPIError) -> (T, Status) {
        var values = [T](unsafeUninitializedCapacity: 1) { _, count in count = 1 }
        let status = try receive(into: &values, from: source, tag: tag)
        return (values[0], status)
    }

    /// Receives the message described by a `Status` from ``probe(from:tag:)`` or
    /// ``iprobe(from:tag:)``, sized exactly. Only race-free when a single thread receives
    /// from that source and tag; otherwise use ``matchedProbe(from:tag:)``.
    ///
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.2.4, `MPI_Recv`.
    public func receive<T: BitwiseCopyable>(_ type: T.Type = T.self, matching probed: Status) throws(MPIError) -> ([T], Status) {
        let count = probed.count(of: T.self)
        var status = MPI_Status()
        var code: Int32 = 0
        let byteCount = try cByteCount(T.self, count, "MPI_Recv")
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            code = MPI_Recv(buffer.baseAddress, byteCount, cmpi_byte(), Int32(probed.source), probed.tag, handle, &status)
            initialized = count
        }
        try check(code, "MPI_Recv", context: peerContext("receive from", probed.source, tag: probed.tag, bytes: Int(byteCount)))
        return (values, Status(status))
    }

    /// Starts a nonblocking receive of up to `count` elements of `T`. The request owns the
    /// landing buffer; read the values with ``Request/received(as:)``.
    ///
    /// - Returns: a receive ``Request`` (cancellable with ``Request/cancel()``).
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.7.2, `MPI_Irecv`.
    public func irecv<T: BitwiseCopyable>(_ type: T.Type = T.self, count: Int, from source: Int = Communicator.anySource,
                                          tag: Int32 = Communicator.anyTag) throws(MPIError) -> Request {
        let byteCount = try cByteCount(T.self, count, "MPI_Irecv")
        let storage = RequestBuffer(byteCount: Int(byteCount))
        var request: MPI_Request? = cmpi_request_null()
        try check(MPI_Irecv(storage.pointer, byteCount, cmpi_byte(), Int32(source), tag, handle, &request),
                  "MPI_Irecv", context: peerContext("receive from", source, tag: tag, bytes: Int(byteCount)))
        return Request(handle: request, buffer: storage, kind: .receive)
    }

    /// Starts a nonblocking receive into memory the caller manages. Unsafe: `buffer` must
    /// stay valid, and unread, until the request completes. For reusing one buffer in a hot
    /// loop; prefer ``irecv(_:count:from:tag:)`` otherwise.
    ///
    /// - Returns: a receive ``Request`` (cancellable); the data lands in `buffer`.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.7.2, `MPI_Irecv`.
    public func irecv(unsafe buffer: UnsafeMutableRawBufferPointer, from source: Int = Communicator.anySource,
                      tag: Int32 = Communicator.anyTag) throws(MPIError) -> Request {
        let count = try cCount(buffer.count, "MPI_Irecv")
        let storage = RequestBuffer(unmanaged: buffer.baseAddress, byteCount: buffer.count)
        var request: MPI_Request? = cmpi_request_null()
        try check(MPI_Irecv(storage.pointer, count, cmpi_byte(), Int32(source), tag, handle, &request),
                  "MPI_Irecv", context: peerContext("receive from", source, tag: tag, bytes: buffer.count))
        return Request(handle: request, buffer: storage, kind: .receive)
    }
}
