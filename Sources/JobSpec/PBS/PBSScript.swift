import Foundation

/// A PBS Pro or Torque job script, run as a job array inside the farm.
///
/// Read (before the first executable line): `-J start-end[:step][%max]` (PBS Pro) and
/// `-t list[%max]` (Torque), see ``ArrayRange``; `-N name`; `-o`/`-e` paths (with
/// `^array_index^` replaced per subjob); `-j oe`/`-j eo`; `-V`; `-v "A=1,B=2"`;
/// `-l select=N:ncpus=C:mem=M[:ompthreads=T]`, `-l ncpus=`, `-l mem=`, Torque's
/// `-l nodes=N:ppn=C`, and `-l walltime=` (the per-subjob limit); `-S shell`; `-q`
/// (recorded as `PBS_O_QUEUE`). Other options (`-A`, `-M`, `-m`, `-W`, `-r`, `-P`, `-k`)
/// are accepted and have no effect inside the farm.
///
/// Each subjob's environment follows the PBS Pro reference ("PBS environment
/// variables") and Torque's guide: `PBS_JOBID` (`RUNID[INDEX].HOST`, the subjob's own
/// even inside a real PBS job), `PBS_ARRAY_INDEX` (Torque: `PBS_ARRAYID`), `PBS_ARRAY_ID`,
/// `PBS_JOBNAME`, `PBS_ENVIRONMENT=PBS_BATCH`, `PBS_O_*`, `PBS_QUEUE`, `PBS_TASKNUM`,
/// `PBS_NODENUM`, `PBS_VNODENUM`, `PBS_NUM_NODES`, `PBS_NUM_PPN`, `PBS_NP`, `PBS_SERVER`,
/// `PBS_JOBDIR`, `NCPUS`, `OMP_NUM_THREADS`, `-v` variables; the runtime adds `TMPDIR` and
/// `PBS_NODEFILE` (attributes `pbs.tmpdir`, `pbs.nodefile`). A script without `#!` (and
/// `-S`) runs under the login shell (``JobLoadOptions/loginShell``), as under qsub.
///
/// Without `-V` the rest of the environment is only the login variables (`HOME`, `USER`,
/// `LOGNAME`, `PATH`, `SHELL`, `LANG`, `TZ`, `MAIL`, `TERM`) and the real allocation's
/// `PBS_*` variables; with `-V` it is everything. The subjob starts in `$HOME` (or
/// Torque's `-d`), as under PBS (scripts `cd $PBS_O_WORKDIR`). Default output names are PBS Pro's
/// `NAME.oRUNID.INDEX` (Torque: `NAME.oRUNID-INDEX`) in the submission directory, or in
/// the directory that `-o`/`-e` name.
///
/// Source: PBS Professional Reference Guide, qsub; Torque Administrator Guide, qsub.
public struct PBSScript: Sendable {
    /// The job name: `-N`, else the script's file name.
    public let name: String
    /// The array, or `nil` for a script without `-J`/`-t` (one task, index 0).
    public let array: ArrayRange?
    /// Whether the array came from Torque's `-t` (naming and `PBS_ARRAYID` follow Torque).
    public let isTorque: Bool
    /// The file as the user named it.
    public let file: String
    /// Directive problems that did not stop the load.
    public let warnings: [JobSpecError]
    /// The expanded job.
    public let job: ArrayJob
    /// The `-W depend=` dependencies, when ``JobLoadOptions/honoursDependencies`` (else none).
    public let dependencies: [JobDependency]

    /// Variables set per subjob that a real enclosing PBS job also has: the subjob's win.
    static let perSubjob: Set<String> = ["PBS_JOBID", "PBS_NODEFILE", "PBS_TASKNUM", "PBS_NODENUM", "PBS_VNODENUM",
                                         "PBS_NUM_NODES", "PBS_NUM_PPN", "PBS_NP", "PBS_JOBDIR", "PBS_ARRAY_INDEX",
                                         "PBS_ARRAYID", "PBS_ARRAY_ID"]

    /// The variables a PBS job gets from its login on the execution host.
    static let loginVariables = ["HOME", "USER", "LOGNAME", "PATH", "SHELL", "LANG", "TZ", "MAIL", "TERM"]

    /// Reads a script held in memory.
    ///
    /// - Throws: ``JobSpecError`` naming the line and column for a bad `-J`/`-t` (PBS Pro
    ///   rejects `-J 4-4` and `-J 3,9,27`), `-l` value, `-j` value or `-v` list.
    public init(text: String, file: String, options: JobLoadOptions) throws(JobSpecError) {
        self.file = file
        let request = try PBSRequest(text: text, file: file, options: options)
        let torque = request.torque, join = request.join, exportAll = request.exportAll
        let memoryMiB = request.memoryMiB, walltime = request.walltime, array = request.array
        let nameIsArray = request.arrayFromCommandLineName
        let gpus = request.gpus.flatMap { $0 > 0 ? $0 : nil }, requestLines = request.requestLines
        let jobName = (nameIsArray ? nil : options.jobName) ?? request.name ?? Paths.lastComponent(file)
        self.name = jobName
        self.array = array
        self.isTorque = torque
        self.warnings = request.warnings
        self.dependencies = request.dependencies

        let environment = options.environment
        let server = options.hostname
        let runID = options.runID
        let home = request.initialDirectory ?? environment["HOME"] ?? options.workingDirectory
        var common = request.variables
        common["PBS_JOBNAME"] = jobName
        common["PBS_ENVIRONMENT"] = "PBS_BATCH"
        common["PBS_O_WORKDIR"] = options.workingDirectory
        common["PBS_O_HOST"] = server
        common["PBS_O_QUEUE"] = request.queue ?? "workq"
        common["PBS_QUEUE"] = request.queue ?? "workq"
        for (variable, source) in [("PBS_O_HOME", "HOME"), ("PBS_O_PATH", "PATH"), ("PBS_O_LOGNAME", "LOGNAME"),
                                   ("PBS_O_SHELL", "SHELL"), ("PBS_O_LANG", "LANG"), ("PBS_O_MAIL", "MAIL"),
                                   ("PBS_O_TZ", "TZ")] {
            if let value = environment[source] { common[variable] = value }
        }
        common["PBS_O_SYSTEM"] = "Linux"
        if let initialDirectory = request.initialDirectory { common["PBS_O_INITDIR"] = initialDirectory }
        let cpus = request.cpus ?? 1
        common["NCPUS"] = String(cpus)
        common["OMP_NUM_THREADS"] = String(request.ompThreads ?? cpus)
        if array != nil { common["PBS_ARRAY_ID"] = "\(runID)[].\(server)" }
        // One subjob is one chunk on one host: what such a job sees (PBS Pro reference,
        // "PBS environment variables"; Torque Administrator Guide, "Exported batch environment variables").
        common["PBS_TASKNUM"] = "1"
        common["PBS_NODENUM"] = "0"
        common["PBS_VNODENUM"] = "0"
        common["PBS_NUM_NODES"] = "1"
        common["PBS_NUM_PPN"] = String(cpus)
        common["PBS_NP"] = String(cpus)
        common["PBS_SERVER"] = server
        common["PBS_JOBDIR"] = request.initialDirectory ?? environment["HOME"] ?? options.workingDirectory
        if common["PBS_O_SHELL"] == nil { common["PBS_O_SHELL"] = options.loginShell ?? "/bin/sh" }
        let realAllocation = environment.keys.filter { $0.hasPrefix("PBS_") && common[$0] == nil
            && !Self.perSubjob.contains($0) }.sorted()

        let script = options.absolute(file)
        // Without `#!` (and `-S`), qsub runs the script with the user's login shell.
        let loginShell = options.loginShell ?? environment["SHELL"].flatMap { $0.isEmpty ? nil : $0 } ?? "/bin/sh"
        let shell = request.shell ?? (request.shebang == nil ? loginShell : nil)
        let argv = ScriptCommand.argv(script: script, shebang: request.shebang, shell: shell,
                                      arguments: options.scriptArguments)
        let nodefileLines = String(torque ? cpus : request.mpiProcesses ?? 1)
        let submitDirectory = OutputPattern.literal(options.workingDirectory)
        let isArray = array != nil
        let workingDirectory = options.workingDirectory
        let exportNames = Self.loginVariables + realAllocation
        let overrideOutput = options.output.map { Paths.resolve($0, in: submitDirectory) }
        let overrideError = options.error.map { Paths.resolve($0, in: submitDirectory) }
        let explicitOutput = options.output == nil ? request.output : nil
        let explicitError = options.error == nil ? request.error : nil
        job = ArrayJob(name: jobName, file: file, indices: array?.indices ?? [0], warnings: warnings,
                       maxConcurrent: array?.maxConcurrent) {
            [common, torque, join, exportAll, cpus, memoryMiB, walltime, gpus, requestLines] position, arrayIndex in
            let index: Int? = isArray ? arrayIndex : nil
            var set = common
            let jobID = index.map { "\(runID)[\($0)].\(server)" } ?? "\(runID).\(server)"
            if let index {
                if torque { set["PBS_ARRAYID"] = String(index) } else { set["PBS_ARRAY_INDEX"] = String(index) }
            }
            set["PBS_JOBID"] = jobID
            var stdout = overrideOutput ?? Self.outputPath(explicitOutput, defaultName: Self.defaultName(
                jobName, letter: "o", runID: runID, index: index, torque: torque), index: index,
                directory: workingDirectory)
            var stderr = overrideError ?? Self.outputPath(explicitError, defaultName: Self.defaultName(
                jobName, letter: "e", runID: runID, index: index, torque: torque), index: index,
                directory: workingDirectory)
            switch join {
            case "oe": stderr = stdout
            case "eo": stdout = stderr
            default: break
            }
            var task = TaskSpec(
                position: position, arrayIndex: arrayIndex, command: .argv(argv),
                environment: exportAll ? .inherit(set: set) : .inheritOnly(names: exportNames, set: set),
                workingDirectory: home, stdout: stdout, stderr: stderr, slots: cpus, memoryMiB: memoryMiB,
                timeLimit: walltime, source: SourceLocation(file: file, line: 1),
                label: index.map { "\(jobName)[\($0)]" } ?? jobName,
                attributes: ["pbs.tmpdir": "1", "pbs.jobid": jobID, "pbs.nodefile": nodefileLines])
            task.gpus = gpus
            task.requestLines = requestLines
            return task
        }
    }

    /// PBS Pro's `NAME.oRUNID.INDEX`, Torque's `NAME.oRUNID-INDEX`, or `NAME.oRUNID`
    /// outside an array.
    static func defaultName(_ jobName: String, letter: String, runID: Int, index: Int?, torque: Bool) -> String {
        let base = "\(jobName).\(letter)\(runID)"
        return index.map { torque ? "\(base)-\($0)" : "\(base).\($0)" } ?? base
    }

    /// The output file of one subjob as a Slurm pattern: `explicit` (`-o`/`-e`) with
    /// `host:` dropped and `^array_index^` replaced, a directory getting `defaultName`
    /// inside it; else `defaultName`. Relative paths are in `directory` (the submission
    /// directory).
    static func outputPath(_ explicit: String?, defaultName: String, index: Int?, directory: String) -> String {
        guard var path = explicit else { return OutputPattern.literal(Paths.resolve(defaultName, in: directory)) }
        // `host:path` names the host to copy to; on a shared file system only the path matters.
        if let colon = path.firstIndex(of: ":"), !path[..<colon].contains("/") {
            path = String(path[path.index(after: colon)...])
        }
        if let index { path = path.replacingOccurrences(of: "^array_index^", with: String(index)) }
        var isDirectory: ObjCBool = false
        let absolute = Paths.resolve(path, in: directory)
        if path.hasSuffix("/")
            || FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) && isDirectory.boolValue {
            return OutputPattern.literal(Paths.resolve(defaultName, in: absolute))
        }
        return OutputPattern.literal(absolute)
    }
}
