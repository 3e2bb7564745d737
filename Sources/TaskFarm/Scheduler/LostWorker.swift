/// A worker the scheduler declared lost during a run (see ``WorkerLiveness``), for the
/// summary, the verdict and the log.
public struct LostWorker: Sendable, Equatable {
    /// The worker's rank.
    public var rank: Int
    /// Its host, as it registered.
    public var host: String
    /// Why it was declared lost ("silent for 10.2 s").
    public var reason: String

    /// A lost worker; every argument is the property of the same name.
    public init(rank: Int, host: String, reason: String) {
        self.rank = rank
        self.host = host
        self.reason = reason
    }

    /// "rank 2 on tfnode3".
    public var name: String { "rank \(rank) on \(host)" }
}
