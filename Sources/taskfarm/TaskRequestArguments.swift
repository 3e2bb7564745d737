import ArgumentParser
import JobSpec

/// What each task asks for, from the command line: `run`, `check` and `submit` share it.
/// For a task list (and `submit -- COMMAND`) it is every task's request unless a
/// `#TASKFARM RESOURCES` line says otherwise; for a Slurm script it is sbatch's `-c`,
/// `--mem` and `--gpus-per-task`.
struct TaskRequestArguments: ParsableArguments {
    @Option(name: [.customShort("c"), .long], parsing: .unconditional, help: "Cores per task, for a task list (each task's unless a #TASKFARM RESOURCES line says otherwise), a submitted command or a Slurm script (sbatch -c).")
    var cpusPerTask: Int?

    @Option(name: .long, parsing: .unconditional, help: "Memory per task (4000 MiB, 500M, 4G), for a task list, a submitted command or a Slurm script (sbatch --mem); placement counts it against the host's memory.")
    var memoryPerTask: String?

    @Option(name: .long, parsing: .unconditional, help: "GPUs per task, for a task list, a submitted command or a Slurm script (sbatch --gpus-per-task); each GPU goes to one task at a time.")
    var gpusPerTask: Int?

    func validate() throws {
        if let cpusPerTask, let expected = FarmLimits.slotsProblem(cpusPerTask) {
            throw ValidationError("--cpus-per-task \(cpusPerTask): expected \(expected)")
        }
        if let memoryPerTask, TaskListResources.mebibytes(memoryPerTask) == nil {
            throw ValidationError("--memory-per-task '\(memoryPerTask)': expected a size such as 4000 (MiB), 500M or 4G")
        }
        if let gpusPerTask, !(0...FarmLimits.maximumSlots).contains(gpusPerTask) {
            throw ValidationError("--gpus-per-task \(gpusPerTask): expected a number of GPUs from 0 to \(FarmLimits.maximumSlots)")
        }
    }

    /// The request given, as a task list's default.
    var resources: TaskListResources {
        TaskListResources(cores: cpusPerTask, memoryMiB: memoryPerTask.flatMap(TaskListResources.mebibytes), gpus: gpusPerTask)
    }
}
