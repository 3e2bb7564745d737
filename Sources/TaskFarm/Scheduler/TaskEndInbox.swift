/// The task ends the scheduler reports to a role that drives it: a DAG's ``DAGDriver`` or
/// a served queue's ``QueueBroker``. The scheduler writes it as one of its recorders; the
/// role empties it in its own `step()`. So calls go one way: the role calls the scheduler
/// and reads its inbox, and the scheduler never calls the role, not even from inside its
/// own bookkeeping.
final class TaskEndInbox: RunRecorder {
    /// One end: a task reached `state` (final, or interrupted) after `completion`, or can
    /// never run (`completion` is `nil`, `state` is failed) because of `unrunnable`.
    struct End {
        var position: Int
        var state: TaskState
        var completion: TaskCompletion?
        var unrunnable: String?
    }

    private var ends: [End] = []

    /// Whether no end waits.
    var isEmpty: Bool { ends.isEmpty }

    /// The ends since the last call, oldest first.
    func take() -> [End] {
        defer { ends.removeAll(keepingCapacity: true) }
        return ends
    }

    func taskEnded(position: Int, state: TaskState, completion: TaskCompletion, worker: WorkerAd?) {
        ends.append(End(position: position, state: state, completion: completion))
    }

    func taskUnrunnable(position: Int, reason: String) {
        ends.append(End(position: position, state: .failed, unrunnable: reason))
    }
}
