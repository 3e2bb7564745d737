/// Job-wide facts sent once to each worker before its first task.
struct JobContext: Sendable, Equatable {
    /// The run id: `%A` and `TASKFARM_RUN_ID`.
    var runID: Int
    /// Tasks in the job: `TASKFARM_TASK_COUNT`.
    var taskCount: Int
    /// `%x`.
    var jobName: String
    /// Seconds between SIGTERM and SIGKILL when a task is stopped.
    var killGrace: Double
    /// The farm's working directory, for tasks that name none.
    var workingDirectory: String

    func encode() -> [UInt8] {
        var writer = WireWriter()
        writer.write(runID)
        writer.write(taskCount)
        writer.write(jobName)
        writer.write(killGrace)
        writer.write(workingDirectory)
        return writer.bytes
    }

    init(runID: Int, taskCount: Int, jobName: String, killGrace: Double, workingDirectory: String) {
        self.runID = runID
        self.taskCount = taskCount
        self.jobName = jobName
        self.killGrace = killGrace
        self.workingDirectory = workingDirectory
    }

    init(decoding bytes: [UInt8]) throws(WireError) {
        var reader = WireReader(bytes)
        runID = try reader.readInt()
        taskCount = try reader.readInt()
        jobName = try reader.readString()
        killGrace = try reader.readDouble()
        workingDirectory = try reader.readString()
    }
}
