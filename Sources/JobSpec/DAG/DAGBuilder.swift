/// Accumulates nodes and edges while ``DAGParser`` reads a DAG file and its splices, then
/// checks the whole graph. Declarations of one file are read before its other statements.
final class DAGBuilder {
    let workingDirectory: String?
    let checkSubmitFiles: Bool
    var nodes: [DAGNode] = []
    var index: [String: Int32] = [:]
    var edges: [(parent: Int, child: Int)] = []
    /// For each edge, the `PARENT` line that made it (to name the line of a cycle).
    var edgeStatements: [Int32] = []
    var statementLocations: [SourceLocation] = []
    var categoryLimits: [String: Int] = [:]
    var dotFile: String?
    var statusFile: DAGStatusFileSetting?
    var warnings: [JobSpecError] = []
    /// DAG files being read, outermost first, to reject a splice that includes itself.
    var openFiles: [String] = []

    init(workingDirectory: String?, checkSubmitFiles: Bool) {
        self.workingDirectory = workingDirectory
        self.checkSubmitFiles = checkSubmitFiles
    }

    /// Reads one DAG file's text in `scope` and returns the ends of the graph it added.
    func parseScope(text: String, file: String, scope initialScope: DAGScope) throws(JobSpecError) -> DAGSpliceEnds {
        if openFiles.contains(file) {
            throw JobSpecError("splices include each other in a loop: " + (openFiles + [file]).joined(separator: " -> "),
                               file: file)
        }
        openFiles.append(file)
        defer { openFiles.removeLast() }
        var scope = initialScope
        let firstNode = nodes.count
        let firstEdge = edges.count
        let lines = try expandIncludes(DAGLine.statements(of: text, file: file), scope: scope)
        for line in lines where DAGBuilder.declarationKeywords.contains(line.keyword) {
            try declare(line, in: &scope)
        }
        for line in lines where !DAGBuilder.declarationKeywords.contains(line.keyword) {
            try apply(line, in: scope)
        }
        return ends(nodes: firstNode..<nodes.count, edges: firstEdge..<edges.count)
    }

    static let declarationKeywords: Set<String> = ["JOB", "FINAL", "SPLICE"]

    /// Replaces each `INCLUDE file` line by the statements of `file`, recursively.
    private func expandIncludes(_ lines: [DAGLine], scope: DAGScope) throws(JobSpecError) -> [DAGLine] {
        guard lines.contains(where: { $0.keyword == "INCLUDE" }) else { return lines }
        var result: [DAGLine] = []
        for line in lines {
            guard line.keyword == "INCLUDE" else { result.append(line); continue }
            guard line.words.count == 2 else {
                throw line.error("expected INCLUDE filename", atWord: min(line.words.count, 2))
            }
            let path = DAGPaths.join(scope.directory, line.words[1].text)
            if openFiles.contains(path) {
                throw line.error("INCLUDE of \(path) includes itself", atWord: 1)
            }
            let text = try DAGPaths.read(DAGPaths.join(workingDirectory, path), displayName: path,
                                         what: "included DAG file", referencedAt: line.location(ofWord: 1))
            openFiles.append(path)
            defer { openFiles.removeLast() }
            result += try expandIncludes(DAGLine.statements(of: text, file: path), scope: scope)
        }
        return result
    }

    /// Initial and terminal nodes among `nodes`, judged by the edges made while reading them.
    private func ends(nodes range: Range<Int>, edges edgeRange: Range<Int>) -> DAGSpliceEnds {
        var hasParent = [Bool](repeating: false, count: range.count)
        var hasChild = [Bool](repeating: false, count: range.count)
        for edge in edges[edgeRange] {
            hasChild[edge.parent - range.lowerBound] = true
            hasParent[edge.child - range.lowerBound] = true
        }
        var ends = DAGSpliceEnds(initial: [], terminal: [])
        for node in range where !nodes[node].isFinal {
            if !hasParent[node - range.lowerBound] { ends.initial.append(node) }
            if !hasChild[node - range.lowerBound] { ends.terminal.append(node) }
        }
        return ends
    }

    /// Checks the assembled graph for cycles and returns the ``DAG``.
    func build(file: String) throws(JobSpecError) -> DAG {
        let dag = DAG(file: file, nodes: nodes, edges: edges, categoryLimits: categoryLimits,
                      dotFile: dotFile, statusFile: statusFile, warnings: warnings)
        if case .failure(let cycle) = dag.topologicalOrderOrCycle() {
            throw JobSpecError(cycle.description, at: cycleLocation(cycle, dag: dag) ?? SourceLocation(file: file, line: 0))
        }
        return dag
    }

    /// The `PARENT` line that closes the cycle (last node -> first node).
    private func cycleLocation(_ cycle: DAGCycle, dag: DAG) -> SourceLocation? {
        guard let first = cycle.nodes.first.flatMap(dag.node(named:)),
              let last = cycle.nodes.last.flatMap(dag.node(named:)),
              let edge = edges.firstIndex(where: { $0.parent == last && $0.child == first })
        else { return nil }
        return statementLocations[Int(edgeStatements[edge])]
    }
}
