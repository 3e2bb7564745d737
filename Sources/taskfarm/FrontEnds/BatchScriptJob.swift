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
    /// The one reading of a PBS script (`scheduler` `.pbs`, as `qsub` reads it) or a Slurm
    /// script (`.slurm`, as `sbatch` reads it) for job number `first`: `text`, read from
    /// `spooled`, with the command line's `batchOptions` (qsub's or sbatch's own words),
    /// `scriptArguments` and `overrides` (`taskfarm submit --file`'s per-task request, whose
    /// refusal names the script as `shownAs`), a script with DOS line breaks refused as
    /// sbatch refuses it. `taskfarm submit --file`
    /// reads scripts through here too, so a script's dependencies, names and ids are the
    /// same whichever command queued it. Returns what it queues, the script, and the options
    /// it was read with (their `hostname` is PBS's server).
    ///
    /// - Throws: ``JobSpecError`` naming the line and what was expected; ``ClientError``
    ///   when a dependency names a job the farm cannot find.
    func parsedBatchScript(_ scheduler: FrontEndJob.Scheduler, text: String, spooled: String, first: Int,
                           batchOptions: [String] = [], scriptArguments: [String] = [],
                           overrides: JobFiles.Overrides = JobFiles.Overrides(), shownAs: String? = nil,
                           client: QueueClient) throws
        -> (parsed: ParsedScript, script: any BatchScriptJob, options: JobLoadOptions) {
        let isPBS = scheduler == .pbs
        let options = try JobLoader.applyingCommandLine(
            loadOptions(first: first, batchOptions: batchOptions, scriptArguments: scriptArguments, overrides: overrides),
            to: isPBS ? .pbs : .slurm, named: shownAs ?? spooled)
        let checked = try JobLoader.checkScript(text, file: spooled, submitter: isPBS ? "qsub" : "sbatch")
        let script: any BatchScriptJob = isPBS ? try PBSScript(text: checked, file: spooled, options: options)
            : try SlurmScript(text: checked, file: spooled, options: options)
        let parsed = try parsed(script, scheduler: scheduler, first: first,
                                server: isPBS ? options.hostname : FrontEndJob.shortHostName, client: client)
        return (parsed, script, options)
    }

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
