/// Runs Swift tasks on a rank's MPI thread, as jobs of its ``MPIThreadQueue``.
///
/// A worker runs each service call as a task that prefers this executor, so a call runs on
/// the thread where its message arrived and its answer leaves: no hop to the cooperative
/// pool and back, which costs two thread wake-ups per call and, on an oversubscribed node,
/// more than a short service itself. The price is that a service that blocks its thread
/// (rather than awaiting) holds up the worker's messages until it returns, as an
/// mpi4py.futures worker does while it runs a task.
final class MPIThreadExecutor: _Concurrency.TaskExecutor, @unchecked Sendable {
    private let queue: MPIThreadQueue

    init(queue: MPIThreadQueue) { self.queue = queue }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.post { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }
    }
}
