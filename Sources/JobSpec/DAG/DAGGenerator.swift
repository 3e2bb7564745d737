/// Generated DAG files for the scale benchmark and tests.
public enum DAGGenerator {
    /// A DAG of `nodeCount` nodes sharing one submit file: a root `R`, then a wide
    /// fan-out (`R` parent of `F0 ... F(w-1)`, in one `PARENT` line) and a long chain
    /// (`R -> C0 -> C1 -> ...`), half the remaining nodes each. The critical path is
    /// `1 + chain length` nodes.
    ///
    /// - Parameters:
    ///   - nodeCount: total nodes, at least 1.
    ///   - submitFile: the submit file every node names.
    public static func wideAndLong(nodeCount: Int, submitFile: String = "node.sub") -> String {
        let rest = max(0, nodeCount - 1)
        let width = rest / 2
        let chain = rest - width
        var text = "# generated: root, fan-out of \(width), chain of \(chain)\nJOB R \(submitFile)\n"
        text.reserveCapacity(nodeCount * 40)
        for i in 0..<width { text += "JOB F\(i) \(submitFile)\n" }
        for i in 0..<chain { text += "JOB C\(i) \(submitFile)\n" }
        if width > 0 {
            text += "PARENT R CHILD"
            for i in 0..<width { text += " F\(i)" }
            text += "\n"
        }
        if chain > 0 { text += "PARENT R CHILD C0\n" }
        for i in 1..<max(1, chain) { text += "PARENT C\(i - 1) CHILD C\(i)\n" }
        return text
    }
}
