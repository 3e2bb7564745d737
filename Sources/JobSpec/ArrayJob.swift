/// A job array whose tasks are built on demand from their index, so that rank 0 keeps
/// one integer per queued task whatever the array's size (`--array=0-999999` costs 8 MB,
/// not a `TaskSpec` per element). PBS and Slurm scripts expand to this.
public struct ArrayJob: Job {
    /// The job name: the command line's, else `#PBS -N` / `#SBATCH -J`, else the script's file name.
    public let name: String
    /// The job script as the user named it.
    public let file: String
    /// The array indices, in task order.
    public let indices: [Int]
    /// Warnings found while reading the script (ignored directives), with their locations.
    public internal(set) var warnings: [JobSpecError]
    /// The `%N` throttle of Slurm `--array` (Slurm sbatch: --array) or PBS `-J` / Torque `-t`,
    /// or `nil` for none.
    public let maxConcurrent: Int?
    /// Consecutive job ids from the run id the elements name (see ``Job/jobIDsUsed``).
    public var jobIDsUsed = 1
    /// Builds the task at a position from its position and array index.
    let build: @Sendable (_ position: Int, _ index: Int) -> TaskSpec

    /// The number of array indices.
    public var taskCount: Int { indices.count }

    /// The task at `position` (0 ..< ``taskCount``), built now for array index `indices[position]`.
    public func task(at position: Int) -> TaskSpec { build(position, indices[position]) }

    /// `indices[position]`, without building the task.
    public func arrayIndex(at position: Int) -> Int { indices[position] }
}
