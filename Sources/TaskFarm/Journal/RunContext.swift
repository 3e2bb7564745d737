import Foundation
import JobSpec

/// What a run's `run-began` journal record keeps so that, later and from anywhere, its
/// tasks can be reloaded as they ran and their output files named: `taskfarm status
/// --task`, `taskfarm output` and `taskfarm report` read it. The journal holds attempts,
/// not commands; the job file (or, for a served queue, the `submitted` records) holds those.
public struct RunContext: Codable, Sendable, Equatable {
    /// The job file as loaded, absolute (for `taskfarm run -`, the copy in the state folder).
    public var jobFile: String
    /// Where `taskfarm` started: relative paths in the job file start here.
    public var launchDirectory: String
    /// `--chdir`, absolute, or `nil`.
    public var taskDirectory: String?
    /// `--format`, or `nil` for detected.
    public var format: String?
    /// `-J/--job-name` as given, or `nil`.
    public var jobNameOverride: String?
    /// Arguments after `--` for a PBS or Slurm script.
    public var scriptArguments: [String]
    /// `--rescue-from`, or `nil`.
    public var rescueFrom: Int?
    /// For a DAG, the number of the rescue file the run applied (`FILE.dag.rescueNNN`), 0 when
    /// it applied none: its `DONE` nodes ran no procs, so it decides the tasks' positions, and
    /// the run writes a newer rescue file that must not be applied when its tasks are
    /// reloaded. `nil` for other jobs, and in journals written before runs recorded it.
    public var dagRescue: Int?
    /// The job's name (`%x`) as the run used it.
    public var jobName: String
    /// The user (`%u`).
    public var user: String
    /// `--output`, `--error` and the farm's default patterns, as the run resolved each task's.
    public var output: String?
    /// `--error`.
    public var error: String?
    /// The farm's default stdout pattern (`STATE/output/%a.out` for task lists).
    public var defaultOutput: String?
    /// The farm's default stderr pattern.
    public var defaultError: String?
    /// `--timeout` in seconds, or `nil`.
    public var timeout: Double?
    /// A 64-bit FNV-1a hash of the job file's bytes as the run read them (16 hex digits), to
    /// tell that the file was edited since; `nil` when unknown.
    public var jobFileDigest: String?

    /// A context; every argument is the property of the same name.
    public init(jobFile: String, launchDirectory: String, taskDirectory: String? = nil, format: String? = nil,
                jobNameOverride: String? = nil, scriptArguments: [String] = [], rescueFrom: Int? = nil,
                jobName: String, user: String, outputs: OutputDefaults, timeout: Double? = nil,
                jobFileDigest: String? = nil, dagRescue: Int? = nil) {
        self.jobFile = jobFile
        self.launchDirectory = launchDirectory
        self.taskDirectory = taskDirectory
        self.format = format
        self.jobNameOverride = jobNameOverride
        self.scriptArguments = scriptArguments
        self.rescueFrom = rescueFrom
        self.jobName = jobName
        self.user = user
        output = outputs.output
        error = outputs.error
        defaultOutput = outputs.defaultOutput
        defaultError = outputs.defaultError
        self.timeout = timeout
        self.jobFileDigest = jobFileDigest
        self.dagRescue = dagRescue
    }

    /// The digest ``jobFileDigest`` holds, of the file at `path` now, or `nil` when unreadable.
    public static func digest(ofFile path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var hash = FNV1a()
        for byte in data { hash.add(byte: byte) }
        let text = String(hash.value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    /// Whether the job file now differs from the one the run read, by ``jobFileDigest``;
    /// `false` when that is unknown or the file cannot be read (reloading it then fails).
    public var jobFileChanged: Bool {
        guard let recorded = jobFileDigest, jobFile != "(queue)", let now = Self.digest(ofFile: jobFile) else { return false }
        return now != recorded
    }

    /// The output defaults the run used.
    public var outputs: OutputDefaults {
        OutputDefaults(output: output, error: error, defaultOutput: defaultOutput, defaultError: defaultError)
    }

    /// The context as one line of JSON, for the journal.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }

    /// The context of a journal's `run-began` record, or `nil` when it is missing or unreadable.
    public init?(json: String?) {
        guard let json, let value = try? JSONDecoder().decode(RunContext.self, from: Data(json.utf8)) else { return nil }
        self = value
    }

    /// The user `%u` names, from a rank's environment: `USER`, else `LOGNAME`, else the uid.
    public static func user(in environment: [String: String]) -> String {
        environment["USER"] ?? environment["LOGNAME"] ?? String(getuid())
    }
}
