/// A task attempt's real start on its worker: a prefetched task waits in the worker's queue
/// until a slot frees, so the scheduler's hand-out time is not its start.
public struct TaskStart: Sendable, Equatable {
    /// The task's position in the job.
    public var position: Int
    /// The attempt number, from 1.
    public var attempt: Int
    /// When the task's process started, in seconds since the Unix epoch.
    public var time: Double

    /// A start; every argument is the property of the same name.
    public init(position: Int, attempt: Int, time: Double) {
        self.position = position
        self.attempt = attempt
        self.time = time
    }
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

    func encode() -> [UInt8] {
        var writer = WireWriter(capacity: 16 + 24 * starts.count)
        writer.write(UInt64(starts.count))
        for start in starts {
            writer.write(start.position)
            writer.write(start.attempt)
            writer.write(start.time)
        }
        if let completion {
            let bytes = completion.encode()
            writer.write(UInt64(bytes.count))
            writer.append(raw: bytes)
        } else {
            writer.write(UInt64(0))
        }
        return writer.bytes
    }

    init(starts: [TaskStart] = [], completion: TaskCompletion? = nil) {
        self.starts = starts
        self.completion = completion
    }

    init(decoding bytes: [UInt8]) throws(WireError) {
        var reader = WireReader(bytes)
        let count = try reader.readCount()
        starts = []
        starts.reserveCapacity(count)
        for _ in 0..<count {
            starts.append(TaskStart(position: try reader.readInt(), attempt: try reader.readInt(), time: try reader.readDouble()))
        }
        let length = try reader.readCount()
        completion = length == 0 ? nil : try TaskCompletion(decoding: try reader.readBytes(length))
    }
}
