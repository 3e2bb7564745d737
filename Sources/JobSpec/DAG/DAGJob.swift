import Foundation

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

    /// Re-reads nodes' submit files when they start; `nil` when the job was built without.
    private let late: DAGLateExpansion?
    /// Nodes whose submit file could not be read at load and that have a PRE script, which
    /// may make it: read again when the node starts.
    private let deferredNodes: Set<Int>
    /// Problems that did not stop the load (submit files left for their PRE script).
    private let loadWarnings: [JobSpecError]

    /// Expands every node of `dag` with `expand`.
    ///
    /// Each node's submit file gets DAGMan's macros besides its `VARS`: `JOB` (the node
    /// name), `RETRY` (0), `DAG_PARENT_NAMES` (its parents, comma-separated), `DAG_STATUS`
    /// and `FAILED_COUNT` (0 at load; with `late`, the values when the node starts).
    ///
    /// - Parameters:
    ///   - name: the job name; the DAG file's base name without extension by default.
    ///   - late: re-reads a node's submit file when it starts, as DAGMan reads it only when
    ///     it submits the node: for a node started after a failure (its `DAG_STATUS` and
    ///     `FAILED_COUNT` macros then hold the current values), and for a node with a PRE
    ///     script whose submit file cannot be read at load (the PRE script may make it; it
    ///     must then queue one proc).
    /// - Throws: ``JobSpecError`` from `expand` (naming the submit file and line), or for a cycle.
    ///   - subDAGCommand: the command that runs a `SUBDAG EXTERNAL` node's DAG file (given
    ///     as its last argument), such as `taskfarm run --format dag`; each such node gets
    ///     one proc running it on rank 0 (HTCondor's scheduler universe, as DAGMan runs a
    ///     nested DAGMan), from the node's directory, writing `FILE.taskfarm.out` there. The
    ///     nested DAG keeps its own state folder and rescue files, so a RETRY of the node
    ///     resumes it from its rescue file, as DAGMan's nested DAGs do. `nil` refuses such nodes.
    public init(dag: DAG, name: String? = nil, late: DAGLateExpansion? = nil, subDAGCommand: [String]? = nil,
                expand: DAGNodeExpander) throws(JobSpecError) {
        self.dag = dag
        self.name = name ?? TaskList.defaultName(for: dag.file)
        self.late = late
        // With a cycle only the FINAL node runs: the others keep declaration order.
        let order = dag.cycle == nil ? try dag.topologicalOrder()
            : dag.nodes.indices.filter { $0 != dag.finalNode } + [dag.finalNode].compactMap { $0 }
        self.order = order
        var tasks: [TaskSpec] = []
        var firstPosition = [Int](repeating: 0, count: dag.nodes.count)
        var procCounts = [Int32](repeating: 0, count: dag.nodes.count)
        var nodeOfPosition: [Int32] = []
        var deferredNodes = Set<Int>()
        var loadWarnings: [JobSpecError] = []
        for node in order {
            let spec = dag.nodes[node]
            firstPosition[node] = tasks.count
            if spec.noop || spec.done { continue }
            var procs: [TaskSpec]
            do throws(JobSpecError) {
                if spec.isSubDAG {
                    guard let subDAGCommand else {
                        throw JobSpecError("SUBDAG EXTERNAL node \(spec.name) cannot run here; use SPLICE to include the "
                                           + "DAG", at: spec.source)
                    }
                    let output = OutputPattern.literal(spec.submitFile + ".taskfarm.out")
                    procs = [TaskSpec(position: 0, arrayIndex: 0, command: .argv(subDAGCommand + [spec.submitFile]),
                                      stdout: output, stderr: output, source: spec.source,
                                      label: "SUBDAG EXTERNAL \(spec.submitFile)",
                                      attributes: [SubmitDescription.universeAttribute: "scheduler"])]
                } else {
                    procs = try expand(spec.submitFile, spec.directory, Self.macros(of: node, in: dag), spec.name)
                }
            } catch {
                guard late != nil, spec.preScript != nil else { throw error }
                // DAGMan reads a node's submit file only when it submits the node, after its
                // PRE script, which may write the file.
                deferredNodes.insert(node)
                loadWarnings.append(JobSpecError("\(error.message); it is read again after the "
                                                 + "node's PRE script", at: spec.source))
                procs = [Self.unrunnable(error.message, source: spec.source)]
            }
            procCounts[node] = Int32(procs.count)
            for task in procs {
                tasks.append(Self.finish(task, position: tasks.count, spec: spec))
                nodeOfPosition.append(Int32(node))
            }
        }
        self.tasks = tasks
        self.firstPosition = firstPosition
        self.procCounts = procCounts
        self.nodeOfPosition = nodeOfPosition
        self.deferredNodes = deferredNodes
        self.loadWarnings = loadWarnings
    }

    /// DAGMan's macros for `node`'s submit file, over its `VARS`.
    static func macros(of node: Int, in dag: DAG, dagStatus: Int = 0, failedCount: Int = 0) -> [String: String] {
        let spec = dag.nodes[node]
        var vars = spec.vars
        if vars["JOB"] == nil { vars["JOB"] = spec.name }
        if vars["RETRY"] == nil { vars["RETRY"] = "0" }
        vars["DAG_PARENT_NAMES"] = dag.parents[node].map { dag.nodes[Int($0)].name }.joined(separator: ",")
        vars["DAG_STATUS"] = String(dagStatus)
        vars["FAILED_COUNT"] = String(failedCount)
        return vars
    }

    /// A proc as the DAG runs it: at `position`, retried per node, labelled with the node.
    static func finish(_ proc: TaskSpec, position: Int, spec: DAGNode) -> TaskSpec {
        var task = proc
        task.position = position
        task.maxRetries = 0
        task.label = "\(spec.name): \(task.label)"
        if task.workingDirectory == nil { task.workingDirectory = spec.directory }
        return task
    }

    /// A proc that must not start, saying why (``MachinePlacement/failureAttribute``).
    static func unrunnable(_ reason: String, source: SourceLocation) -> TaskSpec {
        TaskSpec(position: 0, arrayIndex: 0, command: .argv(["/bin/false"]), source: source,
                 attributes: [MachinePlacement.failureAttribute: reason])
    }

    /// Re-reads `node`'s submit file as it starts, when that can change its procs: after a
    /// failure (`dagStatus` or `failedCount` not 0) or when it was left for its PRE script.
    /// A file that cannot be read, or that now queues a different number of procs, makes
    /// the node's procs fail to start, saying why. Nothing happens without `late`.
    public func prepareToStart(node: Int, dagStatus: Int, failedCount: Int) {
        guard let late, deferredNodes.contains(node) || dagStatus != 0 || failedCount != 0 else { return }
        let spec = dag.nodes[node]
        let range = positions(of: node)
        var replacement: [TaskSpec]
        do {
            let procs = try late.expand(spec.submitFile, spec.directory,
                                        Self.macros(of: node, in: dag, dagStatus: dagStatus, failedCount: failedCount),
                                        spec.name)
            if procs.count == range.count {
                replacement = procs
            } else {
                let reason = "node \(spec.name): its submit file now queues \(procs.count) procs, but \(range.count) "
                    + "\(range.count == 1 ? "was" : "were") laid out when the DAG was read; a submit file made by a "
                    + "PRE script must queue one proc"
                replacement = Array(repeating: Self.unrunnable(reason, source: spec.source), count: range.count)
            }
        } catch {
            replacement = Array(repeating: Self.unrunnable("node \(spec.name): \(error.message)", source: spec.source),
                                count: range.count)
        }
        late.replace(zip(range, replacement).map { (position: $0, task: Self.finish($1, position: $0, spec: spec)) })
    }

    /// The DAG file as the user named it.
    public var file: String { dag.file }
    /// All procs of all nodes.
    public var taskCount: Int { tasks.count }
    /// The parser's warnings (ignored HTCondor-only lines), and submit files left for their
    /// node's PRE script.
    public var warnings: [JobSpecError] { dag.warnings + loadWarnings }
    /// The proc at `position` (as re-read when its node started, if it was).
    public func task(at position: Int) -> TaskSpec {
        if let late, let replaced = late.task(at: position) { return replaced }
        return tasks[position]
    }

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

/// Re-reads DAG nodes' submit files when they start (see ``DAGJob/prepareToStart(node:dagStatus:failedCount:)``),
/// holding the procs so made. Rank 0's scheduler and DAG driver share it.
public final class DAGLateExpansion: @unchecked Sendable {
    /// ``DAGNodeExpander``, callable from any thread.
    public typealias Expander = @Sendable (_ submitFile: String, _ directory: String?, _ vars: [String: String],
                                           _ nodeName: String) throws(JobSpecError) -> [TaskSpec]

    let expand: Expander
    private let lock = NSLock()
    private var replaced: [Int: TaskSpec] = [:]

    /// Re-reads with `expand`.
    public init(expand: @escaping Expander) {
        self.expand = expand
    }

    func task(at position: Int) -> TaskSpec? {
        lock.lock()
        defer { lock.unlock() }
        return replaced.isEmpty ? nil : replaced[position]
    }

    func replace(_ tasks: [(position: Int, task: TaskSpec)]) {
        lock.lock()
        defer { lock.unlock() }
        for (position, task) in tasks { replaced[position] = task }
    }
}
