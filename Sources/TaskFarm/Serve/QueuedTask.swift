import JobSpec

/// One task of a served farm's queue as the `tasks` request lists it: what the scheduler
/// front ends (`qstat`, `squeue`, `condor_q`, DRMAA's `drmaa_job_ps`) show of a job.
public struct QueuedTask: Codable, Sendable, Equatable {
    /// The task id (its position in the queue).
    public var id: Int
    /// `pending`, `held` (waiting for its parents), `running`, `succeeded`, `failed`,
    /// `timed out`, `memory exceeded`, `cancelled` or `interrupted`.
    public var state: String
    /// The task's label (its job name for the front ends).
    public var name: String
    /// The attributes its submitter set under `frontend.` (the front end's job id and
    /// format, see `FrontEndJob`), and HTCondor's `condor.*` (cluster, proc, log).
    public var attributes: [String: String]
    /// The host of the worker running it, while it runs.
    public var host: String?
    /// The worker's rank, while it runs.
    public var workerRank: Int?
    /// How it ended, once it has.
    public var end: TaskResult?
    /// The parents it still waits for, while held.
    public var waitingFor: [QueueDependencies.Parent]?
    /// Why it has not started, in words (`condor_q -better-analyze`), when asked for.
    public var analysis: String?
    /// Seconds it has run, while it runs.
    public var runSeconds: Double?
    /// Slots (cores) it occupies.
    public var slots: Int
    /// Memory requested, in MiB.
    public var memoryMiB: Int?
    /// Its wall-clock limit, in seconds.
    public var timeLimit: Double?

    /// The listing of `spec`, now in `state`, on `worker` while it runs, ended as `end`.
    init(id: Int, spec: TaskSpec, state: TaskState, worker: WorkerAd?, end: TaskResult?) {
        self.id = id
        self.state = state.description
        name = spec.label
        attributes = spec.attributes.filter { $0.key.hasPrefix(Self.frontEndPrefix) || $0.key.hasPrefix("condor.") }
        host = worker?.host
        workerRank = worker?.rank
        self.end = end
        slots = spec.slots
        memoryMiB = spec.memoryMiB
        timeLimit = spec.timeLimit
    }

    /// Whether it has ended (succeeded, failed, timed out, memory exceeded or cancelled).
    public var hasEnded: Bool { ["succeeded", "failed", "timed out", "memory exceeded", "cancelled"].contains(state) }

    /// The prefix of the attributes a front end keeps with its tasks.
    public static let frontEndPrefix = "frontend."

    /// Why a task that has not started waits, the way `condor_q -better-analyze` says it:
    /// the parents it is held for, the workers its requirements rule out (and for which
    /// condition), or that matching workers are busy.
    ///
    /// Source: HTCondor manual, `condor_q -better-analyze`.
    static func analysis(of spec: TaskSpec, held: Bool, waitingFor: [QueueDependencies.Parent],
                         workers: [WorkerAd]) -> String {
        if held {
            let parents = waitingFor.map { "\($0.condition.rawValue):\($0.id)" }.joined(separator: ", ")
            return "The job is held until its parents end as asked (\(parents.isEmpty ? "parents" : parents))."
        }
        guard !workers.isEmpty else { return "No worker has joined the farm yet." }
        guard let needs = WorkerMatcher.Needs(spec) else {
            return "Every one of the \(workers.count) worker(s) matches the job; it is idle until one of them has "
                + "\(spec.slots) free slot(s), in queue order."
        }
        let compiled = WorkerMatcher.Compiled(needs, file: spec.source.file)
        var order: [String] = []
        var failing: [String: Int] = [:]
        var matching = 0
        for worker in workers {
            let unmet = compiled.unmet(worker)
            if unmet.isEmpty { matching += 1 }
            for reason in unmet {
                if failing[reason] == nil { order.append(reason) }
                failing[reason, default: 0] += 1
            }
        }
        var lines = ["The Requirements expression for the job is: \(spec.requirements ?? "true")",
                     "\(matching) of \(workers.count) worker(s) match the job's requirements."]
        for reason in order { lines.append("  \(reason): rejects \(failing[reason]!) worker(s)") }
        lines.append(matching == 0
                     ? "No worker can run the job: it is idle until the farm ends, or it is removed."
                     : "It is idle until a matching worker has \(spec.slots) free slot(s), in queue order.")
        return lines.joined(separator: "\n")
    }
}
