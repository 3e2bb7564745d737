import CTaskSpawn
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The event loop of one rank. It never blocks in MPI: it probes, lets the roles work,
/// and when nothing happened waits with a ``Backoff`` (in the worker's `poll` on its
/// tasks' pidfds where there is a worker, so a task's end wakes it at once): up to 1 ms,
/// and up to 10 ms once it has been idle for a while.
final class RankLoop {
    /// The longest idle sleep, in microseconds, while a role expects a reply soon.
    static let shortWait = 50
    /// Seconds a finished rank waits for its last sends to complete.
    static let finalSendWait: Double = 5

    private let transport: Transport
    private var roles: [RankRole]
    private var routes: [MessageTag: RankRole] = [:]
    private var backoff: Backoff

    init(transport: Transport, roles: [RankRole], backoff: Backoff = Backoff()) {
        self.transport = transport
        self.roles = roles
        self.backoff = backoff
        for role in roles {
            for tag in role.tags { routes[tag] = role }
        }
    }

    /// Whether every role has finished.
    var isFinished: Bool { roles.allSatisfy(\.isFinished) }

    /// Runs until every role has finished.
    func run() throws {
        while !isFinished {
            if try runOnce() {
                backoff.reset()
                continue
            }
            var wait = backoff.nextWait()
            if roles.contains(where: \.expectsMessageSoon) {
                wait = min(wait, RankLoop.shortWait)
            } else if roles.contains(where: \.waitsForItsOwnEvent) {
                // Spinning here would only take CPU from the rank's own tasks.
                wait = max(wait, backoff.maximumSleep)
            }
            var waited = false
            for role in roles where try role.idle(microseconds: wait) {
                waited = true
                break
            }
            if !waited, wait > 0 { tf_sleep_microseconds(wait) }
        }
        // A send to a rank that has ended or was lost may never complete: wait for the
        // rest a few seconds at most (normally they complete in microseconds).
        let deadline = Clock.monotonicSeconds() + RankLoop.finalSendWait
        while try transport.progressSends(), Clock.monotonicSeconds() < deadline { tf_sleep_microseconds(100) }
    }

    /// One round without waiting: delivers signals, up to 256 messages, and each role's
    /// periodic work. Returns whether anything happened. Tests drive several ranks' loops
    /// round-robin on one thread with it.
    @discardableResult
    func runOnce() throws -> Bool {
        var progress = false
        for number in [SIGTERM, SIGINT, SIGUSR1] where tf_take_signal(number) > 0 {
            for role in roles { try role.signal(number) }
            progress = true
        }
        var received = 0
        while received < 256, let envelope = try transport.receive() {
            received += 1
            if envelope.tag == .stop {
                if (try? StopMessage(decoding: envelope.payload))?.reason == .finishedAfterLoss {
                    WorkerRecovery.peerLost = true
                }
                for role in roles { try role.handle(envelope) }
            } else if let role = routes[envelope.tag] {
                try role.handle(envelope)
            }
        }
        progress = progress || received > 0
        for role in roles where try role.step() { progress = true }
        _ = try transport.progressSends()
        return progress
    }
}
