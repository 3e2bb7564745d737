import CTaskSpawn

/// How an idle rank waits: a few quick re-checks, then sleeps that double from
/// `firstSleep` up to `maximumSleep`. Any progress resets it.
///
/// Open MPI 4.1's blocking calls busy-poll a core, which on an oversubscribed node halves
/// the workers' throughput; sleeping keeps an idle rank near zero CPU, and the cap bounds
/// the latency it adds.
public struct Backoff: Sendable {
    /// Checks made without sleeping after the last progress.
    public var spins: Int
    /// The first sleep, in microseconds.
    public var firstSleep: Int
    /// The longest sleep, in microseconds.
    public var maximumSleep: Int

    private var idleRounds = 0
    private var currentSleep: Int

    /// A backoff; `firstSleep` and `maximumSleep` are in microseconds.
    public init(spins: Int = 50, firstSleep: Int = 20, maximumSleep: Int = 1000) {
        self.spins = spins
        self.firstSleep = firstSleep
        self.maximumSleep = maximumSleep
        self.currentSleep = firstSleep
    }

    /// Call after a round that did something.
    public mutating func reset() {
        idleRounds = 0
        currentSleep = firstSleep
    }

    /// The next wait in microseconds after an idle round (0 while spinning), advancing the backoff.
    public mutating func nextWait() -> Int {
        idleRounds += 1
        if idleRounds <= spins { return 0 }
        let wait = currentSleep
        currentSleep = min(currentSleep * 2, maximumSleep)
        return wait
    }

    /// Waits after an idle round: spins, then sleeps.
    public mutating func idle() {
        let wait = nextWait()
        if wait > 0 { tf_sleep_microseconds(wait) }
    }
}
