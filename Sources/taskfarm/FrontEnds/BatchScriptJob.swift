import JobSpec
import TaskFarm

/// What `qsub` and `sbatch` queue of a parsed PBS or Slurm script: the same fields in both,
/// so that one function turns either into the tasks to submit.
protocol BatchScriptJob {
    /// The job name: `-N` or `--job-name`, else the script's file name.
    var name: String { get }
    /// The array, or `nil` for a script without one (one task, index 0).
    var array: ArrayRange? { get }
    /// Directive problems that did not stop the load.
    var warnings: [JobSpecError] { get }
    /// The expanded job.
    var job: ArrayJob { get }
    /// The dependencies the script and the command line name.
    var dependencies: [JobDependency] { get }
}

extension PBSScript: BatchScriptJob {}
extension SlurmScript: BatchScriptJob {}

extension FrontEndContext {
    /// What `script`, parsed for job number `first`, queues: its tasks stamped with
    /// `scheduler`'s variables (`server`: the host name in PBS's job ids), each waiting for
    /// the jobs its dependencies name; its warnings; its array's `%max`.
    ///
    /// - Throws: ``ClientError`` when a dependency names a job the farm cannot find.
    func parsed(_ script: some BatchScriptJob, scheduler: FrontEndJob.Scheduler, first: Int,
                server: String = FrontEndJob.shortHostName, client: QueueClient) throws -> ParsedScript {
        let parents = try FrontEndSubmission.parents(of: script.dependencies, scheduler: scheduler, client: client)
        let specs = (0..<script.job.taskCount).map(script.job.task(at:))
        let stamped = FrontEndJob.stamp(specs, scheduler: scheduler, first: first, name: script.name,
                                        isArray: script.array != nil, server: server)
        return ParsedScript(tasks: FrontEndSubmission.tasks(stamped, parents: parents), warnings: script.warnings,
                            maxConcurrent: script.array?.maxConcurrent)
    }
}
