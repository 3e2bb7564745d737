/// An HTCondor submit description, expanded into one task per proc, each made when asked
/// (``SubmitProcs``), so `queue 1000000` streams as a task list does.
///
/// The file is read top to bottom; each `queue` statement creates procs from the
/// commands defined so far, with macros expanded per proc (see ``SubmitMacros``). Procs
/// are numbered from 0 across all queue statements, and all share one cluster id, the
/// farm's run id.
///
/// | command | becomes |
/// |---|---|
/// | `universe` | `vanilla` (the default); `local` and `scheduler` run on rank 0 as DAG nodes (``universeAttribute``); anything else is an error |
/// | `executable` | `argv[0]`, relative to the submit directory (not `initialdir`) |
/// | `arguments`/`args` | the rest of argv (``SubmitArguments``) |
/// | `environment`/`env`, `getenv` | the environment (see below) |
/// | `output`, `error` | stdout/stderr files relative to `initialdir`; `/dev/null` when not given; the command line's `--output`/`--error` win |
/// | `log` | the event log path, attribute `condor.log` |
/// | `initialdir` | the working directory |
/// | `request_cpus` | ``TaskSpec/slots`` |
/// | `request_memory` | ``TaskSpec/memoryMiB`` (default unit MiB; `K`, `M`, `G`, `T` suffixes) |
/// | `request_disk` | ``TaskSpec/diskKiB`` (default unit KiB; same suffixes) |
/// | `request_gpus` | ``TaskSpec/gpus``: whole GPUs, each given to one task at a time (`_CONDOR_AssignedGPUs`, `CUDA_VISIBLE_DEVICES`) |
/// | `requirements`, `rank` | checked ClassAd text in ``TaskSpec/requirements``/``TaskSpec/rank`` |
/// | `max_retries` | ``TaskSpec/maxRetries`` |
/// | `allowed_job_duration` | ``TaskSpec/timeLimit`` (seconds) |
/// | `notification`, `notify_user` | attributes `condor.notification`, `condor.notify_user` (no mail is sent) |
/// | `batch_name` | the job name |
/// | `+Name`, `MY.Name` | attribute `classad.Name` |
/// | `transfer_*` and friends | one warning: the farm assumes a shared file system |
/// | any other key | a user macro; a warning if nothing uses it, naming the closest command |
///
/// Environment: only what `environment` sets, plus `getenv` (all of the worker's
/// environment when true; the named variables of the submitting environment when a
/// list), plus HTCondor's job variables: `BATCH_SYSTEM=HTCondor`, `_CONDOR_JOB_IWD`, and
/// the thread-count variables (`OMP_NUM_THREADS`, `MKL_NUM_THREADS`, ...) set to
/// `request_cpus`. `_CONDOR_SCRATCH_DIR` and `TMPDIR` are a per-task folder the runtime
/// makes (attribute `condor.scratch`).
///
/// Attributes: `condor.cluster`, `condor.proc`, and `condor.log` when `log` is given.
///
/// Source: HTCondor manual, condor_submit; "Services for Running Jobs", "Environment
/// Variables".
public struct SubmitDescription: Sendable {
    /// The file as the user named it.
    public let file: String
    /// The job name: the command line's, else `batch_name`, else the file's base name
    /// without extension.
    public let name: String
    /// The procs, made when asked (``SubmitProcs``).
    let procs: SubmitProcs
    /// One task per proc, in proc order, all expanded: for small jobs (a DAG node's) and tests.
    public var tasks: [TaskSpec] { job.tasks }
    /// Problems that did not stop the load: unused macros, ignored commands.
    public let warnings: [JobSpecError]

    /// The attribute of a proc in HTCondor's `local` or `scheduler` universe (its value):
    /// as a DAG node it runs on rank 0, beside the scheduler, as DAGMan runs it on the
    /// access point; elsewhere it runs on a worker like a vanilla job, with a warning.
    public static let universeAttribute = "condor.universe"

    /// The variables HTCondor's starter sets to the job's cpu count.
    static let threadVariables = ["CUBACORES", "GOMAXPROCS", "JULIA_NUM_THREADS", "MKL_NUM_THREADS",
                                  "NUMEXPR_NUM_THREADS", "OMP_NUM_THREADS", "OMP_THREAD_LIMIT",
                                  "OPENBLAS_NUM_THREADS", "PYTHON_CPU_COUNT", "ROOT_MAX_THREADS",
                                  "TF_LOOP_PARALLEL_ITERATIONS", "TF_NUM_THREADS"]

    /// Reads and expands a submit description held in memory.
    ///
    /// - Parameters:
    ///   - text: the submit description.
    ///   - file: its path as the user named it, for messages and the default name.
    ///   - options: ids, environment, directories and command-line overrides.
    ///   - appending: `key = value` commands applied just before every queue statement,
    ///     as condor_submit's `-append` does (DAGMan passes a node's `VARS` this way).
    ///     They are never reported as unused.
    /// - Throws: ``JobSpecError`` naming the file, line and (where known) column: syntax
    ///   errors, a non-vanilla universe, a missing executable, bad arguments or environment
    ///   quoting, bad numbers or sizes, bad ClassAd expressions, a bad queue statement, or
    ///   no queue statement at all.
    public init(text: String, file: String, options: JobLoadOptions,
                appending: [(key: String, value: String)] = []) throws(JobSpecError) {
        var builder = SubmitBuilder(file: file, options: options)
        for statement in try SubmitStatement.parse(text, file: file) {
            switch statement {
            case .command(let key, let value, let location):
                builder.define(key: key, value: value, location: location)
            case .queue(let arguments, let location):
                for (key, value) in appending {
                    builder.define(key: key, value: value, location: location)
                    builder.userMacros[key.lowercased()] = nil
                }
                try builder.queue(arguments, location: location)
            }
        }
        guard builder.sawQueue else {
            throw JobSpecError("no queue statement, so nothing would run; expected 'queue' (or 'queue N') after "
                               + "the commands", file: file, line: max(1, text.fileLines.count))
        }
        self.file = file
        self.procs = builder.procs
        self.warnings = builder.finishWarnings()
        self.name = options.jobName ?? builder.batchName ?? TaskList.defaultName(for: file)
    }

    /// The job, whose procs are made when asked.
    public var job: SubmitJob {
        SubmitJob(name: name, file: file, warnings: warnings, procs: procs)
    }
}
