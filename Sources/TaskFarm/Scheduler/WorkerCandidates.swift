import JobSpec

/// The workers that could take a one-slot task, best first, so that placing a task costs
/// O(log workers) instead of a scan over every worker (issue 18: rank 0's CPU per task flat
/// from 10 to 10,000 workers).
///
/// A heap of snapshots `(idle, free, order)`: a worker with an idle slot before one that
/// would only queue the task (prefetch), then the most free room, then the worker added
/// first, exactly the order of ``SchedulerCore``'s scan. A worker's snapshot is pushed each
/// time its room changes and older ones are skipped when they reach the top (their version
/// is stale), so nothing is ever searched for; ``SchedulerCore`` rebuilds the heap when
/// stale entries outnumber live ones.
struct WorkerCandidates {
    struct Entry: HeapOrdered {
        var idle: Bool
        var free: Int
        /// The order in which the worker was added: earlier wins ties.
        var order: Int
        var rank: Int
        var version: Int

        /// Whether `self` goes before `other`.
        func precedes(_ other: Entry) -> Bool {
            if idle != other.idle { return idle }
            if free != other.free { return free > other.free }
            return order < other.order
        }
    }

    private var heap = BinaryHeap<Entry>()

    var count: Int { heap.count }
    var top: Entry? { heap.first }

    mutating func removeAll() { heap.removeAll() }
    mutating func push(_ entry: Entry) { heap.push(entry) }
    @discardableResult
    mutating func popTop() -> Entry? { heap.popFirst() }
}
