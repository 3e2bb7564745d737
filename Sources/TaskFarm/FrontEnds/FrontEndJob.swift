import Foundation
import JobSpec

/// A job as a scheduler front end (`qsub`, `sbatch`, `condor_submit`, DRMAA) submitted it
/// to a served farm: one array of queue tasks, ids `first ..< first + count`, whose job
/// number is its first task's id + 1: queue ids count from 0, as `taskfarm submit` prints
/// them, and job numbers from 1, as Slurm's, PBS's and HTCondor's do. The front end keeps what it needs in each task's attributes
/// (``Key``), so every front end, and every later command (`qstat`, `squeue`, `condor_q`),
/// reads the same facts back from the broker.
///
/// Job ids are printed the way each scheduler prints them, and map to queue ids (here for a
/// job whose first task is queue id 11):
///
/// | scheduler | job | array element |
/// |---|---|---|
/// | PBS | `12.server`, an array `12[].server` | `12[3].server` (index 3) |
/// | Slurm | `12` | `12_3` (index 3) |
/// | HTCondor | cluster `12` | `12.3` (proc 3, queue id 14) |
/// | DRMAA | `12` | `13`, one id per task: its queue id + 1 |
public struct FrontEndJob: Sendable, Equatable {
    /// Which scheduler's front end submitted a job.
    public enum Scheduler: String, Sendable {
        case pbs, slurm, condor, drmaa
    }

    /// The attributes a front end stamps on each task.
    public enum Key {
        /// The scheduler (``Scheduler``).
        public static let scheduler = QueuedTask.frontEndPrefix + "scheduler"
        /// The first task's queue id (the job number - 1), as journals of earlier versions
        /// hold it too.
        public static let job = QueuedTask.frontEndPrefix + "job"
        /// How many tasks the job has.
        public static let count = QueuedTask.frontEndPrefix + "count"
        /// The task's array index (PBS subjob index, Slurm array task id, HTCondor proc);
        /// absent outside an array.
        public static let index = QueuedTask.frontEndPrefix + "index"
        /// The job name.
        public static let name = QueuedTask.frontEndPrefix + "name"
        /// The submitting user.
        public static let user = QueuedTask.frontEndPrefix + "user"
        /// When it was submitted, seconds since the epoch.
        public static let submitted = QueuedTask.frontEndPrefix + "submitted"
        /// The host named in PBS job ids (`12.server`).
        public static let server = QueuedTask.frontEndPrefix + "server"
        /// HTCondor's batch name (`-batch-name`, or the DAG's).
        public static let batch = QueuedTask.frontEndPrefix + "batch"
    }

    /// Its first task's queue id.
    public var first: Int
    /// Its job number, as the front ends print and read it: ``first`` + 1.
    public var number: Int { Self.number(ofQueueID: first) }

    /// The job number of the job whose first task has queue id `id`: queue ids count from
    /// 0, job numbers from 1, as Slurm's, PBS's and HTCondor's (and scripts that test
    /// `$SLURM_JOB_ID` or a cluster id for a value above 0).
    public static func number(ofQueueID id: Int) -> Int { id + 1 }

    /// The queue id of the first task of job number `number`; `nil` below 1, which names no job.
    public static func queueID(ofNumber number: Int) -> Int? { number >= 1 ? number - 1 : nil }
    /// Its tasks, by id.
    public var tasks: [QueuedTask]

    /// The job's scheduler; `nil` for tasks `taskfarm submit` queued.
    public var scheduler: Scheduler? { tasks.first?.attributes[Key.scheduler].flatMap(Scheduler.init(rawValue:)) }
    /// Whether it was submitted as an array.
    public var isArray: Bool { tasks.first?.attributes[Key.index] != nil }
    /// Its name.
    public var name: String { tasks.first.map { $0.attributes[Key.name] ?? $0.name } ?? "" }
    /// Its owner (the submitting user, else this process's user).
    public var user: String { tasks.first?.attributes[Key.user] ?? FrontEndJob.currentUser }
    /// When it was submitted.
    public var submitted: Date? {
        tasks.first?.attributes[Key.submitted].flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
    }
    /// The PBS server named in its ids.
    public var server: String { tasks.first?.attributes[Key.server] ?? FrontEndJob.shortHostName }

    /// Groups a queue listing into jobs, in id order: tasks a front end submitted by their
    /// job number, any other task as a job of its own.
    public static func jobs(in tasks: [QueuedTask]) -> [FrontEndJob] {
        var jobs: [FrontEndJob] = []
        for task in tasks.sorted(by: { $0.id < $1.id }) {
            let first = task.attributes[Key.job].flatMap(Int.init) ?? task.id
            if let last = jobs.last, last.first == first {
                jobs[jobs.count - 1].tasks.append(task)
            } else {
                jobs.append(FrontEndJob(first: first, tasks: [task]))
            }
        }
        return jobs
    }

    /// The jobs `ids` name, in `jobs`: whole jobs, or only the elements named (by array
    /// index, or HTCondor proc).
    public static func select(_ ids: [FrontEndJobID], in jobs: [FrontEndJob]) -> [FrontEndJob] {
        jobs.compactMap { job in
            let matching = ids.filter { $0.job == job.number }
            guard !matching.isEmpty else { return nil }
            var job = job
            if !matching.contains(where: { $0.element == nil }) {
                let indices = Set(matching.compactMap(\.element).map(String.init))
                job.tasks = job.tasks.filter { indices.contains($0.attributes[Key.index] ?? String($0.id - job.first)) }
            }
            return job
        }
    }

    /// Stamps `specs`, the tasks of one job whose first task gets queue id `first`, with
    /// the front end's attributes; `isArray` keeps each task's ``TaskSpec/arrayIndex`` as its
    /// index. Output patterns are fixed to this job's number and indices (`%A`, `%a`, `%j`),
    /// since in the queue a task's own index is its queue id.
    public static func stamp(_ specs: [TaskSpec], scheduler: Scheduler, first: Int, name: String, isArray: Bool,
                             server: String = shortHostName, batch: String? = nil,
                             now: Double = Date().timeIntervalSince1970) -> [TaskSpec] {
        specs.map { spec in
            var spec = spec
            spec.attributes[Key.scheduler] = scheduler.rawValue
            spec.attributes[Key.job] = String(first)
            spec.attributes[Key.count] = String(specs.count)
            spec.attributes[Key.name] = name
            spec.attributes[Key.user] = currentUser
            spec.attributes[Key.submitted] = String(format: "%.3f", now)
            spec.attributes[Key.server] = server
            if let batch { spec.attributes[Key.batch] = batch }
            if isArray { spec.attributes[Key.index] = String(spec.arrayIndex) }
            let values = OutputPattern.Values(runID: number(ofQueueID: first), arrayIndex: spec.arrayIndex, host: "", jobName: name,
                                              user: currentUser)
            let place = SourceLocation(file: "<front end>", line: 0)
            for path in [\TaskSpec.stdout, \TaskSpec.stderr, \TaskSpec.stdin] {
                if let text = spec[keyPath: path], let pattern = try? OutputPattern(text, location: place) {
                    spec[keyPath: path] = pattern.fixingJobFields(values)
                }
            }
            return spec
        }
    }

    /// This host's name up to its first dot, as PBS names its server in job ids.
    public static var shortHostName: String {
        String(HostFacts.hostName.prefix { $0 != "." })
    }

    /// This process's user name: `USER`, `LOGNAME`, else the password database's name.
    public static var currentUser: String {
        let environment = ProcessInfo.processInfo.environment
        if let name = environment["USER"] ?? environment["LOGNAME"], !name.isEmpty { return name }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return String(getuid())
    }
}
