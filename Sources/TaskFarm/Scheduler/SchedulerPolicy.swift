/// The scheduler's settings from the command line.
public struct SchedulerPolicy: Sendable {
    /// Retries after the first attempt, for tasks whose format names none (`--retries`).
    public var retries: Int
    /// An exit code that is never retried (`--retry-unless-exit`, DAGMan's UNLESS-EXIT).
    public var retryUnlessExit: Int?
    /// Extra tasks a worker may hold queued per slot, so that it starts the next task the
    /// moment one ends instead of waiting for the scheduler. 0 disables it.
    public var prefetchPerSlot: Int
    /// Most tasks running at once over the whole farm (Slurm's `%N` throttle), or `nil`.
    public var maxConcurrent: Int?

    /// A policy; every argument is the property of the same name.
    public init(retries: Int = 0, retryUnlessExit: Int? = nil, prefetchPerSlot: Int = 2, maxConcurrent: Int? = nil) {
        self.retries = retries
        self.retryUnlessExit = retryUnlessExit
        self.prefetchPerSlot = prefetchPerSlot
        self.maxConcurrent = maxConcurrent
    }
}
