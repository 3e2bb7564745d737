import JobSpec

/// What the scheduler's core asks about tasks to place them on workers: how many slots a
/// task occupies, its retries and prerequisites, which workers can run it and which it
/// prefers. One interface, so that what a task needs of a host (its cores, memory and GPUs
/// taken from the host's pool, HTCondor `requirements`, `request_disk` and `rank`) is
/// answered in one place. Positions are the job's, from 0; `workers` are the
/// ads the name server holds (``SchedulerCore/workerAds``).
///
/// Every requirement has a default: one slot, the policy's retries, no prerequisites, any
/// worker, no preference.
public protocol Placement {
    /// Slots the task occupies on one worker (at least 1): its cores when
    /// ``request(of:)`` is not given.
    func slots(of position: Int) -> Int
    /// The cores, memory and GPUs the task takes from its host's pool while it runs.
    func request(of position: Int) -> ResourceRequest
    /// The task's own retry count, or `nil` for the policy's.
    func retries(of position: Int) -> Int?
    /// Positions that must be final before the task starts (barriers, DAG edges kept in the job).
    func prerequisites(of position: Int) -> [Int]
    /// Whether `worker` can run the task (HTCondor matchmaking).
    func matches(_ position: Int, _ worker: WorkerAd) -> Bool
    /// Whether ``matches(_:_:)`` is true of every task and worker, now and for tasks added
    /// later; the core then places by its indexes instead of scanning every worker.
    var matchesEveryWorker: Bool { get }
    /// Whether any task prefers some workers to others; otherwise ``rank(_:_:)`` is never asked.
    var ranksWorkers: Bool { get }
    /// The task's preference for `worker`: higher wins (HTCondor's `rank`).
    func rank(_ position: Int, _ worker: WorkerAd) -> Double
    /// Why no worker of `workers` can run the task, in words for the user.
    func whyUnmatched(_ position: Int, workers: [WorkerAd]) -> String
    /// The tasks of `0..<taskCount` that `isPending` and no worker of `workers` can ever
    /// run, with why; asked once when the workers are known, so they are reported at once.
    func unmatchable(workers: [WorkerAd], taskCount: Int, isPending: (Int) -> Bool) -> [(position: Int, reason: String)]
}

extension Placement {
    /// One slot.
    public func slots(of position: Int) -> Int { 1 }
    /// ``slots(of:)`` cores, no memory, no GPUs.
    public func request(of position: Int) -> ResourceRequest { ResourceRequest(cores: slots(of: position)) }
    /// The policy's retries.
    public func retries(of position: Int) -> Int? { nil }
    /// None.
    public func prerequisites(of position: Int) -> [Int] { [] }
    /// Every worker.
    public func matches(_ position: Int, _ worker: WorkerAd) -> Bool { true }
    /// Not promised: a placement that does not say so is asked per task and worker.
    public var matchesEveryWorker: Bool { false }
    /// No preference.
    public var ranksWorkers: Bool { false }
    /// 0 for every worker.
    public func rank(_ position: Int, _ worker: WorkerAd) -> Double { 0 }
    /// A general reason.
    public func whyUnmatched(_ position: Int, workers: [WorkerAd]) -> String { "no worker satisfies its requirements" }
    /// None.
    public func unmatchable(workers: [WorkerAd], taskCount: Int, isPending: (Int) -> Bool) -> [(position: Int, reason: String)] {
        []
    }
}

/// Any task on any worker, one slot each: the placement of a job that asks nothing.
public struct AnyWorkerPlacement: Placement {
    /// The placement.
    public init() {}

    /// True: it matches every worker.
    public var matchesEveryWorker: Bool { true }
}

/// A job's tasks placed by what each asks: its slots, retries and prerequisites from the
/// job, and HTCondor matchmaking through a ``WorkerMatcher`` when any task has
/// requirements (a task list never does). Works for a job that grows while it runs (the
/// served queue): tasks appended later are matched as they are first asked about.
final class JobPlacement: Placement {
    private let job: any Job
    private let matcher: WorkerMatcher?

    init(job: any Job) {
        self.job = job
        matcher = WorkerMatcher.make(for: job)
    }

    // From the job's placement needs, not its whole task: a task list answers them without
    // parsing the task's command, and the core asks them more than once per task.
    func slots(of position: Int) -> Int { job.placementNeeds(of: position).slots }
    func request(of position: Int) -> ResourceRequest { job.placementNeeds(of: position).request }
    func retries(of position: Int) -> Int? { job.placementNeeds(of: position).maxRetries }
    func prerequisites(of position: Int) -> [Int] { job.prerequisites(of: position) }
    func matches(_ position: Int, _ worker: WorkerAd) -> Bool { matcher?.matches(position, worker) ?? true }
    var matchesEveryWorker: Bool { matcher == nil }
    var ranksWorkers: Bool { matcher?.hasRank ?? false }
    func rank(_ position: Int, _ worker: WorkerAd) -> Double { matcher?.rank(position, worker) ?? 0 }

    func whyUnmatched(_ position: Int, workers: [WorkerAd]) -> String {
        matcher?.whyUnmatched(position, workers: workers) ?? "no worker satisfies its requirements"
    }

    func unmatchable(workers: [WorkerAd], taskCount: Int, isPending: (Int) -> Bool) -> [(position: Int, reason: String)] {
        matcher?.unmatchable(workers: workers, taskCount: taskCount, isPending: isPending) ?? []
    }
}
