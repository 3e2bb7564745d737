/// Values by call id, where the ids are handed out here in increasing order: an array
/// indexed by `id - first id kept`, not a hash table. The broker keeps a pending call per
/// id while it is out, and a `Dictionary` there hashed, grew and rehashed once per call
/// (a `map` of 10,000 chunks makes 10,000 at once; issue 18). Answers come in any order:
/// a removed slot stays empty until every older one is gone too, then the front is dropped.
struct CallSlots<Value> {
    private var slots: [Value?] = []
    /// The id of `slots[head]`.
    private var firstID = 1
    /// Slots before this one are all empty.
    private var head = 0
    private(set) var count = 0

    init() {}

    var isEmpty: Bool { count == 0 }

    /// Stores `value` under a new id, one more than the last, and returns it.
    mutating func insert(_ value: Value) -> Int {
        slots.append(value)
        count += 1
        return firstID + slots.count - 1
    }

    /// The value under `id`, `nil` when it was removed or never given.
    subscript(id: Int) -> Value? {
        get {
            let index = id - firstID
            return index >= head && index < slots.count ? slots[index] : nil
        }
        set {
            let index = id - firstID
            guard index >= head && index < slots.count, slots[index] != nil, let newValue else {
                if newValue == nil { _ = remove(id) }
                return
            }
            slots[index] = newValue
        }
    }

    /// Removes and returns the value under `id`, if any.
    mutating func remove(_ id: Int) -> Value? {
        let index = id - firstID
        guard index >= head && index < slots.count, let value = slots[index] else { return nil }
        slots[index] = nil
        count -= 1
        while head < slots.count, slots[head] == nil { head += 1 }
        // Drop the empty front once it is half the array: each slot is moved at most once
        // per time the array doubles, so removal stays O(1) amortized.
        if head == slots.count {
            firstID += head
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= slots.count {
            slots.removeFirst(head)
            firstID += head
            head = 0
        }
        return value
    }

    /// The ids held, in increasing order.
    var ids: [Int] {
        (head..<slots.count).compactMap { slots[$0] == nil ? nil : firstID + $0 }
    }
}
