/// One dependency of a submitted job on earlier jobs, as `qsub -W depend=` and `sbatch
/// --dependency` write it: the job may start once each job in ``jobs`` has ended as
/// ``type`` asks. Job ids are kept as written (`12.server`, `12[]`, `12_3`); the front end
/// resolves them against the queue.
///
/// Sources: PBS Professional Reference Guide, qsub `-W depend`; Slurm sbatch `--dependency`.
public struct JobDependency: Sendable, Equatable {
    /// What the earlier jobs' ends must be.
    public enum DependencyType: String, Sendable, CaseIterable {
        /// Each ended successfully (exit status 0).
        case afterOK = "afterok"
        /// Each ended, however.
        case afterAny = "afterany"
        /// Each ended without success (failed, timed out, cancelled).
        case afterNotOK = "afternotok"
    }

    /// The condition.
    public var type: DependencyType
    /// The job ids, as written.
    public var jobs: [String]

    /// A dependency on `jobs` of `type`.
    public init(type: DependencyType, jobs: [String]) {
        self.type = type
        self.jobs = jobs
    }

    /// The dependencies of a qsub `-W depend=TYPE:JOB[:JOB...][,TYPE:JOB...]` value (without
    /// `depend=`).
    ///
    /// - Throws: ``JobSpecError`` naming the type that is not `afterok`, `afterany` or
    ///   `afternotok` (`before*`, `on`, `runone` and `after`, which starts a job when another
    ///   starts, need a scheduler that holds jobs back; the farm refuses them rather than run
    ///   the job at once), or a type with no job.
    public static func parsePBS(_ text: String) throws(JobSpecError) -> [JobDependency] {
        var result: [JobDependency] = []
        for item in text.split(separator: ",") {
            let fields = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            result.append(try dependency(type: fields[0], jobs: Array(fields.dropFirst()), whole: text, option: "-W depend"))
        }
        guard !result.isEmpty else {
            throw JobSpecError("-W depend='\(text)': expected TYPE:JOBID[:JOBID...], such as afterok:12.server",
                               file: SourceLocation.commandLine)
        }
        return result
    }

    /// The dependencies of an sbatch `--dependency=TYPE:JOB[:JOB...][,TYPE:JOB...]` value:
    /// all must hold (`,`).
    ///
    /// - Throws: ``JobSpecError`` for `?` (any one of several), `singleton`, `after`,
    ///   `aftercorr`, `afterburstbuffer`, a `+time` delay, or a type with no job.
    public static func parseSlurm(_ text: String) throws(JobSpecError) -> [JobDependency] {
        if text.contains("?") {
            throw JobSpecError("--dependency='\(text)': '?' (any one of several) is not supported inside the farm; "
                               + "use ',' (all of them)", file: SourceLocation.commandLine)
        }
        var result: [JobDependency] = []
        for item in text.split(separator: ",") {
            let fields = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if fields.dropFirst().contains(where: { $0.contains("+") }) {
                throw JobSpecError("--dependency='\(text)': a +time delay is not supported inside the farm",
                                   file: SourceLocation.commandLine)
            }
            result.append(try dependency(type: fields[0], jobs: Array(fields.dropFirst()), whole: text,
                                         option: "--dependency"))
        }
        guard !result.isEmpty else {
            throw JobSpecError("--dependency='\(text)': expected TYPE:JOBID[:JOBID...], such as afterok:12",
                               file: SourceLocation.commandLine)
        }
        return result
    }

    private static func dependency(type: String, jobs: [String], whole: String,
                                   option: String) throws(JobSpecError) -> JobDependency {
        guard let known = DependencyType(rawValue: type.lowercased()) else {
            throw JobSpecError("\(option)='\(whole)': '\(type)' is not supported inside the farm; expected afterok, "
                               + "afterany or afternotok", file: SourceLocation.commandLine)
        }
        let named = jobs.filter { !$0.isEmpty }
        guard !named.isEmpty, named.count == jobs.count else {
            throw JobSpecError("\(option)='\(whole)': \(type) needs job ids, as \(type):JOBID[:JOBID...]",
                               file: SourceLocation.commandLine)
        }
        return JobDependency(type: known, jobs: named)
    }
}
