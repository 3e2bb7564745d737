/// One direction of a DAG's edges in compressed sparse row form: the neighbours of node `n`
/// are `targets[offsets[n] ..< offsets[n + 1]]`.
///
/// Two `Int32` arrays instead of an array per node keep a million-node DAG at 4 bytes per
/// edge plus 4 per node, with no per-node allocation.
public struct DAGAdjacency: Sendable, Equatable {
    /// `nodeCount + 1` offsets into ``targets``.
    public let offsets: [Int32]
    /// Neighbour node indices, grouped by node, in ascending order within a group.
    public let targets: [Int32]

    /// Builds the rows from `(from, to)` pairs already sorted by `from` then `to`, without
    /// duplicates.
    init(nodeCount: Int, sortedPairs: [(Int32, Int32)]) {
        var offsets = [Int32](repeating: 0, count: nodeCount + 1)
        for (from, _) in sortedPairs { offsets[Int(from) + 1] += 1 }
        for i in 0..<nodeCount { offsets[i + 1] += offsets[i] }
        self.offsets = offsets
        self.targets = sortedPairs.map { $0.1 }
    }

    /// The neighbours of `node`.
    public subscript(node: Int) -> ArraySlice<Int32> {
        targets[Int(offsets[node]) ..< Int(offsets[node + 1])]
    }

    /// How many neighbours `node` has.
    public func count(of node: Int) -> Int { Int(offsets[node + 1] - offsets[node]) }
}
