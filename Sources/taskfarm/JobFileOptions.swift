import ArgumentParser
import JobSpec
import TaskFarm

/// The job file and what the command line overrides in it; shared by `run` and `check`.
struct JobFileOptions: ParsableArguments {
    @Argument(help: "The job file: a task list, a submit description (.sub), a PBS or Slurm script, or a DAG (.dag); - reads a task list from standard input.")
    var file: String

    @Option(name: .long, help: "The job file's format: tasklist, submit, pbs, slurm or dag (default: detected).")
    var format: String?

    @Option(name: .shortAndLong, help: "Per-task stdout pattern (wins over the file's); stderr goes there too unless --error is given.")
    var output: String?

    @Option(name: .shortAndLong, help: "Per-task stderr pattern (wins over the file's).")
    var error: String?

    @Option(name: [.customShort("J"), .long], help: "The job name: %x, and PBS/Slurm's job name (wins over the file's).")
    var jobName: String?

    @Option(name: .long, help: "For a DAG: start from rescue file N instead of the newest.")
    var rescueFrom: Int?

    @Argument(parsing: .postTerminator, help: "After --: arguments passed to a PBS or Slurm script, as qsub and sbatch pass them.")
    var scriptArguments: [String] = []

    func validate() throws {
        if let format, JobFormat(name: format) == nil {
            throw ValidationError("--format '\(format)' is not a format; expected tasklist, submit, pbs, slurm or dag")
        }
    }

    var overrides: JobFiles.Overrides {
        JobFiles.Overrides(format: format.flatMap(JobFormat.init(name:)), output: output, error: error,
                           jobName: jobName, scriptArguments: scriptArguments, rescueFrom: rescueFrom)
    }
}
