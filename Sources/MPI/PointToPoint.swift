import CMPI
import CMPIShims

extension Communicator {
    /// Sends raw bytes to `destination` with `tag`, blocking until the buffer may be reused.
    ///
    /// - Parameters:
    ///   - bytes: the payload, `bytes.count` bytes.
    ///   - destination: the receiver's rank in this communicator.
    ///   - tag: the message tag, 0 ... `MPI_TAG_UB`.
    /// - Throws: ``MPIError`` (`MPI_ERR_RANK` for a rank out of range, `MPI_ERR_TAG`, ...).
    ///
    /// Source: MPI 3.1 §3.2.1, `MPI_Send`.
    public func send(_ bytes: UnsafeRawBufferPointer, to destination: Int, tag: Int32) throws(MPIError) {
        try check(MPI_Send(bytes.baseAddress, Int32(bytes.count), cmpi_byte(), Int32(destination), tag, handle),
                  "MPI_Send", context: "to rank \(destination) tag \(tag), \(bytes.count) bytes")
    }

    /// Sends an array of `BitwiseCopyable` values as their bytes, without copying.
    ///
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.2.1, `MPI_Send`.
    public func send<T: BitwiseCopyable>(_ values: [T], to destination: Int, tag: Int32) throws(MPIError) {
        let result: Result<Void, MPIError> = values.withUnsafeBytes { raw in
            Result { () throws(MPIError) in try send(raw, to: destination, tag: tag) }
        }
        try result.get()
    }

    /// Starts a nonblocking send of `values`. The returned request keeps the array alive
    /// until it completes.
    ///
    /// - Returns: a ``Request`` to test or wait on.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.7.2, `MPI_Isend`.
    public func isend<T: BitwiseCopyable>(_ values: [T], to destination: Int, tag: Int32) throws(MPIError) -> Request {
        let storage = RequestBuffer(copying: values)
        var request: MPI_Request? = cmpi_request_null()
        try check(MPI_Isend(storage.pointer, Int32(storage.byteCount), cmpi_byte(), Int32(destination), tag,
                            handle, &request),
                  "MPI_Isend", context: "to rank \(destination) tag \(tag), \(storage.byteCount) bytes")
        return Request(handle: request, buffer: storage)
    }

    /// Receives a message into `buffer`, blocking until it arrives.
    ///
    /// - Parameters:
    ///   - buffer: room for the message; a longer message fails with `MPI_ERR_TRUNCATE`.
    ///   - source: the sender's rank, or ``anySource``.
    ///   - tag: the tag, or ``anyTag``.
    /// - Returns: the ``Status`` with the actual source, tag and byte count.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.2.4, `MPI_Recv`.
    @discardableResult
    public func receive(into buffer: UnsafeMutableRawBufferPointer, from source: Int = Communicator.anySource,
                        tag: Int32 = Communicator.anyTag) throws(MPIError) -> Status {
        var status = MPI_Status()
        try check(MPI_Recv(buffer.baseAddress, Int32(buffer.count), cmpi_byte(), Int32(source), tag, handle, &status),
                  "MPI_Recv", context: "from rank \(source) tag \(tag), room for \(buffer.count) bytes")
        return Status(status)
    }

    /// Receives a message of unknown size as an array of `T`: probes for it, then
    /// receives exactly that many elements.
    ///
    /// - Returns: the values and the ``Status``.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.8.1 (`MPI_Probe`) and §3.2.4 (`MPI_Recv`).
    public func receive<T: BitwiseCopyable>(_ type: T.Type = T.self, from source: Int = Communicator.anySource,
                                            tag: Int32 = Communicator.anyTag) throws(MPIError) -> ([T], Status) {
        let probed = try probe(from: source, tag: tag)
        return try receive(type, matching: probed)
    }

    /// Receives the message described by a `Status` from ``probe(from:tag:)`` or
    /// ``iprobe(from:tag:)``, sized exactly.
    ///
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.2.4, `MPI_Recv`.
    public func receive<T: BitwiseCopyable>(_ type: T.Type = T.self, matching probed: Status) throws(MPIError) -> ([T], Status) {
        let count = probed.count(of: T.self)
        var status = MPI_Status()
        var code: Int32 = 0
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            code = MPI_Recv(buffer.baseAddress, Int32(count * MemoryLayout<T>.stride), cmpi_byte(),
                            Int32(probed.source), probed.tag, handle, &status)
            initialized = count
        }
        try check(code, "MPI_Recv", context: "from rank \(probed.source) tag \(probed.tag)")
        return (values, Status(status))
    }

    /// Blocks until a matching message can be received, without receiving it.
    ///
    /// Open MPI's blocking calls busy-poll a core; idle loops should use
    /// ``iprobe(from:tag:)`` with a sleeping backoff instead.
    ///
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.8.1, `MPI_Probe`.
    public func probe(from source: Int = Communicator.anySource, tag: Int32 = Communicator.anyTag) throws(MPIError) -> Status {
        var status = MPI_Status()
        try check(MPI_Probe(Int32(source), tag, handle, &status), "MPI_Probe", context: "from rank \(source) tag \(tag)")
        return Status(status)
    }

    /// Checks, without blocking, whether a matching message can be received.
    ///
    /// - Returns: its ``Status``, or `nil` when none is pending.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.8.1, `MPI_Iprobe`.
    public func iprobe(from source: Int = Communicator.anySource, tag: Int32 = Communicator.anyTag) throws(MPIError) -> Status? {
        var status = MPI_Status()
        var flag: Int32 = 0
        try check(MPI_Iprobe(Int32(source), tag, handle, &flag, &status), "MPI_Iprobe",
                  context: "from rank \(source) tag \(tag)")
        return flag != 0 ? Status(status) : nil
    }
}
