/// One role a rank plays: scheduler, name server or worker. A rank's ``RankLoop`` drives
/// its roles: it hands each message to the role that owns its tag, lets each role do its
/// periodic work, and waits when none made progress.
protocol RankRole: AnyObject {
    /// The message kinds this role receives.
    var tags: Set<MessageTag> { get }
    /// Handles one message.
    func handle(_ envelope: Envelope) throws
    /// Periodic work; returns whether anything happened.
    func step() throws -> Bool
    /// Whether the role has finished and the loop may end.
    var isFinished: Bool { get }
    /// A signal reached the rank (SIGTERM, SIGINT or SIGUSR1).
    func signal(_ number: Int32) throws
    /// Waits up to `microseconds` for the role's own events (a task ending); returns
    /// whether the role did the waiting. Only the worker waits this way.
    func idle(microseconds: Int) throws -> Bool
    /// Whether the role waits for a reply that should come soon (calls in flight): the
    /// rank then polls without sleeping for ``RankLoop/pollWindow`` after its last progress,
    /// and caps its idle sleeps at ``RankLoop/shortWait`` microseconds after that.
    var expectsMessageSoon: Bool { get }
    /// Whether the role's ``idle(microseconds:)`` wakes at once on the event it waits for
    /// (a running task's end) and no message could be acted on before it (every slot is
    /// busy): the rank then skips spinning and waits in `idle` for its longest sleep, which
    /// leaves the cores to the tasks.
    var waitsForItsOwnEvent: Bool { get }
}

extension RankRole {
    func signal(_ number: Int32) throws {}
    func idle(microseconds: Int) throws -> Bool { false }
    var expectsMessageSoon: Bool { false }
    var waitsForItsOwnEvent: Bool { false }
}
