import CTaskSpawn
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The event loop of one rank. It never blocks in MPI: it probes, lets the roles work,
/// and when nothing happened waits with a ``Backoff`` (in the worker's `poll` on its
/// tasks' pidfds where there is a worker, so a task's end wakes it at once): up to 1 ms,
/// and up to 10 ms once it has been idle for a while; while a reply is due, it polls on
/// for ``pollWindow`` before it sleeps at all.
final class RankLoop {
    /// The longest idle sleep, in microseconds, while a role expects a reply soon.
    static let shortWait = 50
    /// How long, in seconds, a rank keeps polling without sleeping after its last progress
    /// while a role expects a reply soon (service calls in flight). A wait on a condition
    /// or in `nanosleep` lasts at least the kernel's timer slack (50 µs by default) and then
    /// a wake-up: a round trip in which both sides have gone to sleep costs 200–450 µs where
    /// the message itself takes a few (issue 18's profile: at one worker, 0.25 CPUs busy and
    /// 4,500 calls a second). Open MPI's `MPI_Iprobe` yields the core on an oversubscribed
    /// node, so polling leaves it to runnable ranks; and it stops after this window, so a
    /// long call, or a rank with nothing in flight, costs what it did.
    static let pollWindow = 0.000_5
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
        var lastProgress = Clock.monotonicSeconds()
        while !isFinished {
            if try runOnce() {
                backoff.reset()
                lastProgress = Clock.monotonicSeconds()
                continue
            }
            var wait = backoff.nextWait()
            if roles.contains(where: \.expectsMessageSoon) {
                let pollsOn = Clock.monotonicSeconds() - lastProgress < RankLoop.pollWindow
                wait = pollsOn ? 0 : min(wait, RankLoop.shortWait)
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
