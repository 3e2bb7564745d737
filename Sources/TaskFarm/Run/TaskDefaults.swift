import JobSpec

/// What the command line adds to every task, applied by one function so that the task the
/// journal fingerprints on rank 0, the task the scheduler ships and the task the worker runs
/// are one and the same: the output patterns (``OutputDefaults``), the time limit
/// (`--timeout`, seconds) and the working folder (`--chdir`, absolute).
///
/// A task's own setting wins over each default, as a job file's does over sbatch's
/// environment; the command line's `--output`/`--error` win over the task's (sbatch).
struct TaskDefaults: Sendable {
    /// The stdout and stderr patterns.
    var outputs: OutputDefaults
    /// `--timeout`: the time limit of a task that sets none, in seconds; `nil` for none.
    var timeLimit: Double?
    /// `--chdir`: the folder of a task that names none; `nil` leaves it to the worker, which
    /// runs it where the farm started (``JobContext/workingDirectory``).
    var workingDirectory: String?

    /// `task` as it will run: output patterns resolved, time limit and folder filled in.
    func finalForm(of task: TaskSpec) -> TaskSpec {
        var task = task
        let streams = outputs.resolve(taskOutput: task.stdout, taskError: task.stderr)
        task.stdout = streams.stdout
        task.stderr = streams.stderr
        if task.timeLimit == nil { task.timeLimit = timeLimit }
        if task.workingDirectory == nil { task.workingDirectory = workingDirectory }
        return task
    }
}
