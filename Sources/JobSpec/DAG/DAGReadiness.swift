/// Which nodes may start: a count of unfinished parents per node. Completing a node
/// decrements its children's counts and returns those that reach zero, so the cost of a
/// completion is its number of children: O(1) amortised per edge, never a scan over all nodes.
///
/// The same bookkeeping DAGMan keeps per node (its "waiting" count), without its per-node
/// parent lists.
public struct DAGReadiness: Sendable {
    private let children: DAGAdjacency
    /// Parents not yet completed, per node.
    public private(set) var unfinishedParents: [Int32]

    /// Starts with every node waiting for all of its parents.
    public init(_ dag: DAG) {
        children = dag.children
        unfinishedParents = (0..<dag.nodes.count).map { Int32(dag.parents.count(of: $0)) }
    }

    /// Whether `node` has no unfinished parent.
    public func isReady(_ node: Int) -> Bool { unfinishedParents[node] == 0 }

    /// Records that one parent of `child` completed; returns whether `child` has no unfinished
    /// parent left. Callers walk the completed node's children themselves.
    public mutating func parentCompleted(of child: Int) -> Bool {
        unfinishedParents[child] -= 1
        return unfinishedParents[child] == 0
    }

    /// Records that `node` completed successfully and calls `released` with each child that
    /// now has no unfinished parent.
    public mutating func complete(_ node: Int, released: (Int) -> Void) {
        for child in children[node] {
            unfinishedParents[Int(child)] -= 1
            if unfinishedParents[Int(child)] == 0 { released(Int(child)) }
        }
    }

    /// Records that `node` completed and returns the children it released.
    public mutating func complete(_ node: Int) -> [Int] {
        var released: [Int] = []
        complete(node) { released.append($0) }
        return released
    }
}
