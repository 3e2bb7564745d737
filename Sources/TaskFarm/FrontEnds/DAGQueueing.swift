import JobSpec

/// A DAG queued in a served farm by `condor_submit_dag`: its nodes' procs become queue
/// tasks, each held until its parents succeed (DAGMan's rule, the queue's `afterok`). What
/// only the DAGMan runtime of `taskfarm run` does (PRE and POST scripts, a FINAL node,
/// ABORT-DAG-ON, RETRY UNLESS-EXIT, SUBDAG EXTERNAL) is refused, naming the node.
///
/// Source: HTCondor manual, "DAGMan Workflows".
public enum DAGQueueing {
    /// Why `dag` cannot be queued as tasks, naming the node and statement, or `nil`.
    public static func problem(_ dag: DAG) -> String? {
        for node in dag.nodes {
            let what: String?
            if node.preScript != nil { what = "a SCRIPT PRE" }
            else if node.postScript != nil { what = "a SCRIPT POST" }
            else if node.isFinal { what = "FINAL" }
            else if node.abortDagOn != nil { what = "ABORT-DAG-ON" }
            else if node.unlessExit != nil { what = "RETRY ... UNLESS-EXIT" }
            else if node.isSubDAG { what = "SUBDAG EXTERNAL" }
            else { what = nil }
            if let what {
                return "node \(node.name) (\(node.source)) has \(what), which only the DAGMan runtime runs; "
                    + "inside the allocation run the DAG with 'taskfarm run --format dag FILE'"
            }
        }
        return nil
    }

    /// The DAG job's tasks in position order, each with its node's RETRY as its retries and
    /// its position as its proc.
    public static func tasks(of job: DAGJob) -> [TaskSpec] {
        (0..<job.taskCount).map { position in
            var spec = job.task(at: position)
            let node = job.dag.nodes[job.node(ofPosition: position)]
            if node.retries > 0 { spec.maxRetries = node.retries }
            spec.arrayIndex = position
            spec.label = "\(node.name): \(spec.label)"
            return spec
        }
    }
}
