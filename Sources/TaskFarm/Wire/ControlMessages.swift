/// Why the scheduler stops a task or a rank.
enum StopReason: Int, Sendable {
    /// The run is complete: leave the loop.
    case finished = 0
    /// The run was interrupted (SIGTERM, SIGINT): kill running tasks, report them
    /// interrupted, then leave.
    case interrupted = 1
    /// The user cancelled the task.
    case cancelled = 2
    /// Drain: running tasks finish, tasks queued on the worker and not started go back
    /// to the scheduler; the rank stays until the final stop.
    case drain = 3
    /// Give back a prefetched task that has not started, for another worker.
    case revoke = 4
    /// The run is complete and workers were lost: leave the loop, and under recovery
    /// finalize without Open MPI's fence (see ``WorkerRecovery``).
    case finishedAfterLoss = 5
}

/// `cancel`: stop one task on a worker.
struct CancelMessage: Equatable, WireMessage {
    var position: Int
    var reason: StopReason

    func write(to writer: inout WireWriter) {
        writer.write(position)
        writer.write(reason.rawValue)
    }
}

extension CancelMessage {
    init(from reader: inout WireReader) throws(WireError) {
        self.init(position: try reader.readInt(), reason: StopReason(rawValue: try reader.readInt()) ?? .cancelled)
    }
}

/// `stop`: the rank's roles end.
struct StopMessage: Equatable, WireMessage {
    var reason: StopReason

    func write(to writer: inout WireWriter) { writer.write(reason.rawValue) }
}

extension StopMessage {
    init(from reader: inout WireReader) throws(WireError) {
        self.init(reason: StopReason(rawValue: try reader.readInt()) ?? .finished)
    }
}
