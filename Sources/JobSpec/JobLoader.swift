import Foundation

/// What a job file is expanded with, besides its own text.
///
/// The farm supplies its own ids: `runID` stands for HTCondor's `$(Cluster)`, Slurm's
/// `SLURM_ARRAY_JOB_ID` and `%A`, and the `N` of PBS's `N[].server`. They never come
/// from a real scheduler that the farm itself may be running under.
public struct JobLoadOptions: Sendable {
    /// The farm's run id (a positive integer).
    public var runID: Int
    /// The environment `taskfarm` was started with: `$ENV(NAME)`, `getenv`, `-V`,
    /// `PBS_O_*`, and the real allocation's variables come from here.
    public var environment: [String: String]
    /// The directory `taskfarm` was started in (absolute): the submit directory,
    /// `PBS_O_WORKDIR`, Slurm's default working directory.
    public var workingDirectory: String
    /// The submitting host's name: `PBS_O_HOST`, the `.server` of PBS job ids, HTCondor's
    /// submit host.
    public var hostname: String
    /// Command-line `--output`, a Slurm filename pattern that wins over the file's own
    /// `output`/`-o`/`--output` (as sbatch's command line wins over `#SBATCH`).
    public var output: String?
    /// Command-line `--error`, likewise.
    public var error: String?
    /// Command-line `--job-name`, likewise.
    public var jobName: String?
    /// Arguments given after a PBS or Slurm script on the command line, passed to it.
    public var scriptArguments: [String]
    /// Options given on the command line in the script's own submitter's syntax, as
    /// `sbatch` or `qsub` would take them before the script (`--array=1-4`, `-c`, `-v A=1`,
    /// `-J 1-4`, ...). They win over the script's directives. Only PBS and Slurm scripts
    /// take them; other formats refuse them.
    public var batchOptions: [String] = []
    /// The command line's per-task request (`--cpus-per-task`, `--memory-per-task`,
    /// `--gpus-per-task`): every task's in a task list (``TaskList/defaultRequest``), sbatch's
    /// `-c`, `--mem` and `--gpus-per-task` for a Slurm script; other formats refuse it (their
    /// own file says what a task needs).
    public var taskResources = TaskListResources()
    /// The command line's working directory for the tasks (`--chdir`): Slurm's `--chdir`
    /// and Torque's `-d`, winning over the script's; `nil` when not given.
    public var chdir: String?
    /// When the job was submitted, in seconds since the Unix epoch (HTCondor's
    /// `$(SUBMIT_TIME)`, `$(YEAR)`, ...), or `nil` for now.
    public var submitTime: Double?
    /// The user's login shell (the passwd entry's), which runs a PBS script without `#!`
    /// as qsub runs it; `nil` falls back to `SHELL` in ``environment``, then `/bin/sh`.
    public var loginShell: String?
    /// Loads DAG files; `nil` until the DAG module installs one. Called with the path
    /// and these options.
    public var dagLoader: DAGLoader?
    /// Memory the expanded tasks of a submit description may take, in bytes, or `nil`
    /// for no limit. Submit descriptions are expanded whole (task lists and array
    /// ranges are not), so a `queue 100000000` is refused, naming its line, rather than
    /// left to exhaust the machine.
    public var expansionBudgetBytes: Int? = nil
    /// Whether a submit description's `executable` must exist when it is read, as
    /// condor_submit requires (unless `transfer_executable = false`). Off for a DAG node's
    /// submit file, whose program an earlier node may make.
    public var checksExecutables = false
    /// Whether a submit description expands each proc once as it is read, so that any
    /// proc's error is reported then with its line and the warnings and survey cover every
    /// proc. A job reloaded to look at a run that already read it whole (`status`, `output`,
    /// `report`) sets it off: only each queue statement's first proc is expanded then (it
    /// finds what the statement's procs share), and a `queue 1000000` reloads in
    /// microseconds rather than seconds. The job's ``Job/survey`` is then `nil`.
    public var expandsEveryProc = true

    /// Whether dependencies on other jobs (qsub's `-W depend=`, sbatch's `--dependency`) are
    /// read for the caller to apply (the front ends of a served farm) rather than warned
    /// and ignored (`taskfarm run`, whose job is the whole run).
    public var honoursDependencies = false

    /// The signature of a DAG file loader.
    public typealias DAGLoader = @Sendable (_ path: String, _ options: JobLoadOptions) throws(JobSpecError) -> any Job

    /// Options with the given values; everything but the run id is usually taken from the
    /// process (`ProcessInfo`) by the command line.
    public init(runID: Int = 1, environment: [String: String] = [:], workingDirectory: String = "/",
                hostname: String = "localhost", output: String? = nil, error: String? = nil,
                jobName: String? = nil, scriptArguments: [String] = [], dagLoader: DAGLoader? = nil) {
        self.runID = runID
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.hostname = hostname
        self.output = output
        self.error = error
        self.jobName = jobName
        self.scriptArguments = scriptArguments
        self.dagLoader = dagLoader
    }

    /// The user name, from `USER` or `LOGNAME` in ``environment``.
    public var user: String { environment["USER"] ?? environment["LOGNAME"] ?? "" }

    /// `path` made absolute against ``workingDirectory``.
    func absolute(_ path: String) -> String {
        Paths.resolve(path, in: workingDirectory)
    }
}

/// Reads a job file of any format into a ``Job``.
public enum JobLoader {
    /// Loads the job file at `path`.
    ///
    /// - Parameters:
    ///   - path: the file as the user named it (relative paths are read from the process's
    ///     current directory, and are named as given in messages).
    ///   - format: the format, or `nil` to detect it (``JobFormat/detect(path:contents:)``).
    ///   - options: ids, environment and command-line overrides.
    /// - Returns: the expanded job; its ``Job/warnings`` list what should be printed first.
    /// - Throws: ``JobSpecError`` when the file cannot be read, or is not valid in its
    ///   format; and for `.dag` when no ``JobLoadOptions/dagLoader`` is installed.
    public static func load(path: String, format: JobFormat? = nil,
                            options: JobLoadOptions) throws(JobSpecError) -> any Job {
        let resolved: JobFormat
        if let format { resolved = format } else { resolved = JobFormat.detect(path: path, contents: try readText(path)) }
        return try load(resolved, file: path, options: options,
                        taskList: { name throws(JobSpecError) in try TaskList(contentsOf: path, name: name) },
                        text: { () throws(JobSpecError) in try readText(path) },
                        startsWithByteOrderMark: { ByteOrderMark.starts(path) })
    }

    /// Loads a job read from standard input, detecting its format from the text unless
    /// `format` names one: a task list, or a script or submit description, as `sbatch` and
    /// `qsub` read a script from standard input.
    ///
    /// - Parameters:
    ///   - data: the bytes read.
    ///   - name: how a task list's messages name the input, such as `<standard input>`.
    ///   - file: where the run keeps the text: a script runs from there, so a script's or
    ///     submit description's tasks and messages name it.
    ///   - format: the format, or `nil` to detect it.
    ///   - options: ids, environment and command-line overrides.
    /// - Throws: ``JobSpecError`` when the text is not valid in its format; for a DAG, whose
    ///   rescue files are written beside its file (DAGMan manual: rescue DAGs), a usage
    ///   error asking for its path.
    public static func load(data: Data, named name: String, keptAt file: String, format: JobFormat? = nil,
                            options: JobLoadOptions) throws(JobSpecError) -> any Job {
        let resolved: JobFormat
        if let format { resolved = format } else { resolved = JobFormat.detect(path: "", contents: try text(of: data, file: name)) }
        if resolved == .dag {
            // With --format dag the text was not looked at: say what the command line asked.
            let what = format == .dag ? "--format dag reads \(name) as a DAG" : "\(name) holds a DAG"
            throw JobSpecError("\(what), whose rescue files (FILE.dag.rescue001, ...) are written beside "
                               + "its file; give the DAG file's path", file: SourceLocation.commandLine)
        }
        return try load(resolved, file: file, named: name, options: options,
                        taskList: { jobName throws(JobSpecError) in
                            try TaskList(data: data, file: name, name: jobName ?? TaskList.defaultName(for: file))
                        },
                        text: { () throws(JobSpecError) in try text(of: data, file: file) },
                        startsWithByteOrderMark: { data.starts(with: ByteOrderMark.utf8Bytes) })
    }

    /// The one way from a format and a source of text to a job: the command line's requests
    /// checked against the format (their errors name the input as `name`, by default its
    /// path), then the format's parser.
    private static func load(_ resolved: JobFormat, file path: String, named name: String? = nil, options: JobLoadOptions,
                             taskList: (String?) throws(JobSpecError) -> TaskList,
                             text: () throws(JobSpecError) -> String,
                             startsWithByteOrderMark: () -> Bool) throws(JobSpecError) -> any Job {
        let options = try applyingCommandLine(options, to: resolved, named: name ?? path)
        switch resolved {
        case .taskList:
            let list = try taskList(options.jobName)
            list.defaultRequest = options.taskResources
            return list
        case .submit:
            return try SubmitDescription(text: try text(), file: path, options: options).job
        case .pbs:
            var job = try PBSScript(text: try checkScript(try text(), file: path, submitter: "qsub"), file: path, options: options).job
            if startsWithByteOrderMark() { job.warnings.insert(ByteOrderMark.scriptWarning(file: path), at: 0) }
            return job
        case .slurm:
            var job = try SlurmScript(text: try checkScript(try text(), file: path, submitter: "sbatch"), file: path,
                                      options: options).job
            if startsWithByteOrderMark() { job.warnings.insert(ByteOrderMark.scriptWarning(file: path), at: 0) }
            return job
        case .dag:
            guard let dagLoader = options.dagLoader else {
                throw JobSpecError("DAG files are not supported by this build; expected a task list, submit "
                                   + "description, PBS or Slurm script", file: path)
            }
            return try dagLoader(path, options)
        }
    }

    /// `options` with the command line's requests checked against `resolved`, the job's
    /// format, and put in its terms: `--cpus-per-task`, `--memory-per-task` and
    /// `--gpus-per-task` become sbatch's `-c`, `--mem` and `--gpus-per-task` for a Slurm
    /// script (before the command line's own sbatch options, which win). Every reader of a
    /// job file goes through this, the served farm's front ends too, so an option that does
    /// not fit a file is refused alike wherever the file is read.
    ///
    /// - Parameter name: how messages name the job file (its path, `<standard input>`).
    /// - Throws: ``JobSpecError`` at the command line (a usage error) for a per-task request
    ///   given with a format whose own file says what a task needs, or sbatch/qsub options
    ///   given with a format that is neither Slurm nor PBS.
    public static func applyingCommandLine(_ options: JobLoadOptions, to resolved: JobFormat,
                                           named name: String) throws(JobSpecError) -> JobLoadOptions {
        let resources = options.taskResources
        var options = options
        if resources != TaskListResources() {
            switch resolved {
            case .taskList:
                break
            case .slurm:
                var words: [String] = []
                if let cores = resources.cores { words += ["-c", String(cores)] }
                if let memory = resources.memoryMiB { words += ["--mem=\(memory)M"] }
                if let gpus = resources.gpus { words += ["--gpus-per-task=\(gpus)"] }
                options.batchOptions = words + options.batchOptions
            default:
                throw JobSpecError("--cpus-per-task, --memory-per-task and --gpus-per-task set the request of a task "
                                   + "list's or Slurm script's tasks; \(name) is a \(resolved) file, whose own "
                                   + "directives say what each task needs", file: SourceLocation.commandLine)
            }
        }
        if !options.batchOptions.isEmpty, resolved != .pbs, resolved != .slurm {
            throw JobSpecError("\(options.batchOptions.joined(separator: " ")): these options are sbatch's and qsub's, "
                               + "for a Slurm or PBS script; \(name) is a \(resolved) file", file: SourceLocation.commandLine)
        }
        return options
    }

    /// The text of `path`.
    ///
    /// - Throws: ``JobSpecError`` when it is missing, a directory, unreadable, or not UTF-8.
    static func readText(_ path: String) throws(JobSpecError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw JobSpecError("no such file", file: path)
        }
        if isDirectory.boolValue { throw JobSpecError("is a directory; expected a job file", file: path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JobSpecError("cannot read the file", file: path)
        }
        return try text(of: data, file: path)
    }

    /// The bytes of a job file as text; `file` names it in messages. Also the in-memory
    /// entry point of the fuzz targets (Fuzz/).
    ///
    /// - Throws: ``JobSpecError`` naming the line and byte of the first invalid UTF-8.
    static func text(of data: Data, file: String) throws(JobSpecError) -> String {
        let data = ByteOrderMark.stripped(data)
        if let bad = TextEncodingCheck.firstInvalidUTF8(in: data) {
            throw JobSpecError("is not UTF-8 text (byte \(bad.byte) of the line is not valid UTF-8); save the file as UTF-8",
                               file: file, line: bad.line, column: bad.byte)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The text of a batch script, which the shell runs as it is: a script with DOS line
    /// breaks would hand a CR to the end of every command's last argument, so it is refused
    /// naming the first such line, as `sbatch` refuses it; `file` names it in messages.
    ///
    /// - Throws: ``JobSpecError`` at the first line that ends in CRLF.
    public static func checkScript(_ text: String, file path: String, submitter: String) throws(JobSpecError) -> String {
        var line = 1
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") {
                if previous == UInt8(ascii: "\r") {
                    throw JobSpecError("the script has DOS line breaks (CRLF), which \(submitter) refuses too; "
                                       + "convert it with dos2unix", file: path, line: line)
                }
                line += 1
            }
            previous = byte
        }
        return text
    }
}
