import CMPI
import CMPIShims

/// A pending nonblocking operation. It holds the operation's buffer until it completes
/// (a send's copy of the data; a receive's landing area, kept until read with
/// ``received(as:)``).
///
/// `Request` is `Sendable` so it can cross into `async` code, but one request must not be
/// tested or waited on from two threads at once, and below `MPI_THREAD_MULTIPLE` every
/// call on it must respect the thread level (see ``ThreadLevel``). Dropping an incomplete
/// request does not cancel it: the operation completes in the background (`MPI_Request_free`)
/// and its buffer is kept alive until the process exits.
///
/// Source: MPI 3.1 §3.7 (nonblocking communication), `MPI_Test`, `MPI_Wait`, `MPI_Cancel`.
public final class Request: @unchecked Sendable {
    /// What the request does; only receives can be cancelled.
    enum Kind { case send, receive, collective }

    var handle: MPI_Request?
    var buffer: RequestBuffer?
    let kind: Kind
    private(set) var finalStatus: Status?

    init(handle: MPI_Request?, buffer: RequestBuffer?, kind: Kind = .send) {
        self.handle = handle
        self.buffer = buffer
        self.kind = kind
    }

    deinit {
        guard handle != cmpi_request_null() else { return }
        // An abandoned active operation still reads or writes `buffer`: keep the storage for
        // the rest of the process rather than let MPI touch freed memory, and release the
        // C request (MPI 3.1 §3.7.3, `MPI_Request_free`; local, so legal here).
        if let buffer { RequestBuffer.abandoned.withLock { $0.append(buffer) } }
        if kind != .collective && !MPI.isFinalized { checkPrecondition(MPI_Request_free(&handle), "MPI_Request_free") }
    }

    /// Whether the operation has completed (its handle is `MPI_REQUEST_NULL`).
    public var isComplete: Bool { handle == cmpi_request_null() }

    /// Records completion; a send's buffer is released, a receive's kept for ``received(as:)``.
    func complete(_ status: Status) -> Status {
        finalStatus = status
        if kind != .receive { buffer = nil }
        return status
    }

    /// Checks without blocking whether the operation has completed.
    ///
    /// - Returns: the ``Status`` once complete (again on later calls), or `nil`.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.7.3, `MPI_Test`.
    public func test() throws(MPIError) -> Status? {
        if isComplete { return finalStatus ?? .empty }
        var flag: Int32 = 0
        var status = MPI_Status()
        try check(MPI_Test(&handle, &flag, &status), "MPI_Test")
        guard flag != 0 else { return nil }
        return complete(Status(status))
    }

    /// Blocks until the operation completes. Open MPI's wait busy-polls a core; an `async`
    /// caller should use ``waitAsync(backoff:isolation:)`` instead.
    ///
    /// - Returns: the completed operation's ``Status``.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.7.3, `MPI_Wait`.
    @discardableResult
    public func wait() throws(MPIError) -> Status {
        if isComplete { return finalStatus ?? .empty }
        var status = MPI_Status()
        try check(MPI_Wait(&handle, &status), "MPI_Wait")
        return complete(Status(status))
    }

    /// Cancels a pending receive. The request must still be completed (``wait()``,
    /// ``test()``); its status then reports ``Status/isCancelled`` if the cancel took effect
    /// before a message matched. Cancelling a completed request does nothing.
    ///
    /// Sends cannot be cancelled here: Open MPI 4.1.4 does not cancel sends (the message
    /// still arrives, and waiting on a cancelled large send can hang).
    ///
    /// - Throws: ``MPIError`` of class `MPI_ERR_REQUEST` for a send or collective request.
    /// Source: MPI 3.1 §3.8.4, `MPI_Cancel`.
    public func cancel() throws(MPIError) {
        guard kind == .receive else {
            throw MPIError(.request, routine: "MPI_Cancel",
                           context: "only receive requests can be cancelled (Open MPI 4.1.4 does not cancel sends)")
        }
        if isComplete { return }
        try check(MPI_Cancel(&handle), "MPI_Cancel")
    }

    /// Waits for a receive request and returns the received elements, `status.count(of: T)`
    /// of them (fewer than requested if the message was shorter; none if cancelled).
    ///
    /// - Throws: ``MPIError`` from `MPI_Wait`, or of class `MPI_ERR_REQUEST` if this is not
    ///   a receive request. Source: MPI 3.1 §3.7.2 (`MPI_Irecv`), §3.7.3 (`MPI_Wait`).
    public func received<T: BitwiseCopyable>(as type: T.Type = T.self) throws(MPIError) -> [T] {
        guard kind == .receive, let buffer else {
            throw MPIError(.request, routine: "MPI_Wait", context: "received(as:) needs a request from irecv")
        }
        let status = try wait()
        if status.isCancelled { return [] }
        return buffer.values(T.self, count: status.count(of: T.self))
    }
}

extension RequestBuffer {
    /// Buffers of requests dropped while active; never freed (see ``Request`` deinit).
    static let abandoned = Locked<[RequestBuffer]>([])
}
