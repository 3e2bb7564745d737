import CMPI
import CMPIShims

extension Communicator {
    /// Sends `values` to `destination` and receives up to `receiveCount` elements from
    /// `source` in one call, which cannot deadlock the way two blocking sends facing each
    /// other can (the classic ring shift).
    ///
    /// - Parameters:
    ///   - values: what to send, `values.count` elements.
    ///   - destination: the receiver's rank, or ``nullProcess``.
    ///   - sendTag: the outgoing message's tag.
    ///   - source: the sender's rank, ``anySource`` or ``nullProcess``.
    ///   - receiveTag: the incoming message's tag, or ``anyTag``.
    ///   - receiveCount: room for the incoming message, in elements; defaults to `values.count`.
    /// - Returns: the received elements (`status.count(of: T)` of them) and their ``Status``.
    /// - Throws: ``MPIError`` (`MPI_ERR_RANK`, `MPI_ERR_TAG`, `MPI_ERR_TRUNCATE`).
    /// Source: MPI 3.1 §3.10, `MPI_Sendrecv`.
    public func sendReceive<T: BitwiseCopyable>(_ values: [T], to destination: Int, sendTag: Int32 = 0,
                                                from source: Int, receiveTag: Int32 = Communicator.anyTag,
                                                receiveCount: Int? = nil) throws(MPIError) -> ([T], Status) {
        let room = receiveCount ?? values.count
        let sendBytes = try cByteCount(T.self, values.count, "MPI_Sendrecv")
        let receiveBytes = try cByteCount(T.self, room, "MPI_Sendrecv")
        var status = MPI_Status()
        var code: Int32 = 0
        var received = [T](unsafeUninitializedCapacity: room) { buffer, initialized in
            code = values.withUnsafeBytes { sendRaw in
                MPI_Sendrecv(sendRaw.baseAddress, sendBytes, cmpi_byte(), Int32(destination), sendTag,
                             buffer.baseAddress, receiveBytes, cmpi_byte(), Int32(source), receiveTag, handle, &status)
            }
            initialized = room
        }
        try check(code, "MPI_Sendrecv",
                  context: peerContext("send to", destination, tag: sendTag) + "; " + peerContext("receive from", source, tag: receiveTag))
        let result = Status(status)
        received.removeLast(room - min(room, result.count(of: T.self)))
        return (received, result)
    }
}
