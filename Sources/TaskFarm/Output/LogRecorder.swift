import JobSpec
import Logging

/// Tells the user, on rank 0's standard error, about tasks that could not start or can
/// never run, naming the task's file and line: such failures have no output of their own.
final class LogRecorder: RunRecorder {
    private let logger: Logger
    private let job: any Job

    init(logger: Logger, job: any Job) {
        self.logger = logger
        self.job = job
    }

    func taskEnded(position: Int, state: TaskState, completion: TaskCompletion, worker: WorkerAd?) {
        guard completion.outcome == .failedToStart else { return }
        let task = job.task(at: position)
        logger.error("\(task.source): task \(task.arrayIndex) could not start: \(completion.message ?? "unknown reason")")
    }

    func taskRetrying(position: Int, completion: TaskCompletion) {
        let task = job.task(at: position)
        logger.info("\(task.source): task \(task.arrayIndex) attempt \(completion.attempt) failed; retrying")
    }

    func taskUnrunnable(position: Int, reason: String) {
        let task = job.task(at: position)
        logger.error("\(task.source): task \(task.arrayIndex) can never run: \(reason)")
    }
}
