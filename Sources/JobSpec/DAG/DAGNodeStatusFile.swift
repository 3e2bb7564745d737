import Foundation

/// DAGMan's node status file: new-ClassAd records, one `DagStatus` ad, one `NodeStatus` ad per
/// node and a closing `StatusEnd` ad, rewritten whole (through a temporary file and a rename,
/// so readers never see half a file).
///
/// Source: HTCondor manual, "Capturing the Status of Nodes in a File" (attributes, status
/// codes 0-7, the 60-second default minimum update time).
public enum DAGNodeStatusFile {
    /// The file's text for the run `state`.
    ///
    /// - Parameters:
    ///   - dagFiles: the DAG files named on the command line.
    ///   - now: the time of the snapshot (`Timestamp`, `EndTime`).
    ///   - nextUpdate: when the file will next be rewritten, or `nil` once the DAG is over.
    public static func render(_ state: DAGRunState, dagFiles: [String], now: Date, nextUpdate: Date?) -> String {
        let time = Int(now.timeIntervalSince1970)
        var text = "[\n  Type = \"DagStatus\";\n  DagFiles = {\n"
        text += dagFiles.map { "    " + quote($0) }.joined(separator: ",\n") + "\n  };\n"
        text += "  Timestamp = \(time);\n"
        let (status, note): (DAGNodeState, String)
        if let outcome = state.outcome {
            (status, note) = outcome.succeeded ? (.done, "success") : (.failed, outcome.aborted ? "aborted" : "failed")
        } else {
            (status, note) = (.running, state.dagStatus == 3 ? "aborted" : "")
        }
        text += "  DagStatus = \(status.rawValue); /* \(quote("\(status) (\(note))")) */\n"
        let counts = state.stateCounts
        text += "  NodesTotal = \(state.dag.nodes.count);\n"
        for (name, nodeState) in [("NodesDone", DAGNodeState.done), ("NodesPre", .preRun), ("NodesQueued", .running),
                                  ("NodesPost", .postRun), ("NodesReady", .ready), ("NodesUnready", .notReady),
                                  ("NodesFutile", .futile), ("NodesFailed", .failed)] {
            text += "  \(name) = \(counts[nodeState.rawValue]);\n"
        }
        text += "  JobProcsHeld = 0;\n  JobProcsIdle = 0; /* includes held */\n]\n"
        for node in state.dag.nodes.indices {
            let record = state.records[node]
            var details = record.details
            if record.state == .done && state.dag.nodes[node].done { details = "User defined as DONE" }
            text += "[\n  Type = \"NodeStatus\";\n  Node = \(quote(state.dag.nodes[node].name));\n"
            text += "  NodeStatus = \(record.state.rawValue); /* \(quote(record.state.description)) */\n"
            text += "  StatusDetails = \(quote(details));\n  RetryCount = \(record.retry);\n"
            text += "  JobProcsQueued = \(state.procsPending(of: node));\n  JobProcsHeld = 0;\n]\n"
        }
        text += "[\n  Type = \"StatusEnd\";\n  EndTime = \(time);\n"
        text += "  NextUpdate = \(nextUpdate.map { Int($0.timeIntervalSince1970) } ?? 0);\n]\n"
        return text
    }

    /// Writes `text` to `path` through `path.tmp` and a rename.
    ///
    /// - Throws: ``JobSpecError`` naming the status file when it cannot be written.
    public static func write(_ text: String, to path: String) throws(JobSpecError) {
        let temporary = path + ".tmp"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            if rename(temporary, path) != 0 { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            throw JobSpecError("cannot write the node status file: \(error.fileErrorReason)", file: path)
        }
    }

    /// A ClassAd string literal: `"` and `\` escaped.
    static func quote(_ text: String) -> String { DAGDot.quote(text) }
}
