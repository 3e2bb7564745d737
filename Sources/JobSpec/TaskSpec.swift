/// One task of an expanded job: what to run, where, with which environment, and where
/// its output goes.
///
/// Every format (task list, HTCondor submit description, PBS or Slurm array script, DAG
/// node) expands into `TaskSpec` values; the scheduler only ever sees these.
public struct TaskSpec: Sendable, Equatable, Codable {
    /// 0-based place in the expanded job. The journal's key; the joblog's Seq is `position + 1`.
    public var position: Int
    /// The format's own array index: the position for task lists, `$(Process)` for
    /// HTCondor, `PBS_ARRAY_INDEX` or `SLURM_ARRAY_TASK_ID` for arrays. `%a` and
    /// `TASKFARM_TASK_INDEX` give it.
    public var arrayIndex: Int
    /// What runs.
    public var command: TaskCommand
    /// The environment the task starts with.
    public var environment: TaskEnvironment
    /// The working directory, absolute or relative to where `taskfarm` started; `nil` for
    /// the farm's working directory.
    public var workingDirectory: String?
    /// Where stdout goes, as a Slurm filename pattern (see ``OutputPattern``); `nil` when the
    /// format names none, so the command line's `--output` or the farm's default applies.
    public var stdout: String?
    /// Where stderr goes, as a Slurm filename pattern; `nil` when the format names none.
    /// Equal to ``stdout`` when both streams share one file.
    public var stderr: String?
    /// The file the task reads as stdin (a Slurm filename pattern: `%a` and friends are
    /// expanded; HTCondor's `input`, sbatch's `--input`), or `nil` for `/dev/null`.
    public var stdin: String?
    /// Slots (cores) the task occupies on a worker; at least 1.
    public var slots: Int
    /// Memory requested, in MiB, or `nil`.
    public var memoryMiB: Int?
    /// Disk requested, in KiB, or `nil`.
    public var diskKiB: Int?
    /// GPUs requested, whole devices, or `nil` for none (`request_gpus`, `--gres=gpu:N`, `ngpus`).
    public var gpus: Int?
    /// Where the resource request was written, for refusals; `nil` when the format has no
    /// such line (a task list's default).
    public var requestLines: RequestLines?
    /// A ClassAd requirements expression evaluated against each worker's ad, or `nil`.
    public var requirements: String?
    /// A ClassAd rank expression: among matching workers the highest is preferred.
    public var rank: String?
    /// Per-task wall-clock limit in seconds, or `nil` for none.
    public var timeLimit: Double?
    /// Retries after the first attempt, or `nil` to use the command line's `--retries`.
    public var maxRetries: Int?
    /// The exit status that counts as success, or `nil` for 0 (HTCondor's
    /// `success_exit_code`: with it, exit status 0 is a failure).
    public var successExitCode: Int?
    /// The file and line that produced the task.
    public var source: SourceLocation
    /// A short label for logs and the joblog's Command column.
    public var label: String
    /// Format-specific extras (HTCondor cluster id, event log path, ...), by name.
    public var attributes: [String: String]

    /// Makes a task; every argument is the property of the same name. `label` defaults to
    /// `command.displayString`; `environment` to the rank's environment unchanged; `slots` to 1.
    public init(position: Int, arrayIndex: Int, command: TaskCommand,
                environment: TaskEnvironment = .inherit(set: [:]), workingDirectory: String? = nil,
                stdout: String? = nil, stderr: String? = nil, slots: Int = 1, memoryMiB: Int? = nil,
                diskKiB: Int? = nil, requirements: String? = nil, rank: String? = nil,
                timeLimit: Double? = nil, maxRetries: Int? = nil, source: SourceLocation,
                label: String? = nil, attributes: [String: String] = [:]) {
        self.position = position
        self.arrayIndex = arrayIndex
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stdout = stdout
        self.stderr = stderr
        self.slots = slots
        self.memoryMiB = memoryMiB
        self.diskKiB = diskKiB
        self.requirements = requirements
        self.rank = rank
        self.timeLimit = timeLimit
        self.maxRetries = maxRetries
        self.source = source
        self.label = label ?? command.displayString
        self.attributes = attributes
    }
}

/// What a task runs.
public enum TaskCommand: Sendable, Equatable, Codable {
    /// An executable and its arguments, run without a shell. `argv[0]` is looked up in
    /// `PATH` when it holds no `/`.
    case argv([String])
    /// A command line run as `/bin/sh -c LINE`.
    case shell(String)

    /// The command as a user would write it, for logs and the joblog.
    public var displayString: String {
        switch self {
        case .shell(let line): return line
        case .argv(let words): return words.map(ShellQuoting.quote).joined(separator: " ")
        }
    }

    /// The argv that is executed: the words, or `["/bin/sh", "-c", line]`. A line that is
    /// one simple command runs as `exec LINE`, so the program replaces the shell: it gets
    /// the task's signals itself and its exit status is the task's.
    public var executedArgv: [String] {
        switch self {
        case .argv(let words): return words
        case .shell(let line):
            return ["/bin/sh", "-c", ShellQuoting.isSimpleCommand(Substring(line)) ? "exec " + line : line]
        }
    }
}

/// The environment a task starts with. Open MPI's own variables (`OMPI_*`, `PMIX_*`,
/// `ORTE_*`, `OPAL_*`) are always removed, whatever the base.
public enum TaskEnvironment: Sendable, Equatable, Codable {
    /// The worker rank's environment, then `set` on top (task lists, Slurm `--export=ALL`).
    case inherit(set: [String: String])
    /// Only `set` (HTCondor without `getenv`).
    case clean(set: [String: String])
    /// Only the named variables of the rank's environment, then `set` on top (PBS without `-V`).
    case inheritOnly(names: [String], set: [String: String])

    /// The variables set on top of the base.
    public var overrides: [String: String] {
        switch self {
        case .inherit(let set), .clean(let set), .inheritOnly(_, let set): return set
        }
    }
}

/// A place in an input file, for error messages and the journal.
public struct SourceLocation: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// 1-based line number, or 0 when not from a line.
    public var line: Int
    /// 1-based column, or 0 when unknown.
    public var column: Int

    /// The `file` of a problem in the command's own words (an option that does not fit the
    /// job file, a value an option needs): usage errors (64), not a bad job file (65).
    public static let commandLine = "<command line>"

    /// A place at 1-based `line` and `column` of `file`; 0 means unknown.
    public init(file: String, line: Int, column: Int = 0) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `FILE:LINE:COLUMN`, or `FILE:LINE` when the column is unknown.
    public var description: String {
        column > 0 ? "\(file):\(line):\(column)" : "\(file):\(line)"
    }
}
