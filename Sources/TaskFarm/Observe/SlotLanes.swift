/// Places attempts on their worker's slots so that no two attempts on one slot overlap in
/// time: a timeline row (and a trace `tid`) per slot. Slots are assigned from the attempts'
/// own start and end times, greedily (the lowest free slot at each start), so even attempts
/// whose recorded times overlap more than the worker has slots (a hand-out time taken for a
/// start) get a row of their own instead of overlapping.
public struct SlotLanes: Sendable {
    /// One row: a worker's slot.
    public struct Lane: Sendable, Equatable, Hashable {
        /// The worker's host.
        public var host: String
        /// The worker's rank.
        public var rank: Int
        /// The slot on that worker, from 0.
        public var slot: Int
    }

    /// The rows, by host, then rank, then slot.
    public let lanes: [Lane]
    /// For each attempt given (in the order given), its row in ``lanes``.
    public let laneOfAttempt: [Int]

    /// Places `attempts` (each with an end; running ones ended at "now" by the caller).
    /// `key` maps a time to the unit rows are compared in (such as whole microseconds), so
    /// that "no overlap" holds exactly in that unit.
    public init(_ attempts: [AttemptHistory.Attempt], key: (Double) -> Int64) {
        var byWorker: [Int: [Int]] = [:]
        for (offset, attempt) in attempts.enumerated() { byWorker[attempt.worker, default: []].append(offset) }
        var slotOf = [Int](repeating: 0, count: attempts.count)
        var slotsPerWorker: [Int: Int] = [:]
        for (rank, offsets) in byWorker {
            let ordered = offsets.sorted { key(attempts[$0].start) < key(attempts[$1].start)
                || (key(attempts[$0].start) == key(attempts[$1].start) && $0 < $1) }
            var freeAt: [Int64] = []
            for offset in ordered {
                let start = key(attempts[offset].start)
                let end = max(start, key(attempts[offset].end ?? attempts[offset].start))
                if let slot = freeAt.firstIndex(where: { $0 <= start }) {
                    freeAt[slot] = end
                    slotOf[offset] = slot
                } else {
                    slotOf[offset] = freeAt.count
                    freeAt.append(end)
                }
            }
            slotsPerWorker[rank] = freeAt.count
        }
        var hostOf: [Int: String] = [:]
        for attempt in attempts { hostOf[attempt.worker] = attempt.host }
        let ranks = slotsPerWorker.keys.sorted { (hostOf[$0] ?? "", $0) < (hostOf[$1] ?? "", $1) }
        var lanes: [Lane] = []
        var firstLane: [Int: Int] = [:]
        for rank in ranks {
            firstLane[rank] = lanes.count
            for slot in 0..<slotsPerWorker[rank]! { lanes.append(Lane(host: hostOf[rank] ?? "", rank: rank, slot: slot)) }
        }
        self.lanes = lanes
        laneOfAttempt = attempts.indices.map { firstLane[attempts[$0].worker]! + slotOf[$0] }
    }
}
