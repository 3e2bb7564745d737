import CMPI
import CMPIShims

extension Communicator {
    /// Blocks until a matching message can be received, without receiving it.
    ///
    /// Open MPI's blocking calls busy-poll a core; idle loops should use
    /// ``iprobe(from:tag:)`` with a sleeping backoff instead.
    ///
    /// - Returns: the message's ``Status`` (source, tag, size).
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.8.1, `MPI_Probe`.
    public func probe(from source: Int = Communicator.anySource, tag: Int32 = Communicator.anyTag) throws(MPIError) -> Status {
        var status = MPI_Status()
        try check(MPI_Probe(Int32(source), tag, handle, &status), "MPI_Probe", context: peerContext("probe for a message from", source, tag: tag))
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
                  context: peerContext("probe for a message from", source, tag: tag))
        return flag != 0 ? Status(status) : nil
    }

    /// Blocks until a matching message arrives and removes it from matching: no other
    /// receive or probe can take it, so its ``Message`` receives exactly it.
    ///
    /// - Returns: the matched ``Message``; receive it exactly once.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.8.2, `MPI_Mprobe`.
    @inlinable
    public func matchedProbe(from source: Int = Communicator.anySource,
                             tag: Int32 = Communicator.anyTag) throws(MPIError) -> Message {
        var message: MPI_Message? = cmpi_message_null()
        var status = MPI_Status()
        try check(MPI_Mprobe(Int32(source), tag, handle, &message, &status), "MPI_Mprobe",
                  context: peerContext("probe for a message from", source, tag: tag))
        return Message(handle: message, status: Status(status), communicator: self)
    }

    /// The nonblocking matched probe: takes a matching message out of matching if one is
    /// pending.
    ///
    /// - Returns: the matched ``Message``, or `nil` when none is pending.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §3.8.2, `MPI_Improbe`.
    public func matchedProbeIfPending(from source: Int = Communicator.anySource,
                                      tag: Int32 = Communicator.anyTag) throws(MPIError) -> Message? {
        var message: MPI_Message? = cmpi_message_null()
        var status = MPI_Status()
        var flag: Int32 = 0
        try check(MPI_Improbe(Int32(source), tag, handle, &flag, &message, &status), "MPI_Improbe",
                  context: peerContext("probe for a message from", source, tag: tag))
        return flag != 0 ? Message(handle: message, status: Status(status), communicator: self) : nil
    }
}
