import JobSpec

extension Job {
    /// Whether people call this job's tasks by position rather than by array index: a DAG's
    /// nodes' procs share indexes (each node's first proc is 0), so only the position tells
    /// them apart.
    var numbersTasksByPosition: Bool { self is DAGJob }

    /// The number people read and type for the task at `position`, the same everywhere: the
    /// end-of-run line and `verdict.json`'s first failures, `status`, `status --task`,
    /// `output` and `report`. It is the array index (what `%a`, `SLURM_ARRAY_TASK_ID` and
    /// `PBS_ARRAY_INDEX` showed), or the position where ``numbersTasksByPosition``.
    func taskNumber(ofPosition position: Int) -> Int {
        numbersTasksByPosition ? position : task(at: position).arrayIndex
    }
}
