import CMPI
import CMPIShims

/// Data-movement collectives. Every rank of the communicator must make the same call in
/// the same order. Elements travel as `MPI_BYTE`s, so any `BitwiseCopyable` type works.
extension Communicator {
    /// Blocks until every rank of the communicator has called it.
    ///
    /// - Throws: ``MPIError``. Source: MPI 3.1 §5.3, `MPI_Barrier`.
    public func barrier() throws(MPIError) {
        try check(MPI_Barrier(handle), "MPI_Barrier")
    }

    /// Starts a nonblocking barrier: the request completes once every rank has started it.
    /// A rank that has finished its own work can keep serving messages while it waits
    /// (the building block of termination detection).
    ///
    /// - Returns: a ``Request`` (not cancellable).
    /// - Throws: ``MPIError``. Source: MPI 3.1 §5.12.1, `MPI_Ibarrier`.
    public func ibarrier() throws(MPIError) -> Request {
        var request: MPI_Request? = cmpi_request_null()
        try check(MPI_Ibarrier(handle, &request), "MPI_Ibarrier")
        return Request(handle: request, buffer: nil, kind: .collective)
    }

    /// Broadcasts `values` from `root` to every rank. On the root, `values` is sent; on
    /// the other ranks it is overwritten with the root's array. Every rank must pass an
    /// array of the same count.
    ///
    /// - Parameters:
    ///   - values: the buffer, the same count on every rank.
    ///   - root: the sending rank.
    /// - Throws: ``MPIError`` (`MPI_ERR_ROOT` for a root out of range).
    /// Source: MPI 3.1 §5.4, `MPI_Bcast`.
    public func broadcast<T: BitwiseCopyable>(_ values: inout [T], root: Int) throws(MPIError) {
        let byteCount = try cByteCount(T.self, values.count, "MPI_Bcast")
        let code = values.withUnsafeMutableBytes { raw in
            MPI_Bcast(raw.baseAddress, byteCount, cmpi_byte(), Int32(root), handle)
        }
        try check(code, "MPI_Bcast", context: "root \(root), \(byteCount) bytes (communicator size \(size))")
    }

    /// Splits the root's `values` into `size` consecutive blocks of `count` elements and
    /// sends block `i` to rank `i`.
    ///
    /// - Parameters:
    ///   - values: on the root, `count * size` elements; ignored elsewhere (pass `[]`).
    ///   - count: the elements each rank receives.
    ///   - root: the sending rank.
    /// - Returns: this rank's `count` elements.
    /// - Throws: ``MPIError`` (class `MPI_ERR_COUNT` if the root's array is too short).
    /// Source: MPI 3.1 §5.6, `MPI_Scatter`.
    public func scatter<T: BitwiseCopyable>(_ values: [T], count: Int, root: Int) throws(MPIError) -> [T] {
        if rank == root, values.count < count * size {
            throw MPIError(.count, routine: "MPI_Scatter",
                           context: "root has \(values.count) elements, needs \(count) x \(size) ranks")
        }
        let bytes = try cByteCount(T.self, count, "MPI_Scatter")
        return try filled(count, "MPI_Scatter", "root \(root)") { out in
            values.withUnsafeBytes { MPI_Scatter($0.baseAddress, bytes, cmpi_byte(), out, bytes, cmpi_byte(), Int32(root), handle) }
        }
    }

    /// Scatters blocks of different sizes: rank `i` gets `counts[i]` elements, the blocks
    /// laid out consecutively in the root's `values`.
    ///
    /// - Parameters:
    ///   - values: on the root, at least `counts.reduce(0, +)` elements; ignored elsewhere.
    ///   - counts: elements per rank, `size` entries, the same on every rank.
    ///   - root: the sending rank.
    /// - Returns: this rank's `counts[rank]` elements.
    /// - Throws: ``MPIError`` (class `MPI_ERR_COUNT` if `counts` does not have `size` entries).
    /// Source: MPI 3.1 §5.6, `MPI_Scatterv`.
    public func scatter<T: BitwiseCopyable>(_ values: [T], counts: [Int], root: Int) throws(MPIError) -> [T] {
        let layout = try BlockLayout(T.self, counts: counts, size: size, "MPI_Scatterv")
        if rank == root, values.count < layout.total {
            throw MPIError(.count, routine: "MPI_Scatterv", context: "root has \(values.count) elements, counts need \(layout.total)")
        }
        let mine = counts[rank]
        let bytes = layout.byteCounts[rank]
        return try filled(mine, "MPI_Scatterv", "root \(root)") { out in
            values.withUnsafeBytes {
                MPI_Scatterv($0.baseAddress, layout.byteCounts, layout.displacements, cmpi_byte(),
                             out, bytes, cmpi_byte(), Int32(root), handle)
            }
        }
    }

    /// Collects every rank's `values` (the same count on each) on the root, in rank order.
    ///
    /// - Returns: on the root, `values.count * size` elements; elsewhere `[]`.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §5.5, `MPI_Gather`.
    public func gather<T: BitwiseCopyable>(_ values: [T], root: Int) throws(MPIError) -> [T] {
        let bytes = try cByteCount(T.self, values.count, "MPI_Gather")
        let total = rank == root ? values.count * size : 0
        return try filled(total, "MPI_Gather", "root \(root)") { out in
            values.withUnsafeBytes { MPI_Gather($0.baseAddress, bytes, cmpi_byte(), out, bytes, cmpi_byte(), Int32(root), handle) }
        }
    }

    /// Collects blocks of different sizes on the root, in rank order. To learn the counts
    /// first, gather them: `gather([values.count], root:)`.
    ///
    /// - Parameters:
    ///   - values: this rank's block; its count must equal `counts[rank]`.
    ///   - counts: elements per rank, `size` entries; significant only on the root.
    /// - Returns: on the root, all blocks concatenated; elsewhere `[]`.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §5.5, `MPI_Gatherv`.
    public func gather<T: BitwiseCopyable>(_ values: [T], counts: [Int], root: Int) throws(MPIError) -> [T] {
        let bytes = try cByteCount(T.self, values.count, "MPI_Gatherv")
        let layout = rank == root ? try BlockLayout(T.self, counts: counts, size: size, "MPI_Gatherv") : nil
        return try filled(layout?.total ?? 0, "MPI_Gatherv", "root \(root)") { out in
            values.withUnsafeBytes {
                MPI_Gatherv($0.baseAddress, bytes, cmpi_byte(), out, layout?.byteCounts, layout?.displacements,
                            cmpi_byte(), Int32(root), handle)
            }
        }
    }

    /// Collects every rank's `values` (the same count on each) on every rank, in rank order.
    ///
    /// - Returns: `values.count * size` elements.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §5.7, `MPI_Allgather`.
    public func allGather<T: BitwiseCopyable>(_ values: [T]) throws(MPIError) -> [T] {
        let bytes = try cByteCount(T.self, values.count, "MPI_Allgather")
        return try filled(values.count * size, "MPI_Allgather", nil) { out in
            values.withUnsafeBytes { MPI_Allgather($0.baseAddress, bytes, cmpi_byte(), out, bytes, cmpi_byte(), handle) }
        }
    }

    /// Collects blocks of different sizes on every rank, in rank order. The counts can be
    /// learned first with `allGather([values.count])`.
    ///
    /// - Parameters:
    ///   - values: this rank's block; its count must equal `counts[rank]`.
    ///   - counts: elements per rank, `size` entries, the same on every rank.
    /// - Returns: all blocks concatenated.
    /// - Throws: ``MPIError``. Source: MPI 3.1 §5.7, `MPI_Allgatherv`.
    public func allGather<T: BitwiseCopyable>(_ values: [T], counts: [Int]) throws(MPIError) -> [T] {
        let bytes = try cByteCount(T.self, values.count, "MPI_Allgatherv")
        let layout = try BlockLayout(T.self, counts: counts, size: size, "MPI_Allgatherv")
        return try filled(layout.total, "MPI_Allgatherv", nil) { out in
            values.withUnsafeBytes {
                MPI_Allgatherv($0.baseAddress, bytes, cmpi_byte(), out, layout.byteCounts, layout.displacements, cmpi_byte(), handle)
            }
        }
    }

    /// Personalized all-to-all exchange: block `j` of this rank's `values` goes to rank `j`,
    /// and block `i` of the result came from rank `i`.
    ///
    /// - Parameter values: `size` blocks of equal count (`values.count` divisible by `size`).
    /// - Returns: `values.count` elements.
    /// - Throws: ``MPIError`` (class `MPI_ERR_COUNT` if `values.count` is not a multiple of `size`).
    /// Source: MPI 3.1 §5.8, `MPI_Alltoall`.
    public func allToAll<T: BitwiseCopyable>(_ values: [T]) throws(MPIError) -> [T] {
        guard values.count % size == 0 else {
            throw MPIError(.count, routine: "MPI_Alltoall", context: "\(values.count) elements do not split into \(size) equal blocks")
        }
        let bytes = try cByteCount(T.self, values.count / size, "MPI_Alltoall")
        return try filled(values.count, "MPI_Alltoall", nil) { out in
            values.withUnsafeBytes { MPI_Alltoall($0.baseAddress, bytes, cmpi_byte(), out, bytes, cmpi_byte(), handle) }
        }
    }

    /// Makes an array of `count` elements filled by a C call writing at the given address.
    func filled<T: BitwiseCopyable>(_ count: Int, _ routine: String, _ context: String?,
                                    _ call: (UnsafeMutableRawPointer?) -> Int32) throws(MPIError) -> [T] {
        var code: Int32 = 0
        let result = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            code = call(UnsafeMutableRawPointer(buffer.baseAddress))
            initialized = count
        }
        try check(code, routine, context: [context, "communicator size \(size)"].compactMap { $0 }.joined(separator: ", "))
        return result
    }
}

/// Per-rank byte counts and displacements for the `v` collectives, blocks laid out consecutively.
struct BlockLayout {
    let byteCounts: [Int32]
    let displacements: [Int32]
    let total: Int

    init<T>(_ type: T.Type, counts: [Int], size: Int, _ routine: String) throws(MPIError) {
        guard counts.count == size else {
            throw MPIError(.count, routine: routine, context: "counts has \(counts.count) entries, communicator size is \(size)")
        }
        var byteCounts: [Int32] = []
        var displacements: [Int32] = []
        var offset = 0
        for count in counts {
            byteCounts.append(try cByteCount(T.self, count, routine))
            displacements.append(try cCount(offset * MemoryLayout<T>.stride, routine, "displacement"))
            offset += count
        }
        self.byteCounts = byteCounts
        self.displacements = displacements
        self.total = offset
    }
}
