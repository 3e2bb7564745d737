/// Values by MPI rank in an array indexed by the rank, rather than a dictionary: a lookup is
/// an index, and a field is read or changed in place instead of through a copy of the whole
/// value (the scheduler core reads a worker's record several times per task; issue 18).
/// Ranks are small and dense (0..<size of the world), so the array stays that size.
struct RankTable<Value> {
    private var values: [Value?] = []
    /// Ranks that hold a value.
    private(set) var count = 0

    /// Whether no rank holds a value.
    var isEmpty: Bool { count == 0 }

    /// The value of `rank`, or `nil`; setting `nil` removes it. A negative rank holds nothing.
    subscript(rank: Int) -> Value? {
        get { rank >= 0 && rank < values.count ? values[rank] : nil }
        _modify {
            precondition(rank >= 0, "a rank is never negative")
            if rank >= values.count { values += repeatElement(nil, count: rank + 1 - values.count) }
            let had = values[rank] != nil
            yield &values[rank]
            count += (values[rank] != nil ? 1 : 0) - (had ? 1 : 0)
        }
    }

    /// Removes the value of `rank`, as a dictionary's `removeValue(forKey:)`.
    @discardableResult
    mutating func removeValue(forKey rank: Int) -> Value? {
        let old = self[rank]
        if old != nil { self[rank] = nil }
        return old
    }
}
