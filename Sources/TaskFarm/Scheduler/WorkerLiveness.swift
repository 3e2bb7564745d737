/// Which workers are alive, from when the scheduler last heard from each: a worker that
/// says nothing for ``timeout`` seconds is lost (dead, or its host silent), and stays lost
/// for the rest of the run, even if it speaks again.
///
/// Workers speak at least every ``heartbeatInterval`` seconds: every report counts, and a
/// worker with nothing to report sends a small heartbeat (see ``WorkerReport``). Open MPI
/// does not tell a surviving rank that a peer died, even under `mpirun --enable-recovery`
/// (sends to a dead rank still complete), so silence is the only sign the farm gets.
///
/// Free of MPI and clocks: the caller passes the time (seconds on any monotonic clock), so
/// the logic runs in tests on the in-memory transport. Source: HyperQueue's worker
/// heartbeat and `--idle-timeout`; Slurm's `SlurmdTimeout`.
public struct WorkerLiveness: Sendable {
    /// Seconds of silence after which a worker is lost (default 10).
    public let timeout: Double
    private var lastHeard: [Int: Double] = [:]
    /// The lost workers' ranks, in the order they were found.
    public private(set) var lost: [Int] = []
    private var lostSet = Set<Int>()

    /// The default ``timeout``, in seconds.
    public static let defaultTimeout: Double = 10

    /// Liveness for workers that time out after `timeout` seconds of silence (at least 1).
    public init(timeout: Double = WorkerLiveness.defaultTimeout) {
        self.timeout = max(1, timeout)
    }

    /// How often a worker with nothing else to say sends a heartbeat, in seconds: a quarter
    /// of `timeout`, so three heartbeats in a row can be late before the worker is lost.
    public static func heartbeatInterval(timeout: Double) -> Double { max(0.25, timeout / 4) }

    /// Starts watching `rank` as of `now` (seconds).
    public mutating func watch(_ rank: Int, now: Double) {
        guard !lostSet.contains(rank) else { return }
        lastHeard[rank] = now
    }

    /// The worker `rank` spoke at `now`. Returns `false` when it was already declared lost:
    /// whatever it says is then ignored, so a late result is never recorded twice.
    @discardableResult
    public mutating func heard(from rank: Int, now: Double) -> Bool {
        if lostSet.contains(rank) { return false }
        if lastHeard[rank] != nil { lastHeard[rank] = max(lastHeard[rank]!, now) }
        return true
    }

    /// The scheduler was not listening for `seconds` (its own loop stalled): that time does
    /// not count against the workers, whose messages wait unread.
    public mutating func excuse(seconds: Double) {
        guard seconds > 0 else { return }
        for rank in lastHeard.keys { lastHeard[rank]! += seconds }
    }

    /// Whether `rank` was declared lost.
    public func isLost(_ rank: Int) -> Bool { lostSet.contains(rank) }

    /// Declares lost every watched worker silent for longer than ``timeout`` at `now`, and
    /// returns them (ranks ascending); each is returned once.
    public mutating func findSilent(now: Double) -> [Int] {
        let silent = lastHeard.filter { now - $0.value > timeout }.map(\.key).sorted()
        for rank in silent { declareLost(rank) }
        return silent
    }

    /// Declares `rank` lost now, whatever it last said (its rank died, as far as the caller
    /// knows). Returns whether it was alive before.
    @discardableResult
    public mutating func declareLost(_ rank: Int) -> Bool {
        guard lostSet.insert(rank).inserted else { return false }
        lastHeard[rank] = nil
        lost.append(rank)
        return true
    }

    /// Workers watched and not lost.
    public var aliveCount: Int { lastHeard.count }
}
