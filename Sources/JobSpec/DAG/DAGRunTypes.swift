/// A node's state while a DAG runs. Raw values are DAGMan's `NodeStatus` codes in the node
/// status file.
///
/// Source: HTCondor manual, "Capturing the Status of Nodes in a File" (STATUS_NOT_READY ...
/// STATUS_FUTILE).
public enum DAGNodeState: Int, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// Waiting for a parent (or the FINAL node waiting for the rest of the DAG).
    case notReady = 0
    /// Every parent is done; waiting to start (a category limit may hold it back).
    case ready = 1
    /// Its PRE script is running.
    case preRun = 2
    /// Its procs are queued or running.
    case running = 3
    /// Its POST script is running.
    case postRun = 4
    /// Finished successfully (or marked DONE).
    case done = 5
    /// Failed, with no retries left.
    case failed = 6
    /// Never runs, because an ancestor failed.
    case futile = 7

    /// DAGMan's name for the state, as in the node status file.
    public var description: String {
        ["STATUS_NOT_READY", "STATUS_READY", "STATUS_PRERUN", "STATUS_SUBMITTED", "STATUS_POSTRUN",
         "STATUS_DONE", "STATUS_ERROR", "STATUS_FUTILE"][rawValue]
    }

    /// Whether the node will not change state again in this run.
    public var isFinal: Bool { self == .done || self == .failed || self == .futile }
}

/// How a proc or a script ended.
public enum DAGProcOutcome: Sendable, Equatable {
    /// Exited with this status.
    case exited(Int)
    /// Killed by this signal number.
    case signaled(Int)
    /// Removed before it ended on its own (after a sibling failed, or on abort).
    case cancelled

    /// The value DAGMan compares with RETRY UNLESS-EXIT, ABORT-DAG-ON and passes as `$RETURN`:
    /// the exit status, `-signal` for a death by signal, -1002 for a removed job.
    ///
    /// Source: HTCondor manual, DAGMan "Scripts" (`$RETURN`).
    public var returnValue: Int {
        switch self {
        case .exited(let status): return status
        case .signaled(let signal): return -signal
        case .cancelled: return -1002
        }
    }

    /// Whether it exited 0.
    public var succeeded: Bool { self == .exited(0) }
}

/// What the runtime must do next, as decided by ``DAGRunState``.
public enum DAGAction: Sendable, Equatable {
    /// Run a node's PRE or POST script (argv with macros substituted) from `directory`,
    /// after `delaySeconds` (non-zero for a `DEFER` rerun), then report it with
    /// ``DAGRunState/scriptFinished(node:kind:outcome:)``.
    case runScript(node: Int, kind: DAGScript.Kind, argv: [String], directory: String?, delaySeconds: Int)
    /// Queue the node's procs (attempt `retry`, 0 first); report each with
    /// ``DAGRunState/procFinished(position:outcome:)``.
    case startProcs(node: Int, positions: Range<Int>, retry: Int)
    /// A proc of the node failed: remove its procs that have not ended, and report each as
    /// ``DAGProcOutcome/cancelled`` (or as it really ended).
    case cancelProcs(node: Int, positions: Range<Int>)
    /// ABORT-DAG-ON fired (or ``DAGRunState/abort(exitCode:)`` was called): stop every running
    /// proc and script. The FINAL node, if any, is started by a following action.
    case abortDAG(exitCode: Int)
    /// The DAG is over.
    case finished(DAGOutcome)
}

/// How a DAG run ended. Only ``DAGRunState`` makes one, with the compiler's memberwise
/// initializer.
public struct DAGOutcome: Sendable, Equatable {
    /// Success: every node done, or the FINAL node succeeded (it overrides everything else,
    /// as in DAGMan), or an ABORT-DAG-ON with `RETURN 0`.
    public var succeeded: Bool
    /// The exit code for the command line: 0 on success, the ABORT-DAG-ON return value after
    /// an abort, 1 otherwise.
    public var exitCode: Int
    /// Whether ABORT-DAG-ON (or an external abort) stopped the DAG.
    public var aborted: Bool
    /// Nodes that failed.
    public var failedNodes: Int
}

/// What is known about one node during a run.
public struct DAGNodeRecord: Sendable, Equatable {
    /// Where the node is in its life.
    public var state: DAGNodeState = .notReady
    /// Retries used: `$RETRY` of the current or last attempt.
    public var retry: Int = 0
    /// The last attempt's deciding value: the POST script's exit, else the job's
    /// (`-signal` for a signal death), else the PRE script's.
    public var lastReturn: Int?
    /// The signal that killed the last failed proc or script, when it died by signal.
    public var lastSignal: Int?
    /// The PRE script's last exit value, or `nil` when it has not run.
    public var preScriptReturn: Int?
    /// Why the node failed or is futile (DAGMan's `StatusDetails`), empty otherwise.
    public var details: String = ""

    /// A node not yet ready, never run.
    public init() {}
}
