/// A `map`'s outputs, placed in input order as chunks are answered in any order: one
/// buffer of the whole output's size, each chunk's outputs copied into their place as they
/// come, so that no chunk's answer waits for the last one to be decoded. Used on the MPI
/// thread only, then taken once by the caller after every chunk is placed.
final class OrderedOutputs<Output>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Output>
    private let count: Int
    /// Which chunks are placed, and where: only those are freed if the map fails.
    private var placed: [Range<Int>?]
    private var taken = false

    /// Room for `count` outputs in `chunks` chunks.
    init(count: Int, chunks: Int) {
        self.count = count
        storage = .allocate(capacity: max(count, 1))
        placed = Array(repeating: nil, count: chunks)
    }

    /// Copies `outputs` into places `start ..< start + outputs.count`, as chunk `chunk`.
    /// - Precondition: the chunk is not placed yet and its places lie within the map.
    func place(_ outputs: [Output], chunk: Int, at start: Int) {
        precondition(placed[chunk] == nil && start >= 0 && start + outputs.count <= count, "chunk \(chunk) placed twice or out of range")
        let range = start..<start + outputs.count
        outputs.withUnsafeBufferPointer { buffer in
            guard let source = buffer.baseAddress else { return }
            (storage + start).initialize(from: source, count: buffer.count)
        }
        placed[chunk] = range
    }

    /// Every output, in input order.
    /// - Precondition: every chunk is placed; called once.
    func take() -> [Output] {
        precondition(!taken && placed.allSatisfy { $0 != nil }, "outputs taken before every chunk was placed")
        taken = true
        return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            if let target = buffer.baseAddress { target.moveInitialize(from: storage, count: count) }
            initialized = count
        }
    }

    deinit {
        if !taken {
            for case let range? in placed { (storage + range.lowerBound).deinitialize(count: range.count) }
        }
        storage.deallocate()
    }
}
