/// Which rank plays which role in a farm of `size` ranks.
///
/// - Rank 0 is the scheduler and broker.
/// - The name server is rank 1 when there are at least 3 ranks, otherwise it runs beside
///   the scheduler on rank 0; `--name-server-rank` overrides (0 co-locates it).
/// - Every other rank is a worker. With one rank in total, rank 0 runs the tasks itself.
public struct RoleLayout: Sendable, Equatable {
    /// Ranks in the farm (the world communicator's size).
    public let size: Int
    /// The rank that runs the name server; 0 means beside the scheduler.
    public let nameServerRank: Int
    /// The ranks that run tasks, ascending: `[0]` for a one-rank farm.
    public let workerRanks: [Int]

    /// - Throws: ``LayoutError`` when the requested name-server rank is out of range.
    public init(size: Int, requestedNameServerRank: Int? = nil) throws(LayoutError) {
        self.size = size
        if let requested = requestedNameServerRank {
            guard requested >= 0, requested < size else {
                throw LayoutError(message: "--name-server-rank \(requested) is out of range: the farm has ranks 0 to \(size - 1)")
            }
            if requested != 0, size == 2 {
                throw LayoutError(message: "--name-server-rank \(requested) would leave no worker: with 2 ranks the name server must be rank 0")
            }
            nameServerRank = requested
        } else {
            nameServerRank = size >= 3 ? 1 : 0
        }
        if size == 1 {
            workerRanks = [0]
        } else {
            let server = nameServerRank
            workerRanks = (1..<size).filter { $0 != server }
        }
    }

    /// Whether `rank` runs tasks.
    public func isWorker(_ rank: Int) -> Bool { workerRanks.contains(rank) }
}

/// A rank layout that cannot work.
public struct LayoutError: Error, CustomStringConvertible {
    /// What is wrong with the layout, naming `--name-server-rank` and the valid ranks.
    public var message: String
    /// The message, as is.
    public var description: String { message }
}
