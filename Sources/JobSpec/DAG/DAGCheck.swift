/// The report of `taskfarm check FILE.dag`: the nodes in topological order with their
/// settings and expanded tasks, and the critical path length in nodes.
public enum DAGCheck {
    /// The report for `dag`; with `job`, each node's expanded tasks are listed under it.
    ///
    /// - Throws: ``JobSpecError`` when the DAG has a cycle.
    public static func render(_ dag: DAG, job: DAGJob? = nil) throws(JobSpecError) -> String {
        let order = try dag.topologicalOrder()
        var text = "DAG \(dag.file): \(dag.nodes.count) nodes, \(dag.edgeCount) edges, "
        text += "critical path \(try dag.criticalPathLength()) nodes"
        if let job { text += ", \(job.taskCount) tasks" }
        text += "\n"
        if !dag.categoryLimits.isEmpty {
            text += "categories: " + dag.categoryLimits.sorted { $0.key < $1.key }.map { "\($0.key) maxjobs \($0.value)" }
                .joined(separator: ", ") + "\n"
        }
        for node in order {
            let spec = dag.nodes[node]
            text += (spec.isFinal ? "FINAL " : "") + "\(spec.name)  \(DAGPaths.join(spec.directory, spec.submitFile))"
            let settings = self.settings(spec)
            if !settings.isEmpty { text += "  [" + settings.joined(separator: ", ") + "]" }
            let parents = dag.parents[node].map { dag.nodes[Int($0)].name }
            if !parents.isEmpty { text += "  after " + parents.joined(separator: " ") }
            text += "\n"
            guard let job else { continue }
            for position in job.positions(of: node) {
                text += "    task \(position): \(job.task(at: position).command.displayString)\n"
            }
        }
        return text
    }

    private static func settings(_ spec: DAGNode) -> [String] {
        var settings: [String] = []
        if spec.done { settings.append("DONE") }
        if spec.noop { settings.append("NOOP") }
        if spec.retries > 0 { settings.append("retry \(spec.retries)" + (spec.unlessExit.map { " unless-exit \($0)" } ?? "")) }
        if let pre = spec.preScript { settings.append("PRE " + pre.executable) }
        if let post = spec.postScript { settings.append("POST " + post.executable) }
        if let skip = spec.preSkip { settings.append("pre-skip \(skip)") }
        if spec.priority != 0 { settings.append("priority \(spec.priority)") }
        if let category = spec.category { settings.append("category \(category)") }
        if let abort = spec.abortDagOn {
            settings.append("abort-dag-on \(abort.exitValue)" + (abort.returnCode.map { " return \($0)" } ?? ""))
        }
        if !spec.vars.isEmpty {
            settings.append("vars " + spec.vars.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: " "))
        }
        return settings
    }
}
