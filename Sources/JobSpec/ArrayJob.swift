/// A job array whose tasks are built on demand from their index, so that rank 0 keeps
/// one integer per queued task whatever the array's size (`--array=0-999999` costs 8 MB,
/// not a `TaskSpec` per element). PBS and Slurm scripts expand to this.
public struct ArrayJob: Job {
    public let name: String
    public let file: String
    /// The array indices, in task order.
    public let indices: [Int]
    public let warnings: [JobSpecError]
    public let maxConcurrent: Int?
    /// Builds the task at a position from its position and array index.
    let build: @Sendable (_ position: Int, _ index: Int) -> TaskSpec

    init(name: String, file: String, indices: [Int], warnings: [JobSpecError], maxConcurrent: Int?,
         build: @escaping @Sendable (_ position: Int, _ index: Int) -> TaskSpec) {
        self.name = name
        self.file = file
        self.indices = indices
        self.warnings = warnings
        self.maxConcurrent = maxConcurrent
        self.build = build
    }

    public var taskCount: Int { indices.count }

    public func task(at position: Int) -> TaskSpec { build(position, indices[position]) }
}
