/// A Slurm batch script, run as a job array inside the farm.
///
/// Options come from the `#SBATCH` directives and from the command line
/// (``JobLoadOptions/batchOptions``, the words sbatch would take before the script), read
/// by one parser (``SbatchOptions``, which lists what is honoured, warned or refused);
/// the command line wins.
///
/// Each array element sees what a one-node, one-task Slurm job sees (Slurm sbatch manual,
/// "OUTPUT ENVIRONMENT VARIABLES"), on top of the environment `--export` passes (all of it
/// by default):
///
/// | variable | value |
/// |---|---|
/// | `SLURM_JOB_ID`, `SLURM_JOBID` | the element's own job id: the run id plus its position, as Slurm numbers array elements (the run id for a script without `--array`) |
/// | `SLURM_ARRAY_JOB_ID`, `SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_COUNT`, `_MIN`, `_MAX`, `_STEP` | the run id, the element's index, and the array's shape (arrays only) |
/// | `SLURM_JOB_NAME` | the job name |
/// | `SLURM_SUBMIT_DIR`, `SLURM_SUBMIT_HOST` | where `taskfarm` started |
/// | `SLURM_JOB_USER` | the user |
/// | `SLURM_JOB_NODELIST`, `SLURM_NODELIST`, `SLURMD_NODENAME`, `SLURM_TOPOLOGY_ADDR` | the worker's host, filled in when the element starts there |
/// | `SLURM_JOB_NUM_NODES`, `SLURM_NNODES`, `SLURM_NTASKS`, `SLURM_NPROCS`, `SLURM_TASKS_PER_NODE` | 1 |
/// | `SLURM_NODEID`, `SLURM_PROCID`, `SLURM_LOCALID`, `SLURM_GTIDS` | 0 |
/// | `SLURM_CPUS_ON_NODE`, `SLURM_JOB_CPUS_PER_NODE` | the element's cpus (`--cpus-per-task`, default 1) |
/// | `SLURM_CPUS_PER_TASK` | `--cpus-per-task`, when given |
/// | `SLURM_MEM_PER_NODE`, `SLURM_MEM_PER_CPU` | `--mem`, `--mem-per-cpu` in MiB, when given |
/// | `SLURM_JOB_PARTITION`, `SLURM_JOB_ACCOUNT`, `SLURM_JOB_QOS` | `--partition`, `--account`, `--qos`, when given |
/// | `SLURM_EXPORT_ENV` | `--export`, when given |
///
/// The element starts in the submit directory (or `--chdir`). The default output is
/// `slurm-%A_%a.out` for arrays and `slurm-RUNID.out` otherwise; `--input` is its stdin.
///
/// Source: Slurm sbatch manual (options, "OUTPUT ENVIRONMENT VARIABLES", "filename pattern").
public struct SlurmScript: Sendable {
    /// The job name: `--job-name`, else the script's file name.
    public let name: String
    /// The array, or `nil` for a script without `--array` (one task, index 0).
    public let array: ArrayRange?
    /// The file as the user named it.
    public let file: String
    /// Directive problems that did not stop the load.
    public let warnings: [JobSpecError]
    /// The expanded job.
    public let job: ArrayJob
    /// The `--dependency` dependencies, when ``JobLoadOptions/honoursDependencies`` (else none).
    public let dependencies: [JobDependency]

    /// Reads a script held in memory.
    ///
    /// - Parameters:
    ///   - text: the script.
    ///   - file: its path as the user named it (made absolute to run it).
    ///   - options: ids, environment and command-line overrides.
    /// - Throws: ``JobSpecError`` naming the line for a script without a `#!` first line
    ///   (sbatch refuses those), a bad `--array`, `--time`, `--cpus-per-task`, `--mem`,
    ///   `--export` or filename pattern.
    public init(text: String, file: String, options: JobLoadOptions) throws(JobSpecError) {
        self.file = file
        let directives = try BatchDirectives(text: text, file: file, prefix: "#SBATCH",
                                             takesValue: SbatchOptions.takesValue)
        guard directives.shebang != nil else {
            throw JobSpecError("a Slurm batch script must start with #! and an interpreter (sbatch refuses it "
                               + "otherwise); add '#!/bin/sh' as line 1", file: file, line: 1, column: 1)
        }
        let fromFile = try SbatchOptions(directives.options, environment: options.environment,
                                         honoursDependencies: options.honoursDependencies)
        var commandLine = try SbatchOptions(BatchOption.commandLine(options.batchOptions,
                                                                    takesValue: SbatchOptions.takesValue),
                                            environment: options.environment,
                                            honoursDependencies: options.honoursDependencies)
        if let name = options.jobName { commandLine.jobName = name }
        if let directory = options.chdir { commandLine.chdir = directory }
        let request = fromFile.overridden(by: commandLine)
        var warnings = directives.warnings + request.warnings
        if let allocation = request.allocationWarning { warnings.append(allocation) }
        warnings.sort { ($0.location.file == file ? 1 : 0, $0.location.line) < ($1.location.file == file ? 1 : 0, $1.location.line) }

        let jobName = request.jobName ?? Paths.lastComponent(file)
        let array = request.array
        self.name = jobName
        self.array = array
        self.warnings = warnings
        self.dependencies = request.dependencies ?? []

        let workingDirectory = request.chdir.map(options.absolute) ?? options.workingDirectory
        func resolve(_ pattern: String) -> String {
            Paths.resolve(pattern, in: OutputPattern.literal(workingDirectory))
        }
        let defaultOutput = array == nil ? "slurm-\(options.runID).out" : "slurm-%A_%a.out"
        let stdoutPattern = options.output ?? request.output ?? defaultOutput
        let stderrPattern = options.error ?? request.error
        for pattern in [options.output, options.error].compactMap({ $0 }) {
            _ = try OutputPattern(pattern, location: SourceLocation(file: SourceLocation.commandLine, line: 0))
        }
        let script = options.absolute(file)
        let argv = ScriptCommand.argv(script: script, shebang: directives.shebang, shell: nil,
                                      arguments: options.scriptArguments)
        let cpus = request.cpusPerTask ?? 1
        let export = request.export ?? SbatchOptions.Export()
        var common = export.set
        common["SLURM_JOB_NAME"] = jobName
        common["SLURM_SUBMIT_DIR"] = options.workingDirectory
        common["SLURM_SUBMIT_HOST"] = options.hostname
        if !options.user.isEmpty { common["SLURM_JOB_USER"] = options.user }
        for variable in ["SLURM_JOB_NODELIST", "SLURM_NODELIST", "SLURMD_NODENAME", "SLURM_TOPOLOGY_ADDR"] {
            common[variable] = MachinePlacement.reference("Machine")
        }
        for variable in ["SLURM_JOB_NUM_NODES", "SLURM_NNODES", "SLURM_NTASKS", "SLURM_NPROCS",
                         "SLURM_TASKS_PER_NODE"] {
            common[variable] = "1"
        }
        for variable in ["SLURM_NODEID", "SLURM_PROCID", "SLURM_LOCALID", "SLURM_GTIDS"] { common[variable] = "0" }
        common["SLURM_CPUS_ON_NODE"] = String(cpus)
        common["SLURM_JOB_CPUS_PER_NODE"] = String(cpus)
        if let given = request.cpusPerTask { common["SLURM_CPUS_PER_TASK"] = String(given) }
        if let memory = request.memoryMiB { common["SLURM_MEM_PER_NODE"] = String(memory) }
        if let memory = request.memoryPerCPUMiB { common["SLURM_MEM_PER_CPU"] = String(memory) }
        if let partition = request.partition { common["SLURM_JOB_PARTITION"] = partition }
        if let account = request.account { common["SLURM_JOB_ACCOUNT"] = account }
        if let qos = request.qos { common["SLURM_JOB_QOS"] = qos }
        if request.export != nil { common["SLURM_EXPORT_ENV"] = export.text }
        if let array {
            common["SLURM_ARRAY_JOB_ID"] = String(options.runID)
            common["SLURM_ARRAY_TASK_COUNT"] = String(array.indices.count)
            common["SLURM_ARRAY_TASK_MIN"] = String(array.indices.min() ?? 0)
            common["SLURM_ARRAY_TASK_MAX"] = String(array.indices.max() ?? 0)
            common["SLURM_ARRAY_TASK_STEP"] = String(array.step)
        }
        let stdoutPath = resolve(stdoutPattern)
        let stderrPath = resolve(stderrPattern ?? stdoutPattern)
        let stdinPath = request.input.map(resolve)
        var memory = request.memoryMiB
        if memory == nil, let perCPU = request.memoryPerCPUMiB {
            let (total, overflow) = perCPU.multipliedReportingOverflow(by: cpus)
            guard !overflow else {
                throw JobSpecError("--mem-per-cpu times --cpus-per-task is more memory than any machine has", file: file)
            }
            memory = total
        }
        let timeLimit = request.timeLimit ?? nil
        let isArray = array != nil
        let runID = options.runID
        var attributes = ["slurm.array_job_id": String(runID), MachinePlacement.attribute: "env"]
        if !request.gres.isEmpty {
            attributes["slurm.gres"] = request.gres.map { [$0.name, $0.type, String($0.count)].compactMap { $0 }
                .joined(separator: ":") }.joined(separator: ",")
        }
        if let gpus = request.gpus { attributes["slurm.gpus"] = String(gpus) }
        let gpus = request.gpuCount.flatMap { $0 > 0 ? $0 : nil }
        let requestLines = request.requestLines
        let exportAll = export.all
        let exportNames = export.names
        var arrayJob = ArrayJob(name: jobName, file: file, indices: array?.indices ?? [0], warnings: warnings,
                       maxConcurrent: array?.maxConcurrent) { [common, cpus, memory, timeLimit, attributes, gpus, requestLines] position, index in
            var set = common
            let jobID = String(isArray ? runID + position : runID)
            set["SLURM_JOB_ID"] = jobID
            set["SLURM_JOBID"] = jobID
            if isArray { set["SLURM_ARRAY_TASK_ID"] = String(index) }
            var task = TaskSpec(
                position: position, arrayIndex: index, command: .argv(argv),
                environment: exportAll ? .inherit(set: set) : .inheritOnly(names: exportNames, set: set),
                workingDirectory: workingDirectory, stdout: stdoutPath, stderr: stderrPath, slots: cpus,
                memoryMiB: memory, timeLimit: timeLimit, source: SourceLocation(file: file, line: 1),
                label: isArray ? "\(jobName)[\(index)]" : jobName, attributes: attributes)
            task.stdin = stdinPath
            task.gpus = gpus
            task.requestLines = requestLines
            return task
        }
        // Each element has its own job id, as Slurm gives it: the run id plus its position.
        if isArray { arrayJob.jobIDsUsed = arrayJob.taskCount }
        job = arrayJob
    }
}
