/// The workers that could take a one-slot task, best first, so that placing a task costs
/// O(log workers) instead of a scan over every worker (issue 18: rank 0's CPU per task flat
/// from 10 to 10,000 workers).
///
/// A max-heap of snapshots `(idle, free, order)`: a worker with an idle slot before one that
/// would only queue the task (prefetch), then the most free room, then the worker added
/// first, exactly the order of ``SchedulerCore``'s scan. A worker's snapshot is pushed each
/// time its room changes and older ones are skipped when they reach the top (their version
/// is stale), so nothing is ever searched for; the heap is rebuilt when stale entries
/// outnumber live ones.
struct WorkerCandidates {
    struct Entry {
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

    private(set) var entries: [Entry] = []

    var count: Int { entries.count }
    var top: Entry? { entries.first }

    mutating func removeAll() { entries.removeAll(keepingCapacity: true) }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    mutating func popTop() -> Entry? {
        guard !entries.isEmpty else { return nil }
        let first = entries[0]
        let last = entries.removeLast()
        guard !entries.isEmpty else { return first }
        entries[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { break }
            var best = left
            if left + 1 < entries.count, entries[left + 1].precedes(entries[left]) { best = left + 1 }
            guard entries[best].precedes(entries[parent]) else { break }
            entries.swapAt(best, parent)
            parent = best
        }
        return first
    }
}
