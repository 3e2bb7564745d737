import JobSpec

/// Writes each task's last attempt to a GNU parallel joblog.
final class JoblogRecorder: RunRecorder {
    private let joblog: Joblog
    /// The job whose tasks' labels fill the Command column.
    private let job: any Job

    init(joblog: Joblog, job: any Job) {
        (self.joblog, self.job) = (joblog, job)
    }

    func taskEnded(position: Int, state: TaskState, completion: TaskCompletion, worker: WorkerAd?) {
        guard state != .interrupted else { return }
        joblog.append(seq: position + 1, host: worker?.host ?? "rank\(completion.workerRank)", completion: completion,
                      command: job.task(at: position).label)
    }

    func taskUnrunnable(position: Int, reason: String) {
        let now = Clock.epochSeconds()
        let completion = TaskCompletion(position: position, attempt: 0, workerRank: -1, outcome: .failedToStart,
                                        exitCode: -1, startTime: now, endTime: now, message: reason)
        joblog.append(seq: position + 1, host: "-", completion: completion, command: job.task(at: position).label)
    }

    func flush() { joblog.flush() }
}
