/// A binary min-heap of integer ids (ranks, pool indexes, positions), each with a key that
/// can change: the scheduler core's indexes of its workers, pools and queued tasks, so that a
/// placement looks at the best few candidates instead of at every worker (issue 18: rank 0's
/// CPU per task flat from 10 to 10,000 workers).
///
/// Setting or removing an id's key is O(log n); the smallest key is O(1). Each id is in the
/// heap at most once.
struct IndexedHeap<Key: Comparable> {
    /// What ``first(where:prunes:limit:)`` found.
    enum Search: Equatable {
        /// The id with the smallest key that the predicate accepts.
        case found(Int)
        /// No id is accepted: every one was looked at, or pruned with all keys above it.
        case none
        /// The limit was reached before an answer: the caller must look by other means.
        case gaveUp
    }

    private var ids: [Int] = []
    private var keys: [Key] = []
    /// Where each id sits in `ids` and `keys`.
    private var slot: [Int: Int] = [:]

    /// Ids held.
    var count: Int { ids.count }

    /// The id with the smallest key, and that key.
    var min: (id: Int, key: Key)? { ids.isEmpty ? nil : (ids[0], keys[0]) }

    /// The key of `id`, or `nil` when it is not held.
    func key(of id: Int) -> Key? { slot[id].map { keys[$0] } }

    /// Inserts `id` with `key`, or moves it to `key` if it is held already.
    mutating func set(_ id: Int, _ key: Key) {
        if let at = slot[id] {
            let old = keys[at]
            guard old != key else { return }
            keys[at] = key
            if key < old { siftUp(at) } else { siftDown(at) }
            return
        }
        ids.append(id)
        keys.append(key)
        slot[id] = ids.count - 1
        siftUp(ids.count - 1)
    }

    /// Removes `id` if it is held.
    mutating func remove(_ id: Int) {
        guard let at = slot.removeValue(forKey: id) else { return }
        let last = ids.count - 1
        if at != last {
            ids[at] = ids[last]
            keys[at] = keys[last]
            slot[ids[at]] = at
        }
        ids.removeLast()
        keys.removeLast()
        guard at < ids.count else { return }
        let moved = ids[at]
        siftUp(at)
        siftDown(slot[moved]!)
    }

    /// Removes and returns the id with the smallest key.
    mutating func popMin() -> (id: Int, key: Key)? {
        guard let first = min else { return nil }
        remove(first.id)
        return first
    }

    /// The id with the smallest key that `accepts`, visiting ids in key order (best first,
    /// without changing the heap). A key that `prunes` is skipped with every key above it in
    /// the heap: `prunes` must hold for every key larger than one it holds for. Gives up
    /// after `limit` ids were looked at, so a caller whose predicate rejects many ids falls
    /// back to its own scan rather than paying more than the scan.
    func first(where accepts: (Int, Key) -> Bool, prunes: (Key) -> Bool = { _ in false },
               limit: Int = 64) -> Search {
        var frontier: [Int] = ids.isEmpty ? [] : [0]
        var looked = 0
        while !frontier.isEmpty {
            if looked == limit { return .gaveUp }
            looked += 1
            var best = 0
            for candidate in frontier.indices.dropFirst() where keys[frontier[candidate]] < keys[frontier[best]] {
                best = candidate
            }
            let at = frontier.remove(at: best)
            if prunes(keys[at]) { continue }
            if accepts(ids[at], keys[at]) { return .found(ids[at]) }
            if 2 * at + 1 < ids.count { frontier.append(2 * at + 1) }
            if 2 * at + 2 < ids.count { frontier.append(2 * at + 2) }
        }
        return .none
    }

    private mutating func siftUp(_ start: Int) {
        var at = start
        while at > 0 {
            let parent = (at - 1) / 2
            guard keys[at] < keys[parent] else { return }
            swapAt(at, parent)
            at = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var at = start
        while true {
            var smallest = at
            let left = 2 * at + 1
            if left < ids.count, keys[left] < keys[smallest] { smallest = left }
            if left + 1 < ids.count, keys[left + 1] < keys[smallest] { smallest = left + 1 }
            guard smallest != at else { return }
            swapAt(at, smallest)
            at = smallest
        }
    }

    private mutating func swapAt(_ first: Int, _ second: Int) {
        ids.swapAt(first, second)
        keys.swapAt(first, second)
        slot[ids[first]] = first
        slot[ids[second]] = second
    }
}

/// Three integers compared in order: the keys of the scheduler core's indexes (for example
/// fewer free cores, more tasks, later added).
struct TripleKey: Comparable {
    var first: Int
    var second: Int
    var third: Int

    init(_ first: Int, _ second: Int, _ third: Int) {
        self.first = first
        self.second = second
        self.third = third
    }

    static func < (lhs: TripleKey, rhs: TripleKey) -> Bool {
        (lhs.first, lhs.second, lhs.third) < (rhs.first, rhs.second, rhs.third)
    }
}
