/// Everything `taskfarm run` takes from its command line.
public struct FarmOptions: Sendable {
    /// The job file.
    public var jobPath: String
    /// The state folder; `JOBFILE.taskfarm` when `nil`.
    public var stateDirectory: String?
    /// `--output` and `--error` patterns (Slurm filename letters).
    public var output: String?
    /// `--error`: the stderr pattern (Slurm filename letters).
    public var error: String?
    /// `--joblog`: a GNU parallel joblog to write.
    public var joblog: String?
    /// The hosts' resources as the command line gives them (`--cpus-per-host`,
    /// `--memory-per-host`, `--gpus-per-host`, `--slots-per-worker`, `--bind`).
    public var resources = HostResourceOptions()
    /// `--enforce-memory`: a task whose resident set passes its memory request is stopped and
    /// ends "memory exceeded".
    public var enforceMemory = false
    /// `--name-server-rank`; `nil` for the default layout.
    public var nameServerRank: Int?
    /// `--retries`: retries after the first attempt.
    public var retries: Int
    /// `--retry-unless-exit`: never retry this exit code.
    public var retryUnlessExit: Int?
    /// `--timeout`: per-task wall limit in seconds.
    public var timeout: Double?
    /// `--kill-grace`: seconds between SIGTERM and SIGKILL when a task is stopped.
    public var killGrace: Double
    /// `--chdir`: the tasks' working directory.
    public var workingDirectory: String?
    /// Tasks a worker may hold queued per slot beyond those running.
    public var prefetchPerSlot: Int
    /// `--rerun-failed`: a resume also runs tasks that failed, timed out or were cancelled.
    public var rerunFailed: Bool = false
    /// `--force`: resume even though the expanded tasks changed (see ``ResumePlan``).
    public var force: Bool = false
    /// `--walltime`: seconds the farm may run, from its start; `nil` reads the allocation's end.
    public var walltime: Double?
    /// `--task-time`: the expected seconds per task, for walltime draining; `nil` learns it.
    public var taskTime: Double?
    /// `--notify-command`: a shell command rank 0 runs where HTCondor would send the
    /// `notification` mail (see ``NotifyRecorder``); `nil` for none.
    public var notifyCommand: String?
    /// The job file's command-line overrides (`--format`, `-J`, script arguments,
    /// `--rescue-from`), recorded in the run's ``RunContext`` so that `status --task` and
    /// `report` reload the same tasks.
    public var jobOverrides = JobFiles.Overrides()
    /// `--progress` / `--no-progress`; `nil` shows the progress line when rank 0's standard
    /// error is a terminal (see ``ProgressReporter``).
    public var progressLine: Bool?
    /// `--progress-interval`: seconds between progress summaries when no progress line is
    /// shown (batch logs); 0 turns them off.
    public var progressInterval: Double = 60
    /// `--max-failures N`: after N tasks failed (or timed out, or could not run) in this run,
    /// no new task starts (GNU parallel `--halt soon,fail=N`, HyperQueue `--max-fails`);
    /// `nil` for no limit.
    public var maxFailures: Int?
    /// `--worker-timeout`: seconds of silence after which a worker is lost (``WorkerLiveness``).
    public var workerTimeout: Double = WorkerLiveness.defaultTimeout
    /// `--crash-limit`: lost workers a task may have run on before it fails.
    public var crashLimit: Int = 3

    /// Options for a run of `jobPath`; every argument is the property of the same name.
    /// `killGrace` is in seconds. ``rerunFailed``, ``force``, ``walltime``, ``taskTime`` and
    /// ``notifyCommand`` are set afterwards.
    public init(jobPath: String, stateDirectory: String? = nil, output: String? = nil, error: String? = nil,
                joblog: String? = nil, nameServerRank: Int? = nil, retries: Int = 0,
                retryUnlessExit: Int? = nil, timeout: Double? = nil, killGrace: Double = 1.0,
                workingDirectory: String? = nil, prefetchPerSlot: Int = 2) {
        self.jobPath = jobPath
        self.stateDirectory = stateDirectory
        self.output = output
        self.error = error
        self.joblog = joblog
        self.nameServerRank = nameServerRank
        self.retries = retries
        self.retryUnlessExit = retryUnlessExit
        self.timeout = timeout
        self.killGrace = killGrace
        self.workingDirectory = workingDirectory
        self.prefetchPerSlot = prefetchPerSlot
    }
}
