/// Ready nodes waiting to start, highest `PRIORITY` first and, among equals, first come first
/// served. A binary heap: O(log n) to add or take a node.
///
/// Source: HTCondor manual, DAGMan "Node Priorities" (higher values start first).
struct DAGReadyQueue: Sendable {
    private struct Entry: Sendable, HeapOrdered {
        var priority: Int
        var sequence: Int
        var node: Int32

        func precedes(_ other: Entry) -> Bool {
            priority != other.priority ? priority > other.priority : sequence < other.sequence
        }
    }

    private var heap = BinaryHeap<Entry>()
    private var nextSequence = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    mutating func push(_ node: Int, priority: Int) {
        heap.push(Entry(priority: priority, sequence: nextSequence, node: Int32(node)))
        nextSequence += 1
    }

    mutating func pop() -> Int? {
        heap.popFirst().map { Int($0.node) }
    }
}
