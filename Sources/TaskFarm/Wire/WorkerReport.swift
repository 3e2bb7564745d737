/// A task attempt's real start on its worker: a prefetched task waits in the worker's queue
/// until a slot frees, so the scheduler's hand-out time is not its start. Internal, like the
/// ``WorkerReport`` it rides on, so the compiler's memberwise initializer serves.
struct TaskStart: Sendable, Equatable {
    /// The task's position in the job.
    var position: Int
    /// The attempt number, from 1.
    var attempt: Int
    /// When the task's process started, in seconds since the Unix epoch.
    var time: Double
}

/// What a worker sends the scheduler (tag ``MessageTag/completion``): the tasks it started
/// since its last report, and at most one attempt's end.
///
/// Starts ride on the completion a worker sends anyway (it starts the next queued task
/// just before it reports the one that ended), so reporting them costs no message in a
/// busy farm. A report with neither is a heartbeat: a worker with nothing else to say
/// sends one every ``WorkerLiveness/heartbeatInterval(timeout:)`` seconds, which tells the
/// scheduler it is alive.
struct WorkerReport: Equatable {
    var starts: [TaskStart]
    var completion: TaskCompletion?

    init(starts: [TaskStart] = [], completion: TaskCompletion? = nil) {
        self.starts = starts
        self.completion = completion
    }
}

extension WorkerReport: WireMessage {
    var encodedSizeHint: Int { 80 + 24 * starts.count }

    func write(to writer: inout WireWriter) {
        writer.write(UInt64(starts.count))
        for start in starts {
            writer.write(start.position, start.attempt, start.time)
        }
        writer.write(completion != nil)
        completion?.write(to: &writer)
    }

    init(from reader: inout WireReader) throws(WireError) {
        let count = try reader.readCount()
        starts = []
        starts.reserveCapacity(count)
        for _ in 0..<count {
            starts.append(TaskStart(position: try reader.readInt(), attempt: try reader.readInt(), time: try reader.readDouble()))
        }
        completion = try reader.readBool() ? try TaskCompletion(from: &reader) : nil
    }
}
