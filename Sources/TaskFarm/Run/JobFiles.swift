import Foundation
import Glibc
import JobSpec

/// Loads any job file the farm runs: task lists, HTCondor submit descriptions, PBS and
/// Slurm array scripts, and DAGMan DAG files (whose nodes are submit descriptions).
public enum JobFiles {
    /// What the command line adds to a job file.
    public struct Overrides: Sendable {
        /// `--format`; `nil` detects it (``JobFormat/detect(path:contents:)``).
        public var format: JobFormat?
        /// `--output`, a Slurm filename pattern that wins over the file's own (Slurm sbatch: --output).
        public var output: String?
        /// `--error`, a Slurm filename pattern that wins over the file's own (Slurm sbatch: --error).
        public var error: String?
        /// `--job-name`, which wins over `#PBS -N` / `#SBATCH -J` and the file name.
        public var jobName: String?
        /// Arguments after a PBS or Slurm script on the command line, passed to the script.
        public var scriptArguments: [String]
        /// `--rescue-from N` for DAGs; `nil` picks the newest rescue file (DAGMan's `-autorescue`).
        public var rescueFrom: Int?
        /// Which rescue file a DAG is read with when ``rescueFrom`` is `nil`.
        public var autorescue = Autorescue.newest
        /// With `rescueFrom`, rename newer rescue files to `NAME.old` once loaded, so the next
        /// rescue file follows the one used (DAGMan's `-dorescuefrom`); `taskfarm run` sets it.
        public var retiresNewerRescues = false
        /// Options in sbatch's or qsub's syntax given on the command line (`--array=1-4`,
        /// `-c 2`, `-v A=1`), which win over a PBS or Slurm script's directives.
        public var batchOptions: [String] = []
        /// The command line's `--chdir`: Slurm's `--chdir` and Torque's `-d` for scripts.
        public var chdir: String?
        /// `--cpus-per-task`, `--memory-per-task`, `--gpus-per-task` (see ``JobLoadOptions/taskResources``).
        public var taskResources = TaskListResources()

        /// Overrides; every argument is the property of the same name. ``retiresNewerRescues`` starts false.
        public init(format: JobFormat? = nil, output: String? = nil, error: String? = nil, jobName: String? = nil,
                    scriptArguments: [String] = [], rescueFrom: Int? = nil) {
            self.format = format
            self.output = output
            self.error = error
            self.jobName = jobName
            self.scriptArguments = scriptArguments
            self.rescueFrom = rescueFrom
        }
    }

    /// Which rescue file a DAG is read with when no number is given.
    public enum Autorescue: Sendable, Equatable {
        /// The newest, as DAGMan's `-autorescue`: what a run reads.
        case newest
        /// None: a recorded run that applied none.
        case none
        /// The newest last modified before this time (epoch seconds): a recorded run that
        /// began then, from a journal written before runs recorded their rescue file; the
        /// files it and later runs wrote are newer.
        case newestBefore(Double)
    }

    /// The options every format expands with: the run id, this process's environment,
    /// working directory and host, and the command line's overrides.
    public static func options(runID: Int, overrides: Overrides) -> JobLoadOptions {
        var options = JobLoadOptions(runID: runID, environment: ProcessInfo.processInfo.environment,
                       workingDirectory: FileManager.default.currentDirectoryPath, hostname: HostFacts.hostName,
                       output: overrides.output, error: overrides.error, jobName: overrides.jobName,
                       scriptArguments: overrides.scriptArguments,
                       dagLoader: { path, options throws(JobSpecError) in
                           let job = try loadDAG(path: path, options: options, rescueFrom: overrides.rescueFrom,
                                                 autorescue: overrides.autorescue).job
                           if overrides.retiresNewerRescues, let number = overrides.rescueFrom {
                               _ = DAGRescue.retireNewer(than: number, for: path, workingDirectory: options.workingDirectory)
                           }
                           return job
                       })
        options.batchOptions = overrides.batchOptions
        options.taskResources = overrides.taskResources
        if let entry = getpwuid(getuid()), let shell = entry.pointee.pw_shell, shell.pointee != 0 {
            options.loginShell = String(cString: shell)
        }
        options.chdir = overrides.chdir
        // Half of the memory available now: rank 0 also holds the scheduler's state.
        options.expansionBudgetBytes = HostFacts.availableMemoryBytes.map { $0 / 2 }
        options.checksExecutables = true
        return options
    }

    /// Loads the job a recorded run ran, as it ran: its file, overrides and launch folder
    /// from `context`, without checking executables (a program removed since is no reason
    /// not to show what ran). A DAG is read with the rescue file the run applied, not one it
    /// or a later run wrote (which would mark more nodes done and shift every position):
    /// the one `context` names, or for a journal that predates ``RunContext/dagRescue``, the
    /// newest written before `runBegan` (epoch seconds; `nil` takes the newest).
    ///
    /// - Throws: ``JobSpecError`` when the file is gone or no longer parses.
    public static func reload(_ context: RunContext, runID: Int, runBegan: Double?) throws(JobSpecError) -> any Job {
        var overrides = Overrides(format: context.format.flatMap(JobFormat.init(name:)), output: context.output,
                                  error: context.error, jobName: context.jobNameOverride,
                                  scriptArguments: context.scriptArguments, rescueFrom: context.rescueFrom)
        if let applied = context.dagRescue {
            overrides.rescueFrom = applied > 0 ? applied : nil
            overrides.autorescue = .none
        } else if let runBegan {
            overrides.autorescue = .newestBefore(runBegan)
        }
        var options = options(runID: runID, overrides: overrides)
        options.workingDirectory = context.launchDirectory
        options.checksExecutables = false
        // The run read the file whole already; looking at it needs no proc checked again.
        options.expandsEveryProc = false
        return try JobLoader.load(path: context.jobFile, format: overrides.format, options: options)
    }

    /// Loads `path`, detecting its format unless `overrides.format` names one.
    ///
    /// - Throws: ``JobSpecError`` naming the file, line and what was expected.
    public static func load(path: String, runID: Int, overrides: Overrides = Overrides()) throws(JobSpecError) -> any Job {
        try refusingDAGOptions(try JobLoader.load(path: path, format: overrides.format,
                                                  options: options(runID: runID, overrides: overrides)),
                               overrides: overrides, file: path)
    }

    /// `job`, unless `--rescue-from` was given for a job that is not a DAG: it would be
    /// ignored, so it is a usage error (64) instead, as every option that does not fit the file.
    private static func refusingDAGOptions(_ job: any Job, overrides: Overrides, file: String) throws(JobSpecError) -> any Job {
        guard let number = overrides.rescueFrom, !(job is DAGJob) else { return job }
        throw JobSpecError("--rescue-from \(number) picks a DAG's rescue file; \(file) is not a DAG",
                           file: SourceLocation.commandLine)
    }

    /// How messages name a job read from standard input.
    public static let standardInputName = "<standard input>"

    /// Loads a job read from standard input (`taskfarm check -`, and `taskfarm run -` from
    /// the copy it keeps at `keptAt`), detecting its format from the text unless
    /// `overrides.format` names one. Errors name `<standard input>`, not the copy a
    /// script's tasks run from (the user never named that file).
    ///
    /// - Throws: ``JobSpecError`` naming `<standard input>`, the line and what was expected.
    public static func load(standardInput data: Data, keptAt file: String, runID: Int,
                            overrides: Overrides = Overrides()) throws(JobSpecError) -> any Job {
        do {
            return try refusingDAGOptions(try JobLoader.load(data: data, named: standardInputName, keptAt: file,
                                                             format: overrides.format,
                                                             options: options(runID: runID, overrides: overrides)),
                                          overrides: overrides, file: standardInputName)
        } catch {
            throw namingStandardInput(error, keptAt: file)
        }
    }

    /// `problem` (an error or a warning of a job read from standard input) naming
    /// `<standard input>` where it names `keptAt`, the copy the job was read from.
    public static func namingStandardInput(_ problem: JobSpecError, keptAt file: String) -> JobSpecError {
        var named = problem
        if named.location.file == file { named.location.file = standardInputName }
        return named
    }

    /// Parses a DAG file, applies its rescue file (`rescueFrom`, else as `autorescue` picks),
    /// and expands each node's submit description with the node's `VARS`.
    ///
    /// - Throws: ``JobSpecError`` from the DAG, its rescue file or any node's submit file.
    public static func loadDAG(path: String, options: JobLoadOptions, rescueFrom: Int?,
                               autorescue: Autorescue = .newest) throws(JobSpecError) -> (job: DAGJob, rescueFile: String?) {
        let directory = options.workingDirectory
        let number: Int?
        if let rescueFrom {
            number = rescueFrom
        } else {
            switch autorescue {
            case .newest: number = DAGRescue.newestNumber(for: path, workingDirectory: directory)
            case .none: number = nil
            case .newestBefore(let time): number = DAGRescue.newestNumber(for: path, workingDirectory: directory, writtenBefore: time)
            }
        }
        let loaded = try DAGRescue.load(dagFile: path, workingDirectory: directory, rescueFrom: number, autorescue: false)
        let dagDirectory = options.workingDirectory
        let descriptions = loaded.dag.submitDescriptions
        let expand: DAGLateExpansion.Expander = { submitFile, directory, vars, nodeName throws(JobSpecError) in
            let folder = directory.map { $0.hasPrefix("/") ? $0 : dagDirectory + "/" + $0 } ?? dagDirectory
            let full = submitFile.hasPrefix("/") ? submitFile : folder + "/" + submitFile
            guard let text = descriptions[submitFile]
                    ?? (try? String(contentsOfFile: full, encoding: .utf8)).map(ByteOrderMark.stripped) else {
                throw JobSpecError("node \(nodeName): cannot read its submit file \(full)", file: path)
            }
            var nodeOptions = options
            nodeOptions.workingDirectory = folder
            // An earlier node may make this node's program, as under DAGMan.
            nodeOptions.checksExecutables = false
            var macros = vars
            macros["DAGManJobId"] = String(options.runID)
            let appended = macros.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
            return try SubmitDescription(text: text, file: submitFile, options: nodeOptions, appending: appended).job.tasks
        }
        // A SUBDAG EXTERNAL node's DAG runs as a nested farm of this same program.
        let program = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        let job = try DAGJob(dag: loaded.dag, late: DAGLateExpansion(expand: expand),
                             subDAGCommand: [program, "run", "--format", "dag"], expand: expand)
        return (job, loaded.rescueFile)
    }
}
