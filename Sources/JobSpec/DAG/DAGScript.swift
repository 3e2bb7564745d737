/// A node's PRE or POST script: `SCRIPT [DEFER status time] PRE|POST name executable args...`.
///
/// Scripts run on rank 0's side of the farm (DAGMan's access point), from the node's
/// directory. Arguments are split on white space as DAGMan does; an argument that is exactly
/// one of the macros below is replaced by its value; a macro inside a longer word
/// (`x=$RETURN`) is left alone, as in DAGMan.
///
/// | macro | value |
/// |---|---|
/// | `$JOB`, `$NODE` | the node name |
/// | `$RETRY`, `$MAX_RETRIES` | the attempt (0 first) and the node's `RETRY` count |
/// | `$DAG_STATUS`, `$FAILED_COUNT` | the DAG's status (0, 2 a node failed, 3 aborted) and failed nodes so far |
/// | `$NODE_COUNT`, `$DONE_COUNT`, `$QUEUED_COUNT`, `$FUTILE_COUNT` | nodes in the DAG, done, with procs queued or running, futile |
/// | `$DAGID` | the DAG's job id: the farm's run id |
/// | `$CLUSTERID`, `$JOBID` (POST) | the node job's cluster (the run id) and `CLUSTER.PROC` of its first proc |
/// | `$JOB_COUNT` (POST) | the node job's procs |
/// | `$SUCCESS` (POST) | `True` when every proc succeeded, else `False` |
/// | `$RETURN`, `$PRE_SCRIPT_RETURN` (POST) | the job's deciding value, the PRE script's exit (-1 without one) |
/// | `$EXIT_CODES` (POST) | the procs' distinct exit codes, sorted, comma-separated |
/// | `$EXIT_CODE_COUNTS` (POST) | `code:count` for each, sorted, comma-separated |
///
/// In a PRE script the POST-only macros are left as written.
///
/// A class, so that a node without scripts pays one pointer per script in a million-node DAG.
///
/// Source: HTCondor manual, DAGMan "Scripts" and "Special script argument macros".
public final class DAGScript: Sendable, Equatable {
    /// When the script runs.
    public enum Kind: String, Sendable, Equatable {
        /// Before the node's job; a failure skips the job.
        case pre = "PRE"
        /// After the node's job; its exit code decides the node's success.
        case post = "POST"
    }

    /// PRE or POST.
    public let kind: Kind
    /// The executable, as written (looked up in `PATH` when it holds no `/`).
    public let executable: String
    /// The arguments, as written, before macro substitution.
    public let arguments: [String]
    /// `DEFER status time`: an exit with `status` reruns the script after `time` seconds
    /// instead of failing.
    public let deferStatus: Int?
    /// `DEFER status time`: seconds to wait before the rerun.
    public let deferSeconds: Int
    /// The `SCRIPT` line.
    public let source: SourceLocation

    /// A script as read from its `SCRIPT` line.
    public init(kind: Kind, executable: String, arguments: [String], deferStatus: Int? = nil,
                deferSeconds: Int = 0, source: SourceLocation) {
        self.kind = kind
        self.executable = executable
        self.arguments = arguments
        self.deferStatus = deferStatus
        self.deferSeconds = deferSeconds
        self.source = source
    }

    /// Same kind, command, DEFER setting and line.
    public static func == (lhs: DAGScript, rhs: DAGScript) -> Bool {
        lhs.kind == rhs.kind && lhs.executable == rhs.executable && lhs.arguments == rhs.arguments
            && lhs.deferStatus == rhs.deferStatus && lhs.deferSeconds == rhs.deferSeconds && lhs.source == rhs.source
    }

    /// The values the macros stand for in one run of the script.
    public struct Macros: Sendable, Equatable {
        /// `$JOB`: the node name.
        public var job: String
        /// `$RETRY`: 0 on the first attempt, then 1, 2, ...
        public var retry: Int
        /// `$MAX_RETRIES`: the node's `RETRY` count, 0 without one.
        public var maxRetries: Int
        /// `$DAG_STATUS`: 0 OK, 2 a node failed, 3 aborted (DAGMan's `DAG_Status`).
        public var dagStatus: Int
        /// `$FAILED_COUNT`: nodes failed so far.
        public var failedCount: Int
        /// `$RETURN` (POST only): the first failed proc's exit code, `-signal` for a death
        /// by signal, -1004 when the PRE script failed, 0 when every proc succeeded.
        public var returnValue: Int?
        /// `$PRE_SCRIPT_RETURN` (POST only): the PRE script's exit code, or -1 without one.
        public var preScriptReturn: Int?
        /// `$NODE_COUNT`, `$DONE_COUNT`, `$QUEUED_COUNT`, `$FUTILE_COUNT`.
        public var nodeCount = 0, doneCount = 0, queuedCount = 0, futileCount = 0
        /// `$DAGID` and `$CLUSTERID`: the farm's run id.
        public var dagID = 0
        /// `$JOB_COUNT` (POST only): the node job's procs.
        public var jobCount = 0
        /// The exit codes of the node job's procs that exited, in the order they ended (POST only).
        public var exitCodes: [Int] = []

        /// The macro values; see the properties.
        public init(job: String, retry: Int, maxRetries: Int, dagStatus: Int = 0, failedCount: Int = 0,
                    returnValue: Int? = nil, preScriptReturn: Int? = nil) {
            self.job = job
            self.retry = retry
            self.maxRetries = maxRetries
            self.dagStatus = dagStatus
            self.failedCount = failedCount
            self.returnValue = returnValue
            self.preScriptReturn = preScriptReturn
        }
    }

    /// The argv to execute: the executable, then the arguments with whole-word macros replaced.
    public func argv(_ macros: Macros) -> [String] {
        [executable] + arguments.map { word in
            switch word {
            case "$JOB": return macros.job
            case "$RETRY": return String(macros.retry)
            case "$MAX_RETRIES": return String(macros.maxRetries)
            case "$DAG_STATUS": return String(macros.dagStatus)
            case "$FAILED_COUNT": return String(macros.failedCount)
            case "$RETURN" where kind == .post: return String(macros.returnValue ?? 0)
            case "$PRE_SCRIPT_RETURN" where kind == .post: return String(macros.preScriptReturn ?? -1)
            case "$NODE": return macros.job
            case "$NODE_COUNT": return String(macros.nodeCount)
            case "$DONE_COUNT": return String(macros.doneCount)
            case "$QUEUED_COUNT": return String(macros.queuedCount)
            case "$FUTILE_COUNT": return String(macros.futileCount)
            case "$DAGID": return String(macros.dagID)
            case "$CLUSTERID" where kind == .post: return String(macros.dagID)
            case "$JOBID" where kind == .post: return "\(macros.dagID).0"
            case "$JOB_COUNT" where kind == .post: return String(macros.jobCount)
            case "$SUCCESS" where kind == .post: return (macros.returnValue ?? 0) == 0 ? "True" : "False"
            case "$EXIT_CODES" where kind == .post:
                return Set(macros.exitCodes).sorted().map(String.init).joined(separator: ",")
            case "$EXIT_CODE_COUNTS" where kind == .post:
                let counts = Dictionary(grouping: macros.exitCodes, by: { $0 }).mapValues(\.count)
                return counts.keys.sorted().map { "\($0):\(counts[$0]!)" }.joined(separator: ",")
            default: return word
            }
        }
    }
}
