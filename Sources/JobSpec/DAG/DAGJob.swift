/// Expands one node's submit description into its procs.
///
/// Arguments: the submit file as written on the `JOB` line (relative to the directory), the
/// node's directory (`DIR`, relative to the DAG's working directory, or `nil`), the node's
/// macros (its `VARS` plus DAGMan's `JOB` = node name and `RETRY` = `0`), and the node name
/// (for messages). Returns the procs in `queue` order; their positions are reassigned.
public typealias DAGNodeExpander = (_ submitFile: String, _ directory: String?, _ vars: [String: String],
                                    _ nodeName: String) throws(JobSpecError) -> [TaskSpec]

/// A DAG expanded into tasks: each node's procs take consecutive positions, nodes in
/// topological order, so a parent's procs always come before its children's.
///
/// `prerequisites(of:)` gives the positions of the parents' procs (looking through parents
/// that run no procs, such as NOOP nodes), and the FINAL node's procs wait for every other
/// task. That ordering alone is enough for a scheduler that knows nothing of DAGs; the DAG
/// runtime drives ``DAGRunState`` with ``positions(of:)`` and ``node(ofPosition:)`` to apply
/// PRE/POST scripts, RETRY, ABORT-DAG-ON, CATEGORY limits, PRIORITY and futile descendants.
///
/// Each task's `maxRetries` is 0, because retries are per node (``DAGRunState``), and its label
/// starts with the node name. A task with no working directory of its own runs from the
/// node's `DIR`. `NOOP` and `DONE` nodes have no procs.
///
/// Source: HTCondor manual, DAGMan "Node Success/Failure" (a node succeeds when all the
/// procs of its cluster do).
public struct DAGJob: Job {
    /// The DAG the tasks came from.
    public let dag: DAG
    /// The job name (`%x`).
    public let name: String
    /// Every proc of every node, by position.
    public let tasks: [TaskSpec]
    /// Node indices in the order their procs were laid out.
    public let order: [Int]
    private let firstPosition: [Int]
    private let procCounts: [Int32]
    private let nodeOfPosition: [Int32]

    /// The DAG file as the user named it.
    public var file: String { dag.file }
    /// All procs of all nodes.
    public var taskCount: Int { tasks.count }

    /// Expands every node of `dag` with `expand`.
    ///
    /// - Parameters:
    ///   - name: the job name; the DAG file's base name without extension by default.
    /// - Throws: ``JobSpecError`` from `expand` (naming the submit file and line), or for a cycle.
    public init(dag: DAG, name: String? = nil, expand: DAGNodeExpander) throws(JobSpecError) {
        self.dag = dag
        self.name = name ?? TaskList.defaultName(for: dag.file)
        let order = try dag.topologicalOrder()
        self.order = order
        var tasks: [TaskSpec] = []
        var firstPosition = [Int](repeating: 0, count: dag.nodes.count)
        var procCounts = [Int32](repeating: 0, count: dag.nodes.count)
        var nodeOfPosition: [Int32] = []
        for node in order {
            let spec = dag.nodes[node]
            firstPosition[node] = tasks.count
            if spec.noop || spec.done { continue }
            var vars = spec.vars
            if vars["JOB"] == nil { vars["JOB"] = spec.name }
            if vars["RETRY"] == nil { vars["RETRY"] = "0" }
            let procs = try expand(spec.submitFile, spec.directory, vars, spec.name)
            procCounts[node] = Int32(procs.count)
            for var task in procs {
                task.position = tasks.count
                task.maxRetries = 0
                task.label = "\(spec.name): \(task.label)"
                if task.workingDirectory == nil { task.workingDirectory = spec.directory }
                tasks.append(task)
                nodeOfPosition.append(Int32(node))
            }
        }
        self.tasks = tasks
        self.firstPosition = firstPosition
        self.procCounts = procCounts
        self.nodeOfPosition = nodeOfPosition
    }

    /// The parser's warnings (ignored HTCondor-only lines).
    public var warnings: [JobSpecError] { dag.warnings }
    /// The proc at `position`.
    public func task(at position: Int) -> TaskSpec { tasks[position] }

    /// The task positions of `node`'s procs; empty for NOOP and DONE nodes.
    public func positions(of node: Int) -> Range<Int> {
        firstPosition[node] ..< firstPosition[node] + Int(procCounts[node])
    }

    /// The node whose proc is at `position`.
    public func node(ofPosition position: Int) -> Int { Int(nodeOfPosition[position]) }

    /// The positions of the procs of the node's parents, looking through parents without
    /// procs (NOOP) to their parents; every other task for the FINAL node. Sorted.
    public func prerequisites(of position: Int) -> [Int] {
        let node = self.node(ofPosition: position)
        if node == dag.finalNode {
            return (0..<taskCount).filter { nodeOfPosition[$0] != Int32(node) }
        }
        var result: [Int] = []
        var visited: Set<Int32> = []
        var pending = Array(dag.parents[node])
        while let parent = pending.popLast() {
            guard visited.insert(parent).inserted else { continue }
            let range = positions(of: Int(parent))
            if !range.isEmpty {
                result += range
            } else if !dag.nodes[Int(parent)].done {
                // A NOOP parent orders nothing by itself: wait for what it waits for.
                pending += dag.parents[Int(parent)]
            }
        }
        return result.sorted()
    }
}
