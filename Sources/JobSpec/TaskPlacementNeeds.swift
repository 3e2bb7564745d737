/// What the scheduler reads of a task to place it: its slots, its request of a host's
/// cores, memory and GPUs, and its own retry count.
///
/// The scheduler asks these for every task it hands out, some more than once (each dispatch
/// pass looks at the task at the head of the queue). A job answers through
/// ``Job/placementNeeds(of:)``, which builds the whole ``TaskSpec`` by default; a job that
/// knows them without parsing the task's command (``TaskList``) answers directly.
public struct TaskPlacementNeeds: Sendable, Equatable {
    /// Slots (cores) the task occupies on a worker: its ``TaskSpec/slots``.
    public var slots: Int
    /// The cores, memory and GPUs it takes from its host's pool: ``ResourceRequest/init(_:)``
    /// of the task.
    public var request: ResourceRequest
    /// Its own retries, or `nil` for the command line's: its ``TaskSpec/maxRetries``.
    public var maxRetries: Int?

    /// The needs; every argument is the property of the same name.
    public init(slots: Int, request: ResourceRequest, maxRetries: Int?) {
        self.slots = slots
        self.request = request
        self.maxRetries = maxRetries
    }

    /// The needs of `task`, as the scheduler would read them from it.
    public init(_ task: TaskSpec) {
        self.init(slots: task.slots, request: ResourceRequest(task), maxRetries: task.maxRetries)
    }
}
