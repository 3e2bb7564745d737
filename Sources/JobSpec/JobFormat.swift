/// The kinds of job file `taskfarm run` accepts.
///
/// Detection (``detect(path:contents:)``) looks at the extension first and then at the
/// contents, so that a user's existing file needs no `--format`:
///
/// | signal | format |
/// |---|---|
/// | `.dag` extension, or `JOB name file` / `PARENT ... CHILD` lines | ``dag`` |
/// | `.sub`, `.submit`, `.condor`, `.jdl` extension, or a `queue` statement | ``submit`` |
/// | a `#SBATCH` directive (before any `#PBS`) | ``slurm`` |
/// | a `#PBS` directive | ``pbs`` |
/// | anything else | ``taskList`` |
public enum JobFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// One command per line (``TaskList``).
    case taskList = "tasklist"
    /// An HTCondor submit description (``SubmitDescription``).
    case submit
    /// A PBS Pro or Torque job script with `#PBS` directives (``PBSScript``).
    case pbs
    /// A Slurm batch script with `#SBATCH` directives (``SlurmScript``).
    case slurm
    /// An HTCondor DAGMan file; loaded through ``JobLoadOptions/dagLoader``.
    case dag

    /// The format for a `--format` value: the raw names plus `condor`, `htcondor`, `sub`,
    /// `sbatch`, `qsub`, `tasks`, `list`; case-insensitive. `nil` for anything else.
    public init?(name: String) {
        switch name.lowercased() {
        case "tasklist", "tasks", "list", "task-list": self = .taskList
        case "submit", "sub", "condor", "htcondor": self = .submit
        case "pbs", "qsub", "torque", "pbspro": self = .pbs
        case "slurm", "sbatch": self = .slurm
        case "dag", "dagman": self = .dag
        default: return nil
        }
    }

    /// The raw name (`tasklist`, `submit`, `pbs`, `slurm`, `dag`).
    public var description: String { rawValue }

    /// Guesses the format of a file from its name and text. Never fails: a file with no
    /// sign of another format is a task list.
    public static func detect(path: String, contents: String) -> JobFormat {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".dag") { return .dag }
        for suffix in [".sub", ".submit", ".condor", ".jdl"] where lowered.hasSuffix(suffix) { return .submit }
        var sawDagJob = false
        var sawDagEdge = false
        for rawLine in contents.fileLines {
            let line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("#SBATCH") { return .slurm }
            if line.hasPrefix("#PBS") { return .pbs }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = words.first?.lowercased() else { continue }
            if first == "queue" || first.hasPrefix("queue(") { return .submit }
            if first == "job", words.count >= 3 { sawDagJob = true }
            if first == "parent", words.contains(where: { $0.lowercased() == "child" }) { sawDagEdge = true }
        }
        if sawDagJob && sawDagEdge { return .dag }
        return .taskList
    }
}
