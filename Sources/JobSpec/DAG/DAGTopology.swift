/// Graph orderings of a ``DAG``: a topological order, the cycle that prevents one, and the
/// critical path. Each is linear in nodes plus edges and iterative, so a million-node chain
/// does not recurse a million deep.
extension DAG {
    /// The non-FINAL nodes with every parent before its children (Kahn's algorithm, ties in
    /// declaration order), then the FINAL node last; or the nodes of one cycle when the graph
    /// has one.
    public func topologicalOrderOrCycle() -> Result<[Int], DAGCycle> {
        let count = nodes.count
        var waiting = [Int32](repeating: 0, count: count)
        for node in 0..<count { waiting[node] = Int32(parents.count(of: node)) }
        var order: [Int] = []
        order.reserveCapacity(count)
        for node in 0..<count where waiting[node] == 0 && node != finalNode { order.append(node) }
        var head = 0
        while head < order.count {
            let node = order[head]
            head += 1
            for child in children[node] {
                waiting[Int(child)] -= 1
                if waiting[Int(child)] == 0 { order.append(Int(child)) }
            }
        }
        let expected = count - (finalNode == nil ? 0 : 1)
        if order.count < expected {
            return .failure(DAGCycle(nodes: cycle(among: waiting).map { nodes[$0].name }))
        }
        if let finalNode { order.append(finalNode) }
        return .success(order)
    }

    /// A topological order (see ``topologicalOrderOrCycle()``).
    ///
    /// - Throws: ``JobSpecError`` naming the DAG file and the nodes of a cycle.
    public func topologicalOrder() throws(JobSpecError) -> [Int] {
        switch topologicalOrderOrCycle() {
        case .success(let order): return order
        case .failure(let cycle): throw JobSpecError(cycle.description, file: file)
        }
    }

    /// Walks backwards from a node Kahn's algorithm could not release: every such node has an
    /// unreleased parent, so the walk must revisit a node, and the revisited stretch is a cycle.
    private func cycle(among waiting: [Int32]) -> [Int] {
        guard let start = waiting.indices.first(where: { waiting[$0] > 0 }) else { return [] }
        var stepOfNode: [Int: Int] = [:]
        var path: [Int] = []
        var node = start
        while stepOfNode[node] == nil {
            stepOfNode[node] = path.count
            path.append(node)
            node = Int(parents[node].first { waiting[Int($0)] > 0 }!)
        }
        // The path follows parent links, so reverse it to read parent -> child.
        return Array(path[stepOfNode[node]!...].reversed())
    }

    /// The number of nodes on the longest `PARENT -> CHILD` chain, counting the FINAL node,
    /// which runs after everything else. 0 for an empty DAG.
    ///
    /// - Throws: ``JobSpecError`` when the graph has a cycle.
    public func criticalPathLength() throws(JobSpecError) -> Int {
        let order = try topologicalOrder()
        var depth = [Int32](repeating: 1, count: nodes.count)
        var longest: Int32 = 0
        for node in order where node != finalNode {
            for child in children[node] { depth[Int(child)] = max(depth[Int(child)], depth[node] + 1) }
            longest = max(longest, depth[node])
        }
        return Int(longest) + (finalNode == nil ? 0 : 1)
    }
}

/// A cycle among `PARENT -> CHILD` edges, which DAGMan rejects before running anything.
public struct DAGCycle: Error, Sendable, Equatable, CustomStringConvertible {
    /// The node names around the cycle, each a parent of the next and the last a parent of
    /// the first.
    public var nodes: [String]

    /// The message for people: the cycle, closed on its first node.
    public var description: String {
        "the PARENT/CHILD edges form a cycle: " + (nodes + nodes.prefix(1)).joined(separator: " -> ")
            + "; expected a DAG without cycles"
    }
}
