/// One node of a DAGMan DAG: a submit description to run, with its scripts, retries and
/// throttling settings.
///
/// Source: HTCondor manual, DAGMan Quick Reference (`JOB`, `FINAL`, `RETRY`, `VARS`,
/// `SCRIPT`, `PRE_SKIP`, `PRIORITY`, `CATEGORY`, `ABORT-DAG-ON`).
public struct DAGNode: Sendable, Equatable {
    /// The node name, fully scoped: a node `N` of a splice `S` is `S+N`, nested splices give
    /// `OUTER+INNER+N`. Taken literally; never macro-expanded.
    public var name: String
    /// The submit description file as written on the `JOB` line, relative to ``directory``.
    public var submitFile: String
    /// The folder the node runs from (`DIR`, joined onto enclosing splices' `DIR`), relative
    /// to the DAG's working directory, or `nil` for the working directory itself.
    public var directory: String?
    /// `NOOP`: no job runs; PRE and POST scripts still do.
    public var noop: Bool
    /// `DONE` (on the `JOB` line, a `DONE` line, or from a rescue DAG): the node counts as
    /// finished and neither its job nor its scripts run.
    public var done: Bool
    /// The `FINAL` node: runs after every other node has ended, whatever happened.
    public var isFinal: Bool
    /// `RETRY name N`: attempts after the first. 0 when absent.
    public var retries: Int
    /// `RETRY ... UNLESS-EXIT value`: a node that fails with this value is not retried.
    public var unlessExit: Int?
    /// `VARS`: macros given to the node's submit description, by name (the last definition wins).
    public var vars: [String: String]
    /// `SCRIPT PRE`.
    public var preScript: DAGScript?
    /// `SCRIPT POST`: when present its exit code decides the node's success.
    public var postScript: DAGScript?
    /// `PRE_SKIP name code`: a PRE script exiting with `code` marks the node done without
    /// running its job or POST script.
    public var preSkip: Int?
    /// `PRIORITY name value`: higher values start first among ready nodes. 0 when absent.
    public var priority: Int
    /// `CATEGORY name cat`: the throttling category, scoped like node names unless it starts
    /// with `+` (a global category).
    public var category: String?
    /// `ABORT-DAG-ON name value [RETURN code]`.
    public var abortDagOn: DAGAbortCondition?
    /// The `JOB` (or `FINAL`) line that declared the node.
    public var source: SourceLocation
    /// Declared with `SUBDAG EXTERNAL`: the node's job is the DAG file ``submitFile``, run
    /// as a nested farm (see ``DAGJob``).
    public var isSubDAG = false

    /// A node with the given settings; see the properties for their meaning.
    public init(name: String, submitFile: String, directory: String? = nil, noop: Bool = false,
                done: Bool = false, isFinal: Bool = false, retries: Int = 0, unlessExit: Int? = nil,
                vars: [String: String] = [:], preScript: DAGScript? = nil, postScript: DAGScript? = nil,
                preSkip: Int? = nil, priority: Int = 0, category: String? = nil,
                abortDagOn: DAGAbortCondition? = nil, source: SourceLocation) {
        self.name = name
        self.submitFile = submitFile
        self.directory = directory
        self.noop = noop
        self.done = done
        self.isFinal = isFinal
        self.retries = retries
        self.unlessExit = unlessExit
        self.vars = vars
        self.preScript = preScript
        self.postScript = postScript
        self.preSkip = preSkip
        self.priority = priority
        self.category = category
        self.abortDagOn = abortDagOn
        self.source = source
    }
}

/// `ABORT-DAG-ON name value [RETURN code]`: when the node's PRE script, its job (if it has
/// no POST script) or its POST script exits with `exitValue`, the whole DAG stops, overriding
/// retries, and exits with `returnCode` (or `exitValue` when no `RETURN` is given).
///
/// Source: HTCondor manual, "Stopping the DAG on Node Failure".
public struct DAGAbortCondition: Sendable, Equatable {
    /// The exit value that aborts the DAG; a death by signal `s` compares as `-s`.
    public var exitValue: Int
    /// The DAG's exit code after the abort; `nil` means `exitValue`. 0 counts as success.
    public var returnCode: Int?

    /// `ABORT-DAG-ON node exitValue [RETURN returnCode]`.
    public init(exitValue: Int, returnCode: Int? = nil) {
        self.exitValue = exitValue
        self.returnCode = returnCode
    }
}
