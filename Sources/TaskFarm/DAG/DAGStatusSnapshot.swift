import Foundation
import JobSpec

/// The state folder's `dag-status` file: a DAG run's nodes by state, for `taskfarm status`.
/// Plain `key: value` lines, rewritten whole through a rename:
///
///     dag: diamond.dag
///     status: running            (running, succeeded, failed, aborted or interrupted)
///     nodes: 4
///     count STATUS_DONE: 1       (one line per state, DAGMan's names)
///     node STATUS_ERROR: B	job exited with status 1
///
/// `node` lines name the nodes that are active or failed (at most ``listedPerState`` of each
/// state), with the reason after a tab.
public struct DAGStatusSnapshot: Sendable, Equatable {
    /// Nodes listed by name per state, at most.
    public static let listedPerState = 100

    /// The DAG file.
    public var dagFile: String
    /// `running`, `succeeded`, `failed`, `aborted` or `interrupted`.
    public var status: String
    /// Nodes in the DAG.
    public var nodeCount: Int
    /// Nodes by state.
    public var counts: [DAGNodeState: Int]
    /// Named nodes (active or failed) with their state and reason.
    public var nodes: [(name: String, state: DAGNodeState, details: String)]

    /// A snapshot of `state`; `interrupted` when the run stopped before the DAG ended.
    init(_ state: DAGRunState, interrupted: Bool = false) {
        dagFile = state.dag.file
        if let outcome = state.outcome {
            status = outcome.succeeded ? "succeeded" : outcome.aborted ? "aborted" : "failed"
        } else {
            status = interrupted ? "interrupted" : "running"
        }
        nodeCount = state.dag.nodes.count
        var counts: [DAGNodeState: Int] = [:]
        for node in DAGNodeState.allCases { counts[node] = state.stateCounts[node.rawValue] }
        self.counts = counts
        var listed: [DAGNodeState: Int] = [:]
        var nodes: [(name: String, state: DAGNodeState, details: String)] = []
        let shown: Set<DAGNodeState> = [.preRun, .running, .postRun, .failed]
        if shown.contains(where: { (counts[$0] ?? 0) > 0 }) {
            for node in state.dag.nodes.indices {
                let record = state.records[node]
                guard shown.contains(record.state), listed[record.state, default: 0] < Self.listedPerState else { continue }
                listed[record.state, default: 0] += 1
                nodes.append((state.dag.nodes[node].name, record.state, record.details))
            }
        }
        self.nodes = nodes
    }

    /// The file's text.
    var text: String {
        var lines = ["dag: \(dagFile)", "status: \(status)", "nodes: \(nodeCount)"]
        for state in DAGNodeState.allCases { lines.append("count \(state): \(counts[state] ?? 0)") }
        for node in nodes {
            lines.append("node \(node.state): \(node.name)\t\(node.details.replacingOccurrences(of: "\n", with: " "))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the file through `path.tmp` and a rename; a failure is ignored (the file is
    /// only a view of the run).
    func write(to path: String) {
        let temporary = path + ".tmp"
        guard (try? Data(text.utf8).write(to: URL(fileURLWithPath: temporary))) != nil else { return }
        _ = rename(temporary, path)
    }

    /// Reads `dag-status` at `path`, or `nil` when there is none or it is not one.
    public init?(contentsOf path: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var values: [String: String] = [:]
        var counts: [DAGNodeState: Int] = [:]
        var nodes: [(name: String, state: DAGNodeState, details: String)] = []
        let byName = Dictionary(uniqueKeysWithValues: DAGNodeState.allCases.map { ($0.description, $0) })
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            let value = String(line[line.index(after: colon)...].dropFirst(line[line.index(after: colon)...].hasPrefix(" ") ? 1 : 0))
            if key.hasPrefix("count "), let state = byName[String(key.dropFirst(6))] {
                counts[state] = Int(value) ?? 0
            } else if key.hasPrefix("node "), let state = byName[String(key.dropFirst(5))] {
                let parts = value.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
                nodes.append((String(parts[0]), state, parts.count > 1 ? String(parts[1]) : ""))
            } else {
                values[key] = value
            }
        }
        guard let dagFile = values["dag"], let status = values["status"] else { return nil }
        self.dagFile = dagFile
        self.status = status
        self.nodeCount = Int(values["nodes"] ?? "") ?? 0
        self.counts = counts
        self.nodes = nodes
    }

    /// Short state names for people, in the order shown.
    static let shownOrder: [(DAGNodeState, String)] = [
        (.done, "done"), (.failed, "failed"), (.futile, "futile"), (.preRun, "in PRE script"), (.running, "running"),
        (.postRun, "in POST script"), (.ready, "ready"), (.notReady, "waiting"),
    ]

    /// One line: the DAG's status and its nodes by state.
    public var summaryLine: String {
        "DAG \(dagFile) \(status): \(nodeCount) nodes: "
            + Self.shownOrder.map { "\(counts[$0.0] ?? 0) \($0.1)" }.joined(separator: ", ")
    }

    /// Snapshots are equal when their `dag-status` text is.
    public static func == (lhs: DAGStatusSnapshot, rhs: DAGStatusSnapshot) -> Bool {
        lhs.text == rhs.text
    }
}

extension DAGStatusSnapshot {
    /// The snapshot as a JSON object: `file`, `status`, `nodes`, `counts` by DAGMan state
    /// name, and `listed` (the named nodes with `name`, `state`, `details`).
    public var json: String {
        let countFields = DAGNodeState.allCases.map { "\(jsonString($0.description)): \(counts[$0] ?? 0)" }
        let listed = nodes.map {
            "{\"name\": \(jsonString($0.name)), \"state\": \(jsonString($0.state.description)), \"details\": \(jsonString($0.details))}"
        }
        return "{\"file\": \(jsonString(dagFile)), \"status\": \(jsonString(status)), \"nodes\": \(nodeCount), "
            + "\"counts\": {\(countFields.joined(separator: ", "))}, \"listed\": [\(listed.joined(separator: ", "))]}"
    }

    /// The DAG section of `taskfarm status`: the summary line, then the named nodes by state.
    public var reportLines: [String] {
        var lines = [summaryLine]
        for (state, title) in [(DAGNodeState.failed, "failed nodes:"), (.preRun, "nodes in their PRE script:"),
                               (.running, "running nodes:"), (.postRun, "nodes in their POST script:")] {
            let named = nodes.filter { $0.state == state }
            guard !named.isEmpty else { continue }
            lines.append(title)
            for node in named { lines.append("  \(node.name)" + (node.details.isEmpty ? "" : ": \(node.details)")) }
            if named.count < counts[state] ?? 0 { lines.append("  …") }
        }
        return lines
    }
}
