/// Positions handed to the core by a driver (the DAG runtime) instead of its cursor, in the
/// order given. Entries whose task is no longer pending (withdrawn, or queued twice) are
/// skipped when they reach the head, so withdrawing costs nothing per queued entry.
struct ExternalFeed {
    var queue: [Int] = []
    var head = 0
    /// Set once the driver will enqueue nothing more; until then the run is not done.
    var closed = false

    /// Entries not yet taken (stale ones included).
    var count: Int { queue.count - head }
}

extension SchedulerCore {
    /// Switches to an external feed: only positions given to ``enqueue(positions:)`` run, in
    /// that order, and ``isDone()`` stays false until ``closeFeed()``. Call before dispatching.
    /// Prerequisites are not consulted: the driver enqueues a position only when it may start.
    public mutating func useExternalFeed() {
        feed = ExternalFeed()
    }

    /// Whether positions come from an external feed.
    public var usesExternalFeed: Bool { feed != nil }

    /// Queues `positions` to run next, after those already queued. A position that already
    /// ended (a DAG node's retry) runs again, with the next attempt number. Requires
    /// ``useExternalFeed()``.
    public mutating func enqueue(positions: Range<Int>) {
        precondition(feed != nil, "enqueue(positions:) needs useExternalFeed()")
        for position in positions where states[position] != .running {
            states[position] = .pending
            feed!.queue.append(position)
        }
    }

    /// Takes back the positions of `positions` that are queued and not yet handed out; they
    /// become cancelled. Returns them. Positions in flight are the caller's to cancel.
    public mutating func withdraw(positions: Range<Int>) -> [Int] {
        var withdrawn: [Int] = []
        for position in positions where states[position] == .pending && inFlight[position] == nil {
            states[position] = .cancelled
            withdrawn.append(position)
        }
        return withdrawn
    }

    /// The driver will enqueue nothing more: the run is done once nothing is in flight.
    public mutating func closeFeed() {
        feed?.closed = true
    }

    /// The next queued position whose task is still pending.
    mutating func nextFedPosition(peekOnly: Bool) -> Int? {
        while let head = feed?.head, head < feed!.queue.count, states[feed!.queue[head]] != .pending {
            feed!.head += 1
        }
        guard let feed, feed.head < feed.queue.count else {
            if self.feed?.head ?? 0 > 0 {
                self.feed!.queue.removeAll(keepingCapacity: true)
                self.feed!.head = 0
            }
            return nil
        }
        let position = feed.queue[feed.head]
        if !peekOnly { self.feed!.head += 1 }
        return position
    }
}
