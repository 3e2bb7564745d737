import Foundation
import JobSpec

/// The files that show a DAG run from outside: the DAG's `DOT` file (written at the start),
/// its `NODE_STATUS_FILE` (rewritten on its own timer, DAGMan's minimum of 60 s by default)
/// and the state folder's `dag-status` (read by `taskfarm status`, rewritten at most every
/// ``dagStatusInterval`` seconds while something changed). All are rewritten at the end.
///
/// Source: HTCondor manual, DAGMan "Visualizing DAGs with dot", "Capturing the Status of
/// Nodes in a File".
struct DAGStatusFiles {
    /// Seconds between rewrites of `dag-status` while nodes change.
    static let dagStatusInterval = 2.0

    /// `dag-status` in the state folder.
    let dagStatusPath: String
    private let nodeStatusPath: String?
    private let nodeStatusInterval: Double
    private let alwaysUpdate: Bool
    private let dagFile: String
    private var lastNodeStatus = -Double.infinity
    private var lastDAGStatus = -Double.infinity
    private var changedSinceNodeStatus = true
    private var changedSinceDAGStatus = true

    /// The state folder's `dag-status` file, which only a DAG's runs write.
    static func dagStatusPath(in stateFolder: String) -> String { stateFolder + "/dag-status" }

    /// - Parameters:
    ///   - baseDirectory: where relative `DOT` and `NODE_STATUS_FILE` paths start from.
    init(dag: DAG, stateFolder: String, baseDirectory: String) {
        dagFile = dag.file
        dagStatusPath = Self.dagStatusPath(in: stateFolder)
        nodeStatusPath = dag.statusFile.map { $0.path.hasPrefix("/") ? $0.path : baseDirectory + "/" + $0.path }
        nodeStatusInterval = Double(dag.statusFile?.minimumUpdateSeconds ?? 60)
        alwaysUpdate = dag.statusFile?.alwaysUpdate ?? false
    }

    /// Writes the DOT file, if the DAG names one.
    ///
    /// - Throws: ``JobSpecError`` naming the file when it cannot be written.
    static func writeDot(_ dag: DAG, baseDirectory: String) throws(JobSpecError) {
        guard let dot = dag.dotFile else { return }
        let path = dot.hasPrefix("/") ? dot : baseDirectory + "/" + dot
        do {
            try Data(DAGDot.render(dag).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw JobSpecError("cannot write the DOT file: \(error.fileErrorReason)", file: dot)
        }
    }

    /// Notes that some node changed state.
    mutating func noteChange() {
        changedSinceNodeStatus = true
        changedSinceDAGStatus = true
    }

    /// Rewrites the files whose time has come (`final`: all of them, now; `interrupted`: the
    /// run stopped before the DAG ended).
    ///
    /// - Throws: ``JobSpecError`` naming a file that cannot be written.
    mutating func update(_ state: DAGRunState, final: Bool = false, interrupted: Bool = false) throws(JobSpecError) {
        let now = Clock.monotonicSeconds()
        if final || (changedSinceDAGStatus && now - lastDAGStatus >= Self.dagStatusInterval) {
            lastDAGStatus = now
            changedSinceDAGStatus = false
            DAGStatusSnapshot(state, interrupted: interrupted).write(to: dagStatusPath)
        }
        guard let nodeStatusPath else { return }
        if final || ((changedSinceNodeStatus || alwaysUpdate) && now - lastNodeStatus >= nodeStatusInterval) {
            lastNodeStatus = now
            changedSinceNodeStatus = false
            let date = Date()
            let next = final && state.outcome != nil ? nil : date.addingTimeInterval(nodeStatusInterval)
            try DAGNodeStatusFile.write(DAGNodeStatusFile.render(state, dagFiles: [dagFile], now: date, nextUpdate: next),
                                        to: nodeStatusPath)
        }
    }
}
