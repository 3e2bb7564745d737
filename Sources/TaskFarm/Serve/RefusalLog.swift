import Foundation

/// Logs refused client connections without letting an attack flood the log: the first
/// ``burst`` refusals of each ``window`` seconds get a line each, the rest are counted and
/// summed up in one line when the next window begins (or at ``flush()``), as syslog's
/// "last message repeated N times" and sshd's `MaxStartups` logging do. Thread-safe.
final class RefusalLog: @unchecked Sendable {
    /// Refusals logged one by one in each window.
    let burst: Int
    /// The window's length, in seconds.
    let window: Double
    private let log: @Sendable (String) -> Void
    private let lock = NSLock()
    private var windowStart = -Double.infinity
    private var inWindow = 0
    private var unlogged = 0

    /// A log that writes each of its lines with `log` (a warning on the rank's logger).
    init(burst: Int = 10, window: Double = 60, log: @escaping @Sendable (String) -> Void) {
        self.log = log
        self.burst = burst
        self.window = window
    }

    /// Records a refusal of `peer`, for `reason`, at `now` (monotonic seconds).
    func refused(_ peer: String, _ reason: String, now: Double = Clock.monotonicSeconds()) {
        let lines: [String] = lock.withLock {
            var lines: [String] = []
            if now - windowStart >= window {
                if let summary = takeSummary() { lines.append(summary) }
                windowStart = now
                inWindow = 0
            }
            inWindow += 1
            if inWindow <= burst {
                lines.append("client \(peer): \(reason); closing the connection"
                    + (inWindow == burst ? " (further refusals in the next \(Int(window)) s are counted, not logged)" : ""))
            } else {
                unlogged += 1
            }
            return lines
        }
        for line in lines { log(line) }
    }

    /// Logs the count of refusals not yet logged, if any.
    func flush() {
        if let summary = lock.withLock({ takeSummary() }) { log(summary) }
    }

    private func takeSummary() -> String? {
        guard unlogged > 0 else { return nil }
        defer { unlogged = 0 }
        return "\(unlogged) more client connection\(unlogged == 1 ? " was" : "s were") refused and not logged one by one"
    }
}
