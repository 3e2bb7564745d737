import JobSpec

/// The job of a served farm: it starts empty (or with the tasks a restarted farm replays
/// from its journal) and grows as clients submit tasks. Used on rank 0's MPI thread only.
final class QueueJob: Job, @unchecked Sendable {
    let name: String
    let file = "(queue)"
    private(set) var tasks: [TaskSpec] = []

    init(name: String) { self.name = name }

    var taskCount: Int { tasks.count }
    func task(at position: Int) -> TaskSpec { tasks[position] }

    /// Adds `task` at the next position, which it is given; returns that position.
    @discardableResult
    func append(_ task: TaskSpec) -> Int {
        var task = task
        task.position = tasks.count
        task.arrayIndex = tasks.count
        tasks.append(task)
        return task.position
    }
}
