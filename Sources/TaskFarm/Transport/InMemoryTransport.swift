/// A set of ranks in one process, joined by queues: the farm's roles run in tests through
/// it exactly as they run over MPI.
public final class InMemoryNetwork: @unchecked Sendable {
    fileprivate var queues: [[Envelope]]
    /// The next message of each queue: taking one is O(1), not a shift of the queue (a
    /// scheduler simulated with 10,000 workers holds thousands of messages).
    fileprivate var heads: [Int]

    /// Creates `size` ranks.
    public init(size: Int) {
        queues = Array(repeating: [], count: size)
        heads = Array(repeating: 0, count: size)
    }

    /// The transport of one rank.
    public func transport(rank: Int) -> Transport {
        InMemoryTransport(network: self, rank: rank)
    }

    /// Messages waiting for `rank`.
    public func pending(for rank: Int) -> Int { queues[rank].count - heads[rank] }

    fileprivate func take(for rank: Int) -> Envelope? {
        let head = heads[rank]
        guard head < queues[rank].count else { return nil }
        let envelope = queues[rank][head]
        if head + 1 == queues[rank].count {
            queues[rank].removeAll(keepingCapacity: true)
            heads[rank] = 0
        } else {
            heads[rank] = head + 1
        }
        return envelope
    }
}

final class InMemoryTransport: Transport {
    private let network: InMemoryNetwork
    let rank: Int
    var size: Int { network.queues.count }

    init(network: InMemoryNetwork, rank: Int) {
        self.network = network
        self.rank = rank
    }

    func send(_ payload: [UInt8], to destination: Int, tag: MessageTag) throws {
        network.queues[destination].append(Envelope(source: rank, tag: tag, payload: payload))
    }

    func receive() throws -> Envelope? {
        network.take(for: rank)
    }

    func progressSends() throws -> Bool { false }
}
