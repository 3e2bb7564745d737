import Foundation

/// Work for a rank's MPI thread, posted from any thread: async service code never calls
/// MPI itself (MPI runs at thread level funneled), it posts a closure that the rank's
/// ``RankLoop`` runs on its next round, through ``MPIThreadWork``.
final class MPIThreadQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [() throws -> Void] = []

    /// Queues `body` to run on the MPI thread, waking it if it is idle.
    func post(_ body: @escaping () throws -> Void) {
        condition.lock()
        work.append(body)
        condition.signal()
        condition.unlock()
    }

    /// Takes everything posted so far, oldest first.
    func take() -> [() throws -> Void] {
        condition.lock()
        defer { condition.unlock() }
        let taken = work
        work.removeAll(keepingCapacity: true)
        return taken
    }

    /// Waits up to `microseconds` for work to be posted: an idle MPI thread sleeps here
    /// rather than in a fixed sleep, so a result from async code is handled at once.
    func waitForWork(microseconds: Int) {
        condition.lock()
        if work.isEmpty, microseconds > 0 {
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(microseconds) / 1e6))
        }
        condition.unlock()
    }
}

/// The role that runs an ``MPIThreadQueue``'s work each round of the rank's loop.
final class MPIThreadWork: RankRole {
    private let queue: MPIThreadQueue

    init(queue: MPIThreadQueue) { self.queue = queue }

    var tags: Set<MessageTag> { [] }
    var isFinished: Bool { true }
    func handle(_ envelope: Envelope) throws {}

    func step() throws -> Bool {
        let work = queue.take()
        for body in work { try body() }
        return !work.isEmpty
    }

    func idle(microseconds: Int) throws -> Bool {
        queue.waitForWork(microseconds: microseconds)
        return true
    }
}

/// Where a rank sends the service calls its code makes: the broker itself on rank 0, the
/// broker over MPI elsewhere. Called on the MPI thread only.
protocol ServiceCallSink: AnyObject {
    /// Sends a call; `completion` runs on the MPI thread with the output or the error.
    func send(service: String, payload: PayloadBytes, batch: Bool, format: PayloadFormat,
              completion: @escaping (Result<PayloadBytes, ServiceError>) -> Void) throws
}
