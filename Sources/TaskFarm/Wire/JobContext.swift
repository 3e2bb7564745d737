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
    /// `--enforce-memory`: stop a task whose resident set passes its memory request.
    var enforceMemory = false
}

extension JobContext: WireMessage {
    func write(to writer: inout WireWriter) {
        writer.write(runID, taskCount, jobName, killGrace, workingDirectory, enforceMemory)
    }

    init(from reader: inout WireReader) throws(WireError) {
        self.init(runID: try reader.readInt(), taskCount: try reader.readInt(), jobName: try reader.readString(),
                  killGrace: try reader.readDouble(), workingDirectory: try reader.readString(),
                  enforceMemory: try reader.readBool())
    }
}
