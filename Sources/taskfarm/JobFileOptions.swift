import ArgumentParser
import JobSpec
import TaskFarm

/// The job file and what the command line overrides in it; shared by `run` and `check`.
struct JobFileOptions: ParsableArguments {
    @Argument(help: "The job file: a task list, a submit description (.sub), a PBS or Slurm script, or a DAG (.dag); - reads it from standard input (a task list, or a script or submit description, told apart as in a file, as sbatch and qsub read a script).")
    var file: String

    @OptionGroup var format: JobFormatOption

    @Option(name: .shortAndLong, help: "Per-task stdout pattern (wins over the file's); stderr goes there too unless --error is given.")
    var output: String?

    @Option(name: .shortAndLong, help: "Per-task stderr pattern (wins over the file's).")
    var error: String?

    @Option(name: [.customShort("J"), .long], help: "The job name: %x, and PBS/Slurm's job name (wins over the file's); for a PBS script, a value that begins with a digit is qsub's -J array range, start-end[:step].")
    var jobName: String?

    @Option(name: .long, help: "sbatch --array for a Slurm script (wins over #SBATCH --array).")
    var array: String?

    @Option(name: .long, help: "sbatch --export for a Slurm script: ALL, NONE or NAME[=value],...")
    var export: String?

    @OptionGroup var request: TaskRequestArguments

    @Option(name: .long, help: "sbatch --mem for a Slurm script (4000, 500M, 4G).")
    var mem: String?

    @Option(name: [.customShort("t"), .long], help: "sbatch --time for a Slurm script; qsub -t (Torque's array) for a PBS script.")
    var time: String?

    @Option(name: .customShort("v"), help: "qsub -v for a PBS script: NAME[=value],... passed to the job.")
    var variables: String?

    @Flag(name: .customShort("V"), help: "qsub -V for a PBS script: pass the whole environment.")
    var exportAll = false

    @Option(name: .long, parsing: .unconditional, help: "For a DAG: start from rescue file N instead of the newest.")
    var rescueFrom: Int?

    @Argument(parsing: .postTerminator, help: "After --: arguments passed to a PBS or Slurm script, as qsub and sbatch pass them.")
    var scriptArguments: [String] = []

    func validate() throws {
        if let rescueFrom, !(1...DAGRescue.maximumNumber).contains(rescueFrom) {
            throw ValidationError("--rescue-from \(rescueFrom): a rescue file's number, 1 to \(DAGRescue.maximumNumber) "
                                  + "(FILE.dag.rescue001 is 1), as condor_submit_dag -dorescuefrom takes it")
        }
    }

    /// The options given in sbatch's or qsub's own syntax, as those commands take them.
    var batchOptions: [String] {
        var words: [String] = []
        if let array { words += ["--array=" + array] }
        if let export { words += ["--export=" + export] }
        if let mem { words += ["--mem=" + mem] }
        if let time { words += ["-t", time] }
        if let variables { words += ["-v", variables] }
        if exportAll { words += ["-V"] }
        return words
    }

    var overrides: JobFiles.Overrides {
        var overrides = JobFiles.Overrides(format: format.jobFormat, output: output, error: error,
                                           jobName: jobName, scriptArguments: scriptArguments, rescueFrom: rescueFrom)
        overrides.batchOptions = batchOptions
        overrides.taskResources = request.resources
        return overrides
    }
}
