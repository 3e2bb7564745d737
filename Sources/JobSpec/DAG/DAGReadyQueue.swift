/// Ready nodes waiting to start, highest `PRIORITY` first and, among equals, first come first
/// served. A binary heap: O(log n) to add or take a node.
///
/// Source: HTCondor manual, DAGMan "Node Priorities" (higher values start first).
struct DAGReadyQueue: Sendable {
    private struct Entry: Sendable {
        var priority: Int
        var sequence: Int
        var node: Int32

        func precedes(_ other: Entry) -> Bool {
            priority != other.priority ? priority > other.priority : sequence < other.sequence
        }
    }

    private var heap: [Entry] = []
    private var nextSequence = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    mutating func push(_ node: Int, priority: Int) {
        heap.append(Entry(priority: priority, sequence: nextSequence, node: Int32(node)))
        nextSequence += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Int? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0].node
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                var best = parent
                let left = 2 * parent + 1
                let right = left + 1
                if left < heap.count, heap[left].precedes(heap[best]) { best = left }
                if right < heap.count, heap[right].precedes(heap[best]) { best = right }
                if best == parent { break }
                heap.swapAt(parent, best)
                parent = best
            }
        }
        return Int(top)
    }
}
