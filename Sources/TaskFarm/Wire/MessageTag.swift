/// MPI tags of the farm's messages: one tag per message kind, so a rank can probe for
/// the kinds it serves.
public enum MessageTag: Int32, Sendable, CaseIterable {
    /// A request to the name server (register, lookup, list, wait for workers).
    case nameServerRequest = 101
    /// The name server's reply.
    case nameServerReply = 102
    /// The job-wide context a worker needs once: run id, task count, job name.
    case jobContext = 103
    /// A task for a worker to run.
    case assignment = 104
    /// A task's end, from the worker that ran it.
    case completion = 105
    /// Kill a running or queued task (timeout handled by the worker, cancel by the scheduler).
    case cancel = 106
    /// Shut down: the rank finishes what it must and leaves its loop.
    case stop = 107
    /// A call of a named Swift service: caller → broker → worker.
    case serviceCall = 108
    /// A service call's answer: worker → broker → caller.
    case serviceReply = 109
}
