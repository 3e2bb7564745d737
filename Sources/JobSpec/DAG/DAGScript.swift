/// A node's PRE or POST script: `SCRIPT [DEFER status time] PRE|POST name executable args...`.
///
/// Scripts run on rank 0's side of the farm (DAGMan's access point), from the node's
/// directory. Arguments are split on white space as DAGMan does; an argument that is exactly
/// one of the macros `$JOB`, `$RETRY`, `$MAX_RETRIES`, `$DAG_STATUS`, `$FAILED_COUNT` (and,
/// for POST scripts, `$RETURN` and `$PRE_SCRIPT_RETURN`) is replaced by its value; a macro
/// inside a longer word (`x=$RETURN`) is left alone, as in DAGMan.
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
            default: return word
            }
        }
    }
}
