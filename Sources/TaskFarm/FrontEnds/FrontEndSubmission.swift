import Foundation
import JobSpec

/// How a front end queues one job: it reads the id the queue gives next, builds the tasks
/// with that id as the job number (the parsers write it into `PBS_JOBID`, `SLURM_JOB_ID`,
/// `$(Cluster)` and output names), and submits them on the condition that the queue has
/// not moved on meanwhile; when another client submitted first, it builds them again.
/// So a job's id and what its tasks see always agree, without a lock on the queue.
public enum FrontEndSubmission {
    /// Times a submission is prepared again when other clients keep submitting first.
    static let attempts = 50

    /// Queues the tasks `build` makes for job number `first`; returns their ids.
    ///
    /// - Throws: what `build` throws, or ``ClientError`` when the farm refuses or cannot be
    ///   reached, or the queue kept moving for ``attempts`` tries.
    public static func submit(_ client: QueueClient, build: (_ first: Int) throws -> [SubmittedTask]) throws -> [Int] {
        for _ in 0..<attempts {
            let first = try client.tasks([]).nextID
            let tasks = try build(first)
            guard !tasks.isEmpty else { throw ClientError("the job has no task to run", kind: .invalid) }
            do {
                return try client.submit(tasks, expectedFirst: first)
            } catch {
                guard error.kind == .tryLater else { throw error }
            }
        }
        throw ClientError("other clients kept submitting while this job was prepared; try again", kind: .tryLater)
    }

    /// Copies a job script into the farm's state folder (`spool/`), as qsub and sbatch copy
    /// a script when it is submitted: the job runs the script as it was then, and a script
    /// read from standard input has a file. The copy is named `name` (its default job name)
    /// inside a folder of its own.
    ///
    /// - Throws: ``ClientError`` of kind ``ClientError/Kind-swift.enum/cannotCreate`` naming the folder.
    public static func spool(_ text: String, name: String, client: QueueClient) throws(ClientError) -> String {
        let spool = try client.stateFolder() + "/spool"
        try? FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        var template = Array((spool + "/job.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw ClientError("cannot create a spool folder in \(spool): \(String(cString: strerror(errno)))",
                              kind: .cannotCreate)
        }
        let path = String(cString: made) + "/" + (name.isEmpty ? "script" : name)
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o700]) else {
            throw ClientError("cannot write the job script \(path)", kind: .cannotCreate)
        }
        return path
    }

    /// The queue ids of the jobs `dependencies` name, by condition.
    ///
    /// - Throws: ``ClientError`` for a job id the queue does not have.
    public static func parents(of dependencies: [JobDependency], scheduler: FrontEndJob.Scheduler,
                               client: QueueClient) throws(ClientError) -> [QueueDependencies.Parent] {
        var parents: [QueueDependencies.Parent] = []
        for dependency in dependencies {
            let condition: QueueDependencies.Condition
            switch dependency.type {
            case .afterOK: condition = .ok
            case .afterAny: condition = .any
            case .afterNotOK: condition = .notOK
            }
            for job in dependency.jobs {
                let id = try FrontEndJobID(parsing: job, scheduler: scheduler)
                parents += try id.taskIDs(in: client).map { QueueDependencies.Parent(id: $0, condition: condition) }
            }
        }
        return parents
    }

    /// `specs` as submitted tasks with `parents`.
    public static func tasks(_ specs: [TaskSpec], parents: [QueueDependencies.Parent]) -> [SubmittedTask] {
        let ok = parents.filter { $0.condition == .ok }.map(\.id)
        let any = parents.filter { $0.condition == .any }.map(\.id)
        let notOK = parents.filter { $0.condition == .notOK }.map(\.id)
        return specs.map { SubmittedTask(spec: $0, after: ok, afterAny: any.isEmpty ? nil : any,
                                         afterNotOK: notOK.isEmpty ? nil : notOK) }
    }
}
