import Foundation

/// When the allocation ends: from `--walltime`, or read from the batch system.
///
/// | source | how |
/// |---|---|
/// | `--walltime DURATION` | from the farm's start |
/// | Slurm | `SLURM_JOB_END_TIME` (epoch seconds) where set; Slurm 22.05 does not set it, so `squeue -h -j $SLURM_JOB_ID -o %e` |
/// | PBS Pro | `Resource_List.walltime` and `stime` from `qstat -f $PBS_JOBID` |
/// | Torque | `PBS_WALLTIME` (seconds), from the farm's start |
///
/// Sources: Slurm squeue manual (`%e`, end time); PBS Pro reference guide, `qstat -f`
/// job attributes; Torque's `PBS_WALLTIME`.
public enum Walltime {
    /// Parses a duration: `SECONDS` (a bare number is seconds, as in PBS), `MM:SS`,
    /// `HH:MM:SS`, `D-HH:MM:SS`, or a number with a unit, `90s`, `30m`, `2h`, `1d`.
    ///
    /// - Returns: seconds, or `nil` when the text is not a duration.
    public static func parseDuration(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let unit = trimmed.last, "smhd".contains(unit), let value = Double(trimmed.dropLast()), value >= 0 {
            let scale: Double = ["s": 1, "m": 60, "h": 3600, "d": 86400][String(unit)]!
            return value * scale
        }
        var days = 0.0
        var clock = Substring(trimmed)
        if let dash = trimmed.firstIndex(of: "-") {
            guard let value = Double(trimmed[..<dash]), value >= 0 else { return nil }
            days = value
            clock = trimmed[trimmed.index(after: dash)...]
        }
        let parts = clock.split(separator: ":", omittingEmptySubsequences: false).map { Double($0) }
        guard !parts.isEmpty, parts.count <= 3, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        var seconds = 0.0
        for part in parts { seconds = seconds * 60 + part! }
        if days > 0, parts.count == 1 { seconds *= 3600 }
        return days * 86400 + seconds
    }

    /// The allocation's end as seconds since the epoch, read from the batch system, or `nil`.
    public static func allocationEnd(environment: [String: String], now: Double) -> Double? {
        if let text = environment["SLURM_JOB_END_TIME"], let end = Double(text), end > 0 { return end }
        if let job = environment["SLURM_JOB_ID"], let output = run("squeue", ["-h", "-j", job, "-o", "%e"]),
           let end = parseLocalTimestamp(output.trimmingCharacters(in: .whitespacesAndNewlines)) {
            return end
        }
        if let job = environment["PBS_JOBID"], let output = run("qstat", ["-f", job]),
           let end = pbsProEnd(qstat: output) {
            return end
        }
        if let text = environment["PBS_WALLTIME"], let seconds = Double(text), seconds > 0 { return now + seconds }
        return nil
    }

    /// `2026-11-29T22:10:00` in local time, as squeue prints it.
    static func parseLocalTimestamp(_ text: String) -> Double? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.date(from: text)?.timeIntervalSince1970
    }

    /// The end from `qstat -f`: `stime` plus `Resource_List.walltime`.
    static func pbsProEnd(qstat: String) -> Double? {
        var walltime: Double?
        var start: Double?
        for line in qstat.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "Resource_List.walltime" { walltime = parseDuration(parts[1]) }
            if parts[0] == "stime" {
                let formatter = DateFormatter()
                formatter.locale = Locale(identifier: "en_US_POSIX")
                formatter.dateFormat = "EEE MMM d HH:mm:ss yyyy"
                start = formatter.date(from: parts[1])?.timeIntervalSince1970
            }
        }
        guard let walltime, let start else { return nil }
        return start + walltime
    }

    /// Runs a batch-system query, giving up after `timeout` seconds: a controller that does
    /// not answer must not hold up the farm's start.
    private static func run(_ program: String, _ arguments: [String], timeout: Double = 5) -> String? {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("taskfarm-query-\(getpid())")
        defer { try? FileManager.default.removeItem(at: output) }
        guard let query = try? HelperCommand(argv: ["/usr/bin/env", program] + arguments,
                                             environment: ProcessInfo.processInfo.environment, stdoutPath: output.path)
        else { return nil }
        guard let status = query.wait(timeout: timeout) else {
            query.kill()
            return nil
        }
        guard status == 0 else { return nil }
        return try? String(contentsOf: output, encoding: .utf8)
    }
}
