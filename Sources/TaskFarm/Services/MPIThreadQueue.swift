import Foundation

/// Work for a rank's MPI thread, posted from any thread: async service code never calls
/// MPI itself (MPI runs at thread level funneled), it posts a closure that the rank's
/// ``RankLoop`` runs on its next round, through ``MPIThreadWork``.
final class MPIThreadQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var work: [() throws -> Void] = []

    /// Queues `body` to run on the MPI thread.
    func post(_ body: @escaping () throws -> Void) {
        lock.withLock { work.append(body) }
    }

    /// Takes everything posted so far, oldest first.
    func take() -> [() throws -> Void] {
        lock.withLock {
            let taken = work
            work.removeAll(keepingCapacity: true)
            return taken
        }
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
}

/// Where a rank sends the service calls its code makes: the broker itself on rank 0, the
/// broker over MPI elsewhere. Called on the MPI thread only.
protocol ServiceCallSink: AnyObject {
    /// Sends a call; `completion` runs on the MPI thread with the output or the error.
    func send(service: String, payload: [UInt8], batch: Bool,
              completion: @escaping (Result<[UInt8], ServiceError>) -> Void) throws
}
