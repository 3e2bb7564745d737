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
    /// Nodes whose submit file did not exist when declared, with the error to give unless
    /// the node has a PRE script (which may make the file, as DAGMan allows).
    var missingSubmitFiles: [(node: Int, error: JobSpecError)] = []
    /// The `PIN_IN`/`PIN_OUT` lines of each DAG file being read, innermost last.
    var pinStack: [(pinsIn: [Int: [Int]], pinsOut: [Int: [Int]])] = []
    /// Submit descriptions written in the DAG files, by name (``DAGInlineDescriptions``).
    var descriptions: [String: String] = [:]
    /// DAG files being read (splices and includes), outermost first, as named and as
    /// ``DAGPaths/canonical(_:)`` paths: a file that splices or includes itself is refused,
    /// however the loop is spelled (`SPLICE S self.dag DIR sub/..` would otherwise nest, each
    /// time with a longer path, until the stack or the memory ran out).
    var openFiles: [(name: String, canonical: String)] = []

    init(workingDirectory: String?, checkSubmitFiles: Bool) {
        self.workingDirectory = workingDirectory
        self.checkSubmitFiles = checkSubmitFiles
    }

    /// Reads one DAG file's text in `scope` and returns the ends of the graph it added.
    func parseScope(text: String, file: String, scope initialScope: DAGScope) throws(JobSpecError) -> DAGSpliceEnds {
        let canonical = DAGPaths.canonical(DAGPaths.join(workingDirectory, file))
        if isOpen(canonical) {
            throw JobSpecError("splices include each other in a loop: "
                               + (openFiles.map(\.name) + [file]).joined(separator: " -> "), file: file)
        }
        openFiles.append((file, canonical))
        defer { openFiles.removeLast() }
        var scope = initialScope
        let firstNode = nodes.count
        let firstEdge = edges.count
        var includes: [String: String] = [:]
        let (text, inline) = try DAGInlineDescriptions.extract(text, file: file)
        descriptions.merge(inline) { $1 }
        // Declarations first, so other statements may name nodes declared further down.
        try forEachStatement(text, file: file, scope: scope, includes: &includes) { (text, number, file) throws(JobSpecError) in
            guard DAGBuilder.isDeclaration(DAGLine.keyword(of: text)) else { return }
            try declare(DAGLine(file: file, number: number, text: text), in: &scope)
        }
        pinStack.append(([:], [:]))
        try forEachStatement(text, file: file, scope: scope, includes: &includes) { (text, number, file) throws(JobSpecError) in
            guard !DAGBuilder.isDeclaration(DAGLine.keyword(of: text)) else { return }
            try apply(DAGLine(file: file, number: number, text: text), in: scope)
        }
        var result = ends(nodes: firstNode..<nodes.count, edges: firstEdge..<edges.count)
        let pins = pinStack.removeLast()
        result.pinsIn = pins.pinsIn
        result.pinsOut = pins.pinsOut
        return result
    }

    /// `JOB`, `FINAL`, `SUBDAG` and `SPLICE` create nodes and are read in the first pass.
    static func isDeclaration(_ keyword: String) -> Bool {
        keyword == "JOB" || keyword == "FINAL" || keyword == "SPLICE" || keyword == "SUBDAG"
    }

    /// Calls `body` with each statement line (text, number, file) of `text`, reading the
    /// lines of an `INCLUDE file` statement where it stands. Included texts are read once and
    /// kept in `includes` for the second pass.
    private func forEachStatement(_ text: String, file: String, scope: DAGScope, includes: inout [String: String],
                                  _ body: (Substring, Int, String) throws(JobSpecError) -> Void) throws(JobSpecError) {
        try DAGLine.forEachStatement(of: text) { (line, number) throws(JobSpecError) in
            guard DAGLine.keyword(of: line) == "INCLUDE" else { return try body(line, number, file) }
            let include = DAGLine(file: file, number: number, text: line)
            guard include.words.count == 2 else {
                throw include.error("expected INCLUDE filename", atWord: min(include.words.count, 2))
            }
            let path = DAGPaths.join(scope.directory, include.words[1].text)
            let canonical = DAGPaths.canonical(DAGPaths.join(workingDirectory, path))
            if isOpen(canonical) { throw include.error("INCLUDE of \(path) includes itself", atWord: 1) }
            if includes[path] == nil {
                let read = try DAGPaths.read(DAGPaths.join(workingDirectory, path), displayName: path,
                                             what: "included DAG file", referencedAt: include.location(ofWord: 1))
                let (text, inline) = try DAGInlineDescriptions.extract(read, file: path)
                descriptions.merge(inline) { $1 }
                includes[path] = text
            }
            openFiles.append((path, canonical))
            defer { openFiles.removeLast() }
            try forEachStatement(includes[path]!, file: path, scope: scope, includes: &includes, body)
        }
    }

    /// Whether the file at `canonical` is being read already.
    private func isOpen(_ canonical: String) -> Bool {
        openFiles.contains { $0.canonical == canonical }
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
        if let missing = missingSubmitFiles.first(where: {
            nodes[$0.node].preScript == nil && descriptions[nodes[$0.node].submitFile] == nil
        }) { throw missing.error }
        var dag = DAG(file: file, nodes: nodes, index: index, edges: edges, categoryLimits: categoryLimits,
                      dotFile: dotFile, statusFile: statusFile, warnings: warnings)
        dag.submitDescriptions = descriptions
        if case .failure(let cycle) = dag.topologicalOrderOrCycle() {
            let error = JobSpecError(cycle.description, at: cycleLocation(cycle, dag: dag) ?? SourceLocation(file: file, line: 0))
            guard dag.finalNode != nil else { throw error }
            // DAGMan finds the cycle when it starts, runs the FINAL node with DAG_STATUS 5
            // (a cycle) and fails.
            dag.cycle = error
            dag.warnings.append(JobSpecError(error.message + "; only the FINAL node runs (DAG_STATUS 5), and the DAG "
                                             + "fails, as under DAGMan", at: error.location))
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
