/// Something kept in a ``BinaryHeap``: `precedes` says which of two comes out first.
protocol HeapOrdered {
    /// Whether `self` comes out of the heap before `other`.
    func precedes(_ other: Self) -> Bool
}

/// A binary heap: O(log n) to add an element or take the first one (the one that
/// ``HeapOrdered/precedes(_:)`` every other). The DAG's ready nodes (``DAGReadyQueue``)
/// are kept in one.
struct BinaryHeap<Element: HeapOrdered> {
    private var elements: [Element] = []

    /// An empty heap.
    init() {}

    /// Whether the heap holds nothing.
    var isEmpty: Bool { elements.isEmpty }
    /// Elements held.
    var count: Int { elements.count }
    /// The element that comes out first, without taking it.
    var first: Element? { elements.first }

    /// Adds `element`.
    mutating func push(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard elements[child].precedes(elements[parent]) else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    /// Takes the element that comes out first, or `nil` when empty.
    @discardableResult
    mutating func popFirst() -> Element? {
        guard !elements.isEmpty else { return nil }
        let first = elements[0]
        let last = elements.removeLast()
        guard !elements.isEmpty else { return first }
        elements[0] = last
        var parent = 0
        while true {
            var best = parent
            let left = 2 * parent + 1
            let right = left + 1
            if left < elements.count, elements[left].precedes(elements[best]) { best = left }
            if right < elements.count, elements[right].precedes(elements[best]) { best = right }
            if best == parent { break }
            elements.swapAt(parent, best)
            parent = best
        }
        return first
    }

    /// Empties the heap, keeping its storage.
    mutating func removeAll() { elements.removeAll(keepingCapacity: true) }
}

extension BinaryHeap: Sendable where Element: Sendable {}
