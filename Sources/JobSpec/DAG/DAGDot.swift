/// The DAG as a Graphviz `digraph`: one statement per node, then one per edge, with node
/// states as labels and colours when a run is under way.
///
/// Source: HTCondor manual, "Visualizing DAGs with dot" (DAGMan writes `digraph DAG { ... }`
/// with quoted node names and `"parent" -> "child";` edges); Graphviz DOT language (quoted IDs).
public enum DAGDot {
    /// The DOT text for `dag`; `state`, when given, labels each node with its state.
    public static func render(_ dag: DAG, state: ((Int) -> DAGNodeState)? = nil) -> String {
        var text = "digraph DAG {\n    label=\(quote("DAG " + dag.file));\n\n"
        for node in dag.nodes.indices {
            let spec = dag.nodes[node]
            var attributes: [String] = []
            let shape = spec.isFinal ? "doubleoctagon" : spec.noop ? "box" : "ellipse"
            attributes.append("shape=\(shape)")
            if let state {
                let nodeState = state(node)
                attributes.append("label=\(quote("\(spec.name) (\(shortName(nodeState)))"))")
                attributes.append("style=filled fillcolor=\(color(nodeState))")
            } else {
                attributes.append("label=\(quote(spec.name))")
            }
            text += "    \(quote(spec.name)) [\(attributes.joined(separator: " "))];\n"
        }
        text += "\n"
        for node in dag.nodes.indices {
            for child in dag.children[node] {
                text += "    \(quote(dag.nodes[node].name)) -> \(quote(dag.nodes[Int(child)].name));\n"
            }
        }
        return text + "}\n"
    }

    /// A DOT quoted ID: `"` and `\` escaped.
    static func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func shortName(_ state: DAGNodeState) -> String {
        switch state {
        case .notReady: return "waiting"
        case .ready: return "ready"
        case .preRun: return "pre"
        case .running: return "running"
        case .postRun: return "post"
        case .done: return "done"
        case .failed: return "failed"
        case .futile: return "futile"
        }
    }

    private static func color(_ state: DAGNodeState) -> String {
        switch state {
        case .notReady, .ready: return "white"
        case .preRun, .running, .postRun: return "lightblue"
        case .done: return "palegreen"
        case .failed: return "salmon"
        case .futile: return "lightgray"
        }
    }
}
