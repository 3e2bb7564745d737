/// A message between ranks: who sent it, its kind, and its payload.
public struct Envelope: Sendable {
    /// The sender's rank in the world communicator (MPI 3.1 §3.2.3, message envelope;
    /// §3.2.5, `MPI_SOURCE`).
    public var source: Int
    /// The message's kind, sent as the MPI tag (MPI 3.1 §3.2.3).
    public var tag: MessageTag
    /// The message body, as encoded by the wire types.
    public var payload: [UInt8]
}

/// How the farm's roles exchange messages. The MPI transport is thin; an in-memory one
/// lets the scheduler, name server and worker logic run in tests without `mpirun`.
///
/// Sends never block: a transport queues what it cannot deliver at once, so two ranks
/// that send large messages to each other cannot deadlock.
public protocol Transport: AnyObject {
    /// This rank, 0 ..< `size`.
    var rank: Int { get }
    /// Ranks in the farm.
    var size: Int { get }
    /// Queues `payload` for `destination`. Sending to one's own rank delivers locally.
    func send(_ payload: [UInt8], to destination: Int, tag: MessageTag) throws
    /// The next message that has arrived, or `nil` without waiting.
    func receive() throws -> Envelope?
    /// Completes sends in flight; returns whether any is still pending.
    func progressSends() throws -> Bool
    /// Stops waiting for sends to `destination`, a rank the farm declared lost: a send to
    /// a silent host may never complete, and must not hold this rank at its end.
    func abandonSends(to destination: Int)
}

extension Transport {
    /// Does nothing: every send completes at once.
    public func abandonSends(to destination: Int) {}
}
