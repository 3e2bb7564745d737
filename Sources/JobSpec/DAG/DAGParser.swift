/// Reads a DAGMan DAG file into a ``DAG``, naming file, line and column for every problem
/// before anything runs.
///
/// - Keywords are case-insensitive; blank lines and `#` comment lines are skipped.
/// - Node names are literal: `$(` in a node name is an error, never expanded.
/// - Declarations (`JOB`, `FINAL`, `SPLICE`) are read first, so other statements may name a
///   node declared further down the file.
/// - `SPLICE S file` reads `file` with its node names prefixed `S+`; a `PARENT`/`CHILD` edge
///   naming a splice connects to the splice's terminal nodes (as a parent) or initial nodes
///   (as a child). Category names in a splice are prefixed too unless they start with `+`.
/// - `INCLUDE file` reads `file` as if its lines stood there.
/// - HTCondor-only keywords with no meaning in a farm (`CONFIG`, `JOBSTATE_LOG`,
///   `SET_JOB_ATTR`, `ENV`, `SAVE_POINT_FILE`, `SCRIPT HOLD`, DOT options) give a warning
///   naming the line and are otherwise ignored.
/// - A line ending in `\` continues on the next. Submit descriptions may be written in the
///   file (`JOB name { ... }`, `SUBMIT-DESCRIPTION name { ... }`, ``DAGInlineDescriptions``).
/// - `SUBDAG EXTERNAL name file` is a node whose job is a nested DAG (``DAGNode/isSubDAG``).
/// - `PROVISIONER`, `SERVICE` and `REJECT` are errors: ignoring them would silently drop work.
///
/// Relative paths (submit files, `DIR`, splice files) are resolved against
/// `workingDirectory`, as DAGMan resolves them against the directory it runs from.
///
/// | Keyword | Here |
/// |---|---|
/// | `JOB name file [DIR d] [NOOP] [DONE]` | supported; `JOB name { description }` too |
/// | `SUBMIT-DESCRIPTION name { description }` | supported: nodes name it as their submit file |
/// | `FINAL name file [DIR d] [NOOP]` | supported; runs last, its result decides the DAG |
/// | `PARENT p... CHILD c...` | supported, every parent to every child; splices stand for their ends |
/// | `SPLICE name file [DIR d]` | supported, nodes named `name+node` |
/// | `INCLUDE file` | supported |
/// | `RETRY name N [UNLESS-EXIT v]` | supported (`ALL_NODES`); signal `s` compares as `-s` |
/// | `VARS name [PREPEND\|APPEND] k="v"...` | supported (`ALL_NODES`); PREPEND warned, treated as APPEND |
/// | `SCRIPT [DEFER s t] PRE\|POST name exe args` | supported (`ALL_NODES`); `DEBUG` warned; `HOLD` warned, ignored |
/// | `PRE_SKIP`, `PRIORITY`, `CATEGORY`, `ABORT-DAG-ON` | supported (`ALL_NODES`) |
/// | `MAXJOBS cat N`, `DONE name` | supported |
/// | `DOT file [options]` | supported; options warned |
/// | `NODE_STATUS_FILE file [secs] [ALWAYS-UPDATE]` | supported |
/// | `CONFIG`, `JOBSTATE_LOG`, `SET_JOB_ATTR`, `ENV`, `SAVE_POINT_FILE` | warned, line ignored |
/// | `CONNECT out in`, `PIN_IN node N`, `PIN_OUT node N` | supported: each `PIN_OUT` node of pin N of splice `out` becomes a parent of each `PIN_IN` node of pin N of splice `in`; both must have the same pins, numbered from 1 |
/// | `SUBDAG EXTERNAL name file [DIR d] [NOOP] [DONE]` | supported: the nested DAG runs as a farm of its own, with its own rescue files |
/// | `PROVISIONER`, `SERVICE`, `REJECT` | error |
///
/// Source: HTCondor manual, DAGMan Quick Reference, "Composing Workflows from DAGs"
/// (splices), "ALL_NODES Option", "Special Node Types" (FINAL).
public enum DAGParser {
    /// Parses the DAG file at `path`.
    ///
    /// - Parameters:
    ///   - path: the DAG file as the user named it.
    ///   - workingDirectory: the folder relative paths start from; `nil` for the current
    ///     directory (DAGMan's default). Pass the DAG file's folder for `-usedagdir` behaviour.
    ///   - checkSubmitFiles: whether a non-`NOOP` node's submit file must exist.
    /// - Throws: ``JobSpecError`` with file and line: a missing or unreadable file, an unknown
    ///   or unsupported keyword, a malformed statement, an unknown or duplicate node, a missing
    ///   submit file, or a cycle (listing its nodes).
    public static func parse(file path: String, workingDirectory: String? = nil,
                             checkSubmitFiles: Bool = true) throws(JobSpecError) -> DAG {
        let contents = try DAGPaths.read(DAGPaths.join(workingDirectory, path), displayName: path,
                                         what: "a DAG file", referencedAt: nil)
        return try parse(text: contents, file: path, workingDirectory: workingDirectory,
                         checkSubmitFiles: checkSubmitFiles)
    }

    /// Parses DAG text held in memory; `file` names it in messages and in the ``DAG``.
    ///
    /// - Throws: as ``parse(file:workingDirectory:checkSubmitFiles:)``.
    public static func parse(text: String, file: String, workingDirectory: String? = nil,
                             checkSubmitFiles: Bool = true) throws(JobSpecError) -> DAG {
        let builder = DAGBuilder(workingDirectory: workingDirectory, checkSubmitFiles: checkSubmitFiles)
        _ = try builder.parseScope(text: text, file: file, scope: DAGScope(prefix: "", directory: nil, isTop: true))
        return try builder.build(file: file)
    }
}

/// Where a DAG file's statements are read: the name prefix of its nodes and categories,
/// the folder its nodes run from, and the splices it declared.
struct DAGScope {
    let prefix: String
    let directory: String?
    let isTop: Bool
    /// Splices declared in this file, by local name.
    var splices: [String: DAGSpliceEnds] = [:]
    /// Nodes declared directly in this file (not in its splices): what `ALL_NODES` means.
    var ownNodes: [Int] = []

    /// The full name of `local` declared in this scope.
    func scoped(_ local: String) -> String { prefix.isEmpty ? local : prefix + local }

    init(prefix: String, directory: String?, isTop: Bool) {
        self.prefix = prefix
        self.directory = directory
        self.isTop = isTop
    }
}

/// A splice's initial nodes (no parent inside the splice) and terminal nodes (no child
/// inside it), which stand for the splice in `PARENT`/`CHILD` statements.
struct DAGSpliceEnds {
    var initial: [Int]
    var terminal: [Int]
    /// `PIN_IN node N` of the spliced file: nodes by pin number, for `CONNECT`.
    var pinsIn: [Int: [Int]] = [:]
    /// `PIN_OUT node N` of the spliced file, likewise.
    var pinsOut: [Int: [Int]] = [:]
}
