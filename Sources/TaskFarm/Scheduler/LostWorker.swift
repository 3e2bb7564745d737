/// A worker the scheduler declared lost during a run (see ``WorkerLiveness``), for the
/// summary, the verdict and the log. Only the scheduler makes one, with the compiler's
/// memberwise initializer.
public struct LostWorker: Sendable, Equatable {
    /// The worker's rank.
    public var rank: Int
    /// Its host, as it registered.
    public var host: String
    /// Why it was declared lost ("silent for 10.2 s").
    public var reason: String

    /// "rank 2 on tfnode3".
    public var name: String { "rank \(rank) on \(host)" }
}
