/// A set of ranks in one process, joined by queues: the farm's roles run in tests through
/// it exactly as they run over MPI.
public final class InMemoryNetwork: @unchecked Sendable {
    fileprivate var queues: [[Envelope]]

    /// Creates `size` ranks.
    public init(size: Int) {
        queues = Array(repeating: [], count: size)
    }

    /// The transport of one rank.
    public func transport(rank: Int) -> Transport {
        InMemoryTransport(network: self, rank: rank)
    }

    /// Messages waiting for `rank`.
    public func pending(for rank: Int) -> Int { queues[rank].count }
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
        network.queues[rank].isEmpty ? nil : network.queues[rank].removeFirst()
    }

    func progressSends() throws -> Bool { false }
}
