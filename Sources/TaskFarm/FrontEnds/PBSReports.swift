import Foundation

/// What PBS's commands print for a served farm's queue: job ids as `qsub` prints them, and
/// `qstat`'s tables.
///
/// Source: PBS Professional Reference Guide, qsub ("job identifier"), qstat (default and
/// `-f` output, job states).
public enum PBSReports {
    /// The id qsub prints: `12.server`, an array `12[].server`.
    public static func jobID(_ job: FrontEndJob) -> String {
        "\(job.number)\(job.isArray ? "[]" : "").\(job.server)"
    }

    /// One subjob's id: `12[3].server`.
    public static func subjobID(_ job: FrontEndJob, _ task: QueuedTask) -> String {
        "\(job.number)[\(task.attributes[FrontEndJob.Key.index] ?? "")].\(job.server)"
    }

    /// A task's state letter: `Q` queued, `H` held (by a dependency), `R` running, `F`
    /// finished, `X` a finished subjob.
    public static func stateLetter(_ task: QueuedTask, subjob: Bool = false) -> String {
        switch task.state {
        case "pending", "interrupted": return "Q"
        case "held": return "H"
        case "running": return "R"
        default: return subjob ? "X" : "F"
        }
    }

    /// An array's state letter: `B` once a subjob has begun, `Q` or `H` before, `F` when all ended.
    public static func arrayStateLetter(_ job: FrontEndJob) -> String {
        if job.tasks.allSatisfy({ $0.hasEnded }) { return "F" }
        if job.tasks.contains(where: { $0.state == "running" || $0.hasEnded }) { return "B" }
        return job.tasks.allSatisfy({ $0.state == "held" }) ? "H" : "Q"
    }

    /// `qstat`'s default table of `jobs`; finished ones only with `finished` (`-x`), and
    /// each subjob of an array with `subjobs` (`-t`).
    public static func table(_ jobs: [FrontEndJob], finished: Bool, subjobs: Bool) -> String {
        var lines = ["Job id            Name             User              Time Use S Queue",
                     "----------------  ---------------- ----------------  -------- - -----"]
        func row(_ id: String, _ name: String, _ user: String, _ state: String, seconds: Double? = nil) {
            let used = state == "Q" || state == "H" ? "0" : clock(seconds ?? 0)
            lines.append(pad(id, 17) + " " + pad(name, 16) + " " + pad(user, 16) + " "
                         + String(repeating: " ", count: max(0, 9 - used.count)) + used + " " + state + " workq")
        }
        for job in jobs {
            if job.isArray {
                let state = arrayStateLetter(job)
                if state == "F" && !finished { continue }
                row(jobID(job), job.name, job.user, state)
                if subjobs {
                    for task in job.tasks where finished || !task.hasEnded {
                        row(subjobID(job, task), job.name, job.user, stateLetter(task, subjob: true), seconds: task.runSeconds)
                    }
                }
            } else if let task = job.tasks.first {
                let state = stateLetter(task)
                if state == "F" && !finished { continue }
                row(jobID(job), job.name, job.user, state, seconds: task.runSeconds)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `qstat -f`: the job's attributes, one `name = value` line each.
    public static func full(_ job: FrontEndJob) -> String {
        var lines = ["Job Id: \(jobID(job))",
                     "    Job_Name = \(job.name)",
                     "    Job_Owner = \(job.user)@\(job.server)",
                     "    job_state = \(job.isArray ? arrayStateLetter(job) : job.tasks.first.map { stateLetter($0) } ?? "F")",
                     "    queue = workq",
                     "    server = \(job.server)"]
        if let submitted = job.submitted { lines.append("    qtime = \(ctime(submitted))") }
        if job.isArray {
            let indices = job.tasks.compactMap { $0.attributes[FrontEndJob.Key.index] }
            lines.append("    array = True")
            lines.append("    array_indices_submitted = \(indices.first ?? "")-\(indices.last ?? "")")
            let queued = job.tasks.filter { ["pending", "held", "interrupted"].contains($0.state) }.count
            let running = job.tasks.filter { $0.state == "running" }.count
            lines.append("    array_state_count = Queued:\(queued) Running:\(running) Exiting:0 Expired:\(job.tasks.count - queued - running)")
        } else if let task = job.tasks.first {
            if let host = task.host { lines.append("    exec_host = \(host)/0") }
            if let code = exitStatus(task) { lines.append("    Exit_status = \(code)") }
            if let parents = task.waitingFor, !parents.isEmpty {
                lines.append("    depend = " + parents.map { "\($0.condition.rawValue):\($0.id)" }.joined(separator: ","))
            }
        }
        lines.append("    Resource_List.ncpus = \(job.tasks.first?.slots ?? 1)")
        if let memory = job.tasks.first?.memoryMiB { lines.append("    Resource_List.mem = \(memory)mb") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// PBS's `Exit_status` of an ended task: its exit code, 256 + N for signal N (PBS Pro's
    /// convention), -1 when it never started, 271 when it was deleted (`qdel`).
    public static func exitStatus(_ task: QueuedTask) -> Int? {
        guard let end = task.end, task.hasEnded else { return nil }
        if let code = end.exitCode { return code }
        if let signal = end.signal { return 256 + signal }
        return task.state == "cancelled" ? 271 : -1
    }

    /// `HH:MM:SS`.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds)
        return String(format: "%02d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        let cut = text.count > width ? String(text.prefix(width - 1)) + "*" : text
        return cut + String(repeating: " ", count: max(0, width - cut.count))
    }

    static func ctime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE MMM d HH:mm:ss yyyy"
        return formatter.string(from: date)
    }
}
