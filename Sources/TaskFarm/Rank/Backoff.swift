import CTaskSpawn

/// How an idle rank waits: a few quick re-checks, then sleeps that double from
/// `firstSleep` up to `maximumSleep`; once it has slept `patience` microseconds in all
/// without progress, the sleeps go on doubling up to `idleMaximumSleep`. Any progress
/// resets it.
///
/// Open MPI 4.1's blocking calls busy-poll a core, which on an oversubscribed node halves
/// the workers' throughput; sleeping keeps an idle rank near zero CPU, and the cap bounds
/// the latency it adds. The longer cap is for ranks with nothing to do for a while (the
/// name server, a worker without work, the scheduler while every task runs for minutes):
/// at 1 ms each rank wakes 1,000 times a second, which on 2 cores shared by 128 ranks is
/// most of the machine (issue 18); at 10 ms, a tenth of that. A rank that is busy never
/// gets there: a message or a task's end resets it, and a worker waits for its tasks' ends
/// in `ppoll`, which wakes at once.
public struct Backoff: Sendable {
    /// Checks made without sleeping after the last progress.
    public var spins: Int
    /// The first sleep, in microseconds.
    public var firstSleep: Int
    /// The longest sleep until `patience` is used up, in microseconds.
    public var maximumSleep: Int
    /// The longest sleep after that, in microseconds.
    public var idleMaximumSleep: Int
    /// Microseconds slept without progress before sleeps may pass `maximumSleep`.
    public var patience: Int

    private var idleRounds = 0
    private var currentSleep: Int
    private var slept = 0

    /// A backoff; every argument is in microseconds except `spins` (rounds).
    public init(spins: Int = 50, firstSleep: Int = 20, maximumSleep: Int = 1000, idleMaximumSleep: Int = 10_000,
                patience: Int = 100_000) {
        self.spins = spins
        self.firstSleep = firstSleep
        self.maximumSleep = maximumSleep
        self.idleMaximumSleep = max(idleMaximumSleep, maximumSleep)
        self.patience = patience
        self.currentSleep = firstSleep
    }

    /// Call after a round that did something.
    public mutating func reset() {
        idleRounds = 0
        currentSleep = firstSleep
        slept = 0
    }

    /// The next wait in microseconds after an idle round (0 while spinning), advancing the backoff.
    public mutating func nextWait() -> Int {
        idleRounds += 1
        if idleRounds <= spins { return 0 }
        let wait = currentSleep
        slept += wait
        currentSleep = min(currentSleep * 2, slept >= patience ? idleMaximumSleep : maximumSleep)
        return wait
    }

    /// Waits after an idle round: spins, then sleeps.
    public mutating func idle() {
        let wait = nextWait()
        if wait > 0 { tf_sleep_microseconds(wait) }
    }
}
