/// Something that records the run as it goes: the joblog, the journal, an HTCondor event
/// log, the summary. The scheduler calls each recorder for every change of a task.
public protocol RunRecorder: AnyObject {
    /// An attempt started on `worker` at `time` (seconds since the Unix epoch), as the worker
    /// reported it: a prefetched task starts when a slot frees, not when it is handed out.
    func taskStarted(position: Int, attempt: Int, worker: WorkerAd, time: Double)
    /// An attempt ended and the task will run again.
    func taskRetrying(position: Int, completion: TaskCompletion)
    /// A task reached its state for this run (final, or interrupted); `worker` is the ad of
    /// the worker that ran its last attempt, `nil` when none did (cancelled before it started).
    func taskEnded(position: Int, state: TaskState, completion: TaskCompletion, worker: WorkerAd?)
    /// A task can never run, and why.
    func taskUnrunnable(position: Int, reason: String)
    /// A worker gave back attempt `attempt` before it started (a prefetched task taken back
    /// for an idle worker, or handed back by a drain or an interrupt): it did not happen.
    func taskReturned(position: Int, attempt: Int)
    /// Makes what was recorded durable; called in batches and at the end.
    func flush()
    /// Why this recorder can no longer record durably (the journal's disk is full), or
    /// `nil`. The scheduler hands out no more work once a recorder says so.
    var recordingFailure: String? { get }
    /// Every worker registered: the pool the run hands tasks to.
    func workersKnown(_ workers: [WorkerAd])
}

extension RunRecorder {
    /// Records nothing.
    public func taskStarted(position: Int, attempt: Int, worker: WorkerAd, time: Double) {}
    /// Records nothing.
    public func taskRetrying(position: Int, completion: TaskCompletion) {}
    /// Records nothing.
    public func taskUnrunnable(position: Int, reason: String) {}
    /// Records nothing.
    public func taskReturned(position: Int, attempt: Int) {}
    /// Does nothing: nothing is buffered.
    public func flush() {}
    /// None: recorders other than the journal are not what makes a run resumable.
    public var recordingFailure: String? { nil }
    /// Records nothing.
    public func workersKnown(_ workers: [WorkerAd]) {}
}
