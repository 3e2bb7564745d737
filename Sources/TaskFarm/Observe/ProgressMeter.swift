import Foundation

/// The arithmetic and wording of the progress line, free of clocks and terminals: tasks
/// done, failed and running of the total, the rate over the last ``window`` seconds, the
/// time elapsed and the estimated time left (GNU parallel's `--eta`, HyperQueue's `hq job
/// progress`).
public struct ProgressMeter: Sendable {
    /// Where the counts stand at one moment.
    public struct Counts: Sendable, Equatable {
        /// Tasks that succeeded (earlier runs' included on resume).
        public var done: Int
        /// Tasks that failed, timed out, were cancelled or could not run.
        public var failed: Int
        /// Attempts running now.
        public var running: Int
        /// Tasks in the job.
        public var total: Int

        /// Counts; every argument is the property of the same name.
        public init(done: Int, failed: Int, running: Int, total: Int) {
            self.done = done
            self.failed = failed
            self.running = running
            self.total = total
        }
    }

    /// Seconds of history the rate is measured over, so that it follows changes.
    public let window: Double
    /// When the run started, in seconds on any clock the caller uses throughout.
    public let start: Double
    /// Ended tasks at the start (skipped on resume), which the rate does not count.
    private let endedAtStart: Int
    /// (time, tasks ended) samples, oldest first, at most ``window`` old.
    private var samples: [(time: Double, ended: Int)] = []

    /// A meter for a run that started at `start` with `endedAtStart` tasks already ended.
    public init(start: Double, endedAtStart: Int, window: Double = 30) {
        self.start = start
        self.endedAtStart = endedAtStart
        self.window = window
        samples = [(start, endedAtStart)]
    }

    /// Notes how many tasks have ended (done or failed) at `now`.
    public mutating func record(now: Double, ended: Int) {
        samples.append((now, ended))
        while samples.count > 2, now - samples[1].time >= window { samples.removeFirst() }
    }

    /// Tasks per second over the window, or `nil` before any task of this run ended.
    public var rate: Double? {
        guard let first = samples.first, let last = samples.last, last.ended > endedAtStart,
              last.time > first.time else { return nil }
        return Double(last.ended - first.ended) / (last.time - first.time)
    }

    /// Seconds until every task has ended at the current rate, or `nil` when unknown.
    public func secondsLeft(_ counts: Counts) -> Double? {
        let left = counts.total - counts.done - counts.failed
        guard left > 0 else { return 0 }
        guard let rate, rate > 0 else { return nil }
        return Double(left) / rate
    }

    /// `120 done, 3 failed, 4 running of 200 | 38.2 tasks/s | 0:03 elapsed | ETA 0:02`.
    public func line(_ counts: Counts, now: Double) -> String {
        let rateText = rate.map { String(format: $0 >= 10 ? "%.0f" : "%.1f", $0) } ?? "-"
        let eta = secondsLeft(counts).map(Self.clock) ?? "?"
        return "\(counts.done) done, \(counts.failed) failed, \(counts.running) running of \(counts.total)"
            + " | \(rateText) tasks/s | \(Self.clock(max(0, now - start))) elapsed | ETA \(eta)"
    }

    /// Seconds as `M:SS`, or `H:MM:SS` from an hour on.
    public static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        let (hours, minutes, rest) = (whole / 3600, whole / 60 % 60, whole % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, rest) : String(format: "%d:%02d", minutes, rest)
    }
}
