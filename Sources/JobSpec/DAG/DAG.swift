/// A parsed DAGMan DAG: nodes, `PARENT ... CHILD` edges, category throttles, the FINAL node
/// and the output files it asks for.
///
/// Built by ``DAGParser``; node indices are positions in ``nodes`` (declaration order, splices
/// expanded where their `SPLICE` line stands). Edges never touch the FINAL node, which runs
/// after every other node has ended.
///
/// Source: HTCondor manual, DAGMan Workflows ("DAGMan Quick Reference").
public struct DAG: Sendable, Equatable {
    /// The DAG file as the user named it.
    public let file: String
    /// Every node, the FINAL node included.
    public var nodes: [DAGNode]
    /// Node index by fully scoped name.
    public let index: [String: Int32]
    /// Children of each node.
    public let children: DAGAdjacency
    /// Parents of each node.
    public let parents: DAGAdjacency
    /// `MAXJOBS cat N`: at most N nodes of category `cat` active at once, by scoped category name.
    public var categoryLimits: [String: Int]
    /// The FINAL node's index, if any.
    public let finalNode: Int?
    /// `DOT file`: where to write the graph for Graphviz.
    public var dotFile: String?
    /// `NODE_STATUS_FILE file [seconds]`.
    public var statusFile: DAGStatusFileSetting?
    /// Lines that were accepted with a warning (HTCondor-only keywords), with their locations.
    public var warnings: [JobSpecError]
    /// A cycle found when a DAG with a FINAL node was read: as DAGMan does, nothing but the
    /// FINAL node runs, with `DAG_STATUS` 5, and the DAG fails. (Without a FINAL node a
    /// cycle is an error when the DAG is read.)
    public var cycle: JobSpecError?
    /// Submit descriptions written in the DAG file (`JOB name { ... }`, `SUBMIT-DESCRIPTION
    /// name { ... }`), by the name a node's submit file gives; they win over files.
    public var submitDescriptions: [String: String] = [:]
    /// The number of the rescue file applied to it (`FILE.dag.rescueNNN`, by
    /// ``DAGRescue/load(dagFile:workingDirectory:rescueFrom:autorescue:checkSubmitFiles:)``),
    /// or `nil` when none was: its `DONE` nodes run no procs, so it decides the tasks' positions.
    public var rescueNumber: Int?

    /// Assembles a DAG from nodes and `(parent, child)` index pairs; duplicate edges are merged.
    public init(file: String, nodes: [DAGNode], edges: [(parent: Int, child: Int)],
                categoryLimits: [String: Int] = [:], dotFile: String? = nil,
                statusFile: DAGStatusFileSetting? = nil, warnings: [JobSpecError] = []) {
        var index = [String: Int32](minimumCapacity: nodes.count)
        for (i, node) in nodes.enumerated() { index[node.name] = Int32(i) }
        self.init(file: file, nodes: nodes, index: index, edges: edges, categoryLimits: categoryLimits,
                  dotFile: dotFile, statusFile: statusFile, warnings: warnings)
    }

    /// Assembles a DAG whose name index the parser already built.
    init(file: String, nodes: [DAGNode], index: [String: Int32], edges: [(parent: Int, child: Int)],
         categoryLimits: [String: Int], dotFile: String?, statusFile: DAGStatusFileSetting?, warnings: [JobSpecError]) {
        self.file = file
        self.nodes = nodes
        self.index = index
        self.finalNode = nodes.firstIndex(where: \.isFinal)
        // Pack each edge into one UInt64 so sorting and de-duplicating a million edges is one
        // cheap sort of plain integers.
        var forward = edges.map { UInt64($0.parent) << 32 | UInt64($0.child) }
        forward.sort()
        var unique: [(Int32, Int32)] = []
        unique.reserveCapacity(forward.count)
        var previous: UInt64? = nil
        for packed in forward where packed != previous {
            unique.append((Int32(truncatingIfNeeded: packed >> 32), Int32(truncatingIfNeeded: packed)))
            previous = packed
        }
        self.children = DAGAdjacency(nodeCount: nodes.count, sortedPairs: unique)
        var backward = unique.map { UInt64(UInt32($0.1)) << 32 | UInt64(UInt32($0.0)) }
        backward.sort()
        self.parents = DAGAdjacency(nodeCount: nodes.count, sortedPairs: backward.map {
            (Int32(truncatingIfNeeded: $0 >> 32), Int32(truncatingIfNeeded: $0))
        })
        self.categoryLimits = categoryLimits
        self.dotFile = dotFile
        self.statusFile = statusFile
        self.warnings = warnings
    }

    /// The number of distinct `PARENT -> CHILD` edges.
    public var edgeCount: Int { children.targets.count }

    /// The node index of `name`, or `nil`.
    public func node(named name: String) -> Int? { index[name].map(Int.init) }
}

/// `NODE_STATUS_FILE file [minimumUpdateTime] [ALWAYS-UPDATE]`.
///
/// Source: HTCondor manual, "Capturing the Status of Nodes in a File".
public struct DAGStatusFileSetting: Sendable, Equatable {
    /// The status file's path.
    public var path: String
    /// Minimum seconds between rewrites; DAGMan's default is 60. The file is always
    /// rewritten when the DAG ends.
    public var minimumUpdateSeconds: Int
    /// `ALWAYS-UPDATE`: rewrite even when no node changed state.
    public var alwaysUpdate: Bool

    /// A setting with DAGMan's defaults: 60 seconds, update only on change.
    public init(path: String, minimumUpdateSeconds: Int = 60, alwaysUpdate: Bool = false) {
        self.path = path
        self.minimumUpdateSeconds = minimumUpdateSeconds
        self.alwaysUpdate = alwaysUpdate
    }
}
