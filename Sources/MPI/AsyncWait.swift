/// How ``Request/waitAsync(backoff:isolation:)`` spaces its polls: it tests, then sleeps
/// `initial`, then twice as long each time up to `maximum`. Swift-side only: MPI 3.1 has
/// no async wait; this is the polling `MPI_Test` loop of §3.7.3 with sleeps between polls.
public struct PollingBackoff: Sendable {
    /// The first sleep between polls, as a `Duration` (microseconds to milliseconds).
    public var initial: Duration
    /// The longest sleep between polls: the worst latency the sleeping adds.
    public var maximum: Duration

    /// A backoff from `initial` doubling up to `maximum`; no errors. Used with `MPI_Test` (MPI 3.1 §3.7.3).
    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    /// For `MPI_Test` polling (MPI 3.1 §3.7.3): 20 µs doubling up to 1 ms: idle ranks cost almost no CPU, and a late message
    /// waits at most about a millisecond more.
    public static let standard = PollingBackoff(initial: .microseconds(20), maximum: .milliseconds(1))
}

extension Request {
    /// Waits for the request from `async` code without blocking a cooperative thread:
    /// polls ``test()`` and sleeps with `Task.sleep` between polls, per `backoff`.
    ///
    /// The polls run on the caller's actor (`isolation`), so a `@MainActor` caller keeps
    /// every MPI call on the main thread, as `funneled` requires.
    ///
    /// If the task is cancelled: a receive is cancelled with ``cancel()`` and its status
    /// (``Status/isCancelled``) returned; a send or collective, which cannot be cancelled,
    /// throws `CancellationError` and stays valid to wait on again.
    ///
    /// - Returns: the completed operation's ``Status``.
    /// - Throws: ``MPIError`` from `MPI_Test` or `MPI_Cancel`, or `CancellationError`.
    /// Source: MPI 3.1 §3.7.3 (`MPI_Test`), §3.8.4 (`MPI_Cancel`).
    @discardableResult
    public func waitAsync(backoff: PollingBackoff = .standard,
                          isolation: isolated (any Actor)? = #isolation) async throws -> Status {
        var delay = backoff.initial
        while true {
            if let status = try test() { return status }
            if Task.isCancelled {
                guard kind == .receive else { throw CancellationError() }
                try cancel()
                return try wait()
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, backoff.maximum)
        }
    }
}
