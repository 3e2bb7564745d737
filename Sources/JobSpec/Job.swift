/// An expanded job: a fixed number of tasks, each built on demand by position.
///
/// Building tasks on demand keeps rank 0's memory per queued task small for formats that
/// allow it (a task list keeps only each line's offset), while formats that must expand
/// everything up front (submit descriptions, DAGs) hold an array.
public protocol Job: Sendable {
    /// The job's name: `%x` in patterns, `-N`/`-J` in PBS/Slurm, the file's base name otherwise.
    var name: String { get }
    /// The job file as the user named it.
    var file: String { get }
    /// How many tasks the job expands to.
    var taskCount: Int { get }
    /// The task at `position`, 0 ..< `taskCount`.
    func task(at position: Int) -> TaskSpec
    /// Positions that must all end before `position` may start, or empty.
    /// Task lists use it for `BARRIER` lines; DAGs for `PARENT ... CHILD`.
    func prerequisites(of position: Int) -> [Int]
    /// Warnings found while reading the file (unused macros, ignored commands), with
    /// their locations, to print before the run.
    var warnings: [JobSpecError] { get }
    /// The most tasks of this job that may run at once (Slurm `--array=...%N`, PBS Pro
    /// `-J ...%N`, Torque `-t ...%N`), or `nil` for no limit beyond the free workers.
    var maxConcurrent: Int? { get }
    /// How many consecutive job ids from the run id the tasks name: 1 for most formats; a
    /// Slurm array's size, since Slurm gives each element its own job id (`SLURM_JOB_ID` is
    /// the run id plus the element's position). The farm reserves them, so no later run's
    /// id is one of them.
    var jobIDsUsed: Int { get }
    /// What every task has in common and where each distinct request first appears, when
    /// the job gathered it while making every task once as it was read (``TaskSurvey``);
    /// `nil` when it did not, and a caller that needs it makes every task itself.
    var survey: TaskSurvey? { get }
    /// What placing the task at `position` needs (slots, resource request, retries), equal
    /// to ``TaskPlacementNeeds/init(_:)`` of ``task(at:)``; the scheduler asks it per dispatch.
    func placementNeeds(of position: Int) -> TaskPlacementNeeds
    /// The array index of the task at `position` (0 ..< ``taskCount``), equal to
    /// ``task(at:)``'s `arrayIndex`; a job that knows its indexes (an array's list, a submit
    /// description's proc numbers) gives it without making the task, so that `status
    /// --task` and `output` map an index to its position without making a million tasks.
    func arrayIndex(at position: Int) -> Int
}

extension Job {
    /// One: the run id.
    public var jobIDsUsed: Int { 1 }
    /// No prerequisites: every task may start as soon as a worker is free.
    public func prerequisites(of position: Int) -> [Int] { [] }
    /// No warnings.
    public var warnings: [JobSpecError] { [] }
    /// No limit (`nil`) beyond the free workers.
    public var maxConcurrent: Int? { nil }
    /// None gathered (`nil`).
    public var survey: TaskSurvey? { nil }
    /// Read from the whole task, built by ``task(at:)``.
    public func placementNeeds(of position: Int) -> TaskPlacementNeeds { TaskPlacementNeeds(task(at: position)) }
    /// Read from the whole task, built by ``task(at:)``.
    public func arrayIndex(at position: Int) -> Int { task(at: position).arrayIndex }
}

/// A job whose tasks are all held in memory.
public struct ExpandedJob: Job {
    /// The job name given at construction.
    public let name: String
    /// The job file as the user named it.
    public let file: String
    /// Every task, in position order: `tasks[i].position == i` is expected.
    public let tasks: [TaskSpec]
    /// Warnings found while reading the file, with their locations.
    public let warnings: [JobSpecError]
    /// The most tasks that may run at once, or `nil` for no limit.
    public let maxConcurrent: Int?

    /// Wraps tasks already expanded, in position order (HTCondor submit descriptions).
    public init(name: String, file: String, tasks: [TaskSpec], warnings: [JobSpecError] = [],
                maxConcurrent: Int? = nil) {
        self.name = name
        self.file = file
        self.tasks = tasks
        self.warnings = warnings
        self.maxConcurrent = maxConcurrent
    }

    /// `tasks.count`.
    public var taskCount: Int { tasks.count }
    /// `tasks[position]`; `position` must be in 0 ..< ``taskCount`` (traps otherwise).
    public func task(at position: Int) -> TaskSpec { tasks[position] }
}
