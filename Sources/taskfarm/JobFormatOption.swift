import ArgumentParser
import JobSpec

/// `--format`: the job file's format when its name and text do not say it (the commands that
/// read a job file: `run`, `check`, `submit --file`).
struct JobFormatOption: ParsableArguments {
    @Option(name: .long, help: "The job file's format: tasklist, submit, pbs, slurm or dag (default: detected).")
    var format: String?

    /// The format named, or `nil` to detect it.
    var jobFormat: JobFormat? { format.flatMap(JobFormat.init(name:)) }

    func validate() throws {
        if let format, JobFormat(name: format) == nil {
            throw ValidationError("--format '\(format)' is not a format; expected tasklist, submit, pbs, slurm or dag")
        }
    }
}
