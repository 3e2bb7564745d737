import Foundation
import JobSpec

/// What HTCondor's commands print for a served farm: `condor_submit`'s answer, `condor_q`
/// (batches, `-nobatch`, `-better-analyze`) and `condor_status` (slots, `-long`, `-af`).
///
/// Source: HTCondor manual, condor_submit, condor_q, condor_status.
public enum CondorReports {
    /// condor_submit's answer: `Submitting job(s)...` then `N job(s) submitted to cluster C.`;
    /// with `terse`, `C.0 - C.N-1`.
    public static func submitted(count: Int, cluster: Int, terse: Bool) -> String {
        if terse { return "\(cluster).0 - \(cluster).\(count - 1)" }
        return "Submitting job(s)" + String(repeating: ".", count: count) + "\n\(count) job(s) submitted to cluster \(cluster)."
    }

    /// A task's proc in its cluster.
    static func proc(_ job: FrontEndJob, _ task: QueuedTask) -> Int {
        task.attributes[FrontEndJob.Key.index].flatMap(Int.init) ?? (task.id - job.first)
    }

    /// HTCondor's state letter: `I` idle, `R` running, `C` completed, `X` removed, `H` held.
    public static func stateLetter(_ task: QueuedTask) -> String {
        switch task.state {
        case "running": return "R"
        case "succeeded", "failed", "timed out": return "C"
        case "cancelled": return "X"
        default: return "I"
        }
    }

    /// The `-- Schedd:` line that starts condor_q's output.
    public static func scheddLine(_ address: String, now: Date) -> String {
        "-- Schedd: taskfarm@\(FrontEndJob.shortHostName) : <\(address)> @ \(date(now, seconds: true))"
    }

    /// condor_q's default output, one line per batch (cluster) with a job still in the queue,
    /// then the totals.
    public static func batches(_ jobs: [FrontEndJob], address: String, now: Date = Date()) -> String {
        var lines = ["", scheddLine(address, now: now),
                     "OWNER      BATCH_NAME        SUBMITTED   DONE   RUN    IDLE  TOTAL JOB_IDS"]
        var idle = 0, running = 0
        for job in jobs {
            let open = job.tasks.filter { !$0.hasEnded }
            guard !open.isEmpty else { continue }
            let done = job.tasks.count - open.count
            let run = open.filter { $0.state == "running" }.count
            idle += open.count - run
            running += run
            let procs = open.map { proc(job, $0) }
            let ids = procs.count == 1 ? "\(job.number).\(procs[0])" : "\(job.number).\(procs.min()!)-\(procs.max()!)"
            let batch = job.tasks.first?.attributes[FrontEndJob.Key.batch] ?? "ID: \(job.number)"
            lines.append(pad(job.user, 10) + " " + pad(batch, 16) + " " + pad(job.submitted.map { date($0, seconds: false) } ?? "", 11)
                         + right(done == 0 ? "_" : String(done), 6) + right(run == 0 ? "_" : String(run), 7)
                         + right(open.count - run == 0 ? "_" : String(open.count - run), 8)
                         + right(String(job.tasks.count), 7) + " " + ids)
        }
        lines.append("")
        let totals = "\(idle + running) jobs; 0 completed, 0 removed, \(idle) idle, \(running) running, 0 held, 0 suspended"
        lines.append("Total for query: " + totals)
        lines.append("Total for all users: " + totals)
        return lines.joined(separator: "\n")
    }

    /// condor_q `-nobatch`: one line per job (proc) still in the queue.
    public static func jobs(_ jobs: [FrontEndJob], address: String, now: Date = Date()) -> String {
        var lines = ["", scheddLine(address, now: now),
                     " ID         OWNER            SUBMITTED     RUN_TIME ST PRI SIZE CMD"]
        var idle = 0, running = 0
        for job in jobs {
            for task in job.tasks where !task.hasEnded {
                if task.state == "running" { running += 1 } else { idle += 1 }
                lines.append(right("\(job.number).\(proc(job, task))", 7) + "    " + pad(job.user, 14) + " "
                             + pad(job.submitted.map { date($0, seconds: false) } ?? "", 12) + "  " + runTime(task.runSeconds ?? 0) + " "
                             + stateLetter(task) + "  0    0.0 " + task.name)
            }
        }
        lines.append("")
        lines.append("Total for query: \(idle + running) jobs; 0 completed, 0 removed, \(idle) idle, \(running) running, 0 held, 0 suspended")
        return lines.joined(separator: "\n")
    }

    /// condor_q `-better-analyze` of one job: why it is idle, or where it runs.
    public static func analysis(_ job: FrontEndJob, _ task: QueuedTask, address: String, now: Date = Date()) -> String {
        let id = "\(job.number).\(String(format: "%03d", proc(job, task)))"
        var lines = ["", scheddLine(address, now: now)]
        switch task.state {
        case "running":
            lines.append("Job \(id) is running on \(task.host ?? "a worker") (worker rank \(task.workerRank.map(String.init) ?? "?")).")
        case "pending", "held", "interrupted":
            lines.append("Job \(id) is idle.")
            lines.append(task.analysis ?? "")
        default:
            lines.append("Job \(id) has left the queue: it \(task.state)\(task.end?.message.map { " (\($0))" } ?? "").")
        }
        return lines.joined(separator: "\n")
    }

    /// A machine ad from the broker's listing, its literals read back as ClassAd values.
    public static func classAd(_ literals: [String: String]) -> ClassAd {
        var ad: ClassAd = [:]
        for (name, text) in literals {
            ad[name] = (try? ClassAdExpression(parsing: text, location: SourceLocation(file: "<machine ad>", line: 0)))?
                .evaluate([:]) ?? .string(text)
        }
        return ad
    }

    /// The machine ads condor_status shows: `Name` (`slotRANK@HOST`), `State` and `Activity`
    /// (Claimed/Busy while the worker runs a task, else Unclaimed/Idle) added.
    public static func machineAds(_ machines: [[String: String]], busyRanks: Set<Int>) -> [ClassAd] {
        machines.map { literals in
            var ad = classAd(literals)
            var rank = -1
            if case .integer(let value)? = ad["TaskFarmRank"] { rank = value }
            var host = ""
            if case .string(let value)? = ad["Machine"] { host = value }
            ad["Name"] = .string("slot\(rank)@\(host)")
            let busy = busyRanks.contains(rank)
            ad["State"] = .string(busy ? "Claimed" : "Unclaimed")
            ad["Activity"] = .string(busy ? "Busy" : "Idle")
            ad["LoadAvg"] = .real(0)
            return ad
        }.sorted { "\($0["Name"]!)" < "\($1["Name"]!)" }
    }

    /// condor_status's default table of `ads`, with its summary.
    public static func status(_ ads: [ClassAd]) -> String {
        func text(_ ad: ClassAd, _ name: String) -> String {
            switch ad[name] {
            case .string(let value)?: return value
            case let value?: return value.description
            case nil: return ""
            }
        }
        var lines = ["Name" + String(repeating: " ", count: 24) + "OpSys      Arch   State     Activity LoadAv Mem    ActvtyTime", ""]
        for ad in ads {
            lines.append(pad(text(ad, "Name"), 27) + " " + pad(text(ad, "OpSys"), 10) + " " + pad(text(ad, "Arch"), 6) + " "
                         + pad(text(ad, "State"), 9) + " " + pad(text(ad, "Activity"), 8) + " " + right("0.000", 6) + " "
                         + right(text(ad, "Memory"), 6) + "  0+00:00:00")
        }
        let claimed = ads.filter { text($0, "State") == "Claimed" }.count
        lines += ["", "               Total Owner Claimed Unclaimed Matched Preempting  Drain Backfill BkIdle", "",
                  "         Total " + right(String(ads.count), 5) + "     0" + right(String(claimed), 8)
                    + right(String(ads.count - claimed), 10) + "       0          0      0        0      0"]
        return lines.joined(separator: "\n")
    }

    /// condor_status `-long`: each ad as `Name = value` lines, sorted, ads apart by a blank line.
    public static func long(_ ads: [ClassAd]) -> String {
        ads.map { ad in ad.keys.sorted().map { "\($0) = \(ad[$0]!)" }.joined(separator: "\n") + "\n" }
            .joined(separator: "\n")
    }

    /// `-af NAME...`: each ad's values of the named attributes, strings without quotes,
    /// `undefined` for a missing one.
    public static func autoformat(_ ads: [ClassAd], attributes: [String]) -> String {
        ads.map { ad in
            attributes.map { name in
                let key = ad.keys.first { $0.lowercased() == name.lowercased() }
                switch key.flatMap({ ad[$0] }) {
                case .string(let value)?: return value
                case let value?: return value.description
                case nil: return "undefined"
                }
            }.joined(separator: " ")
        }.joined(separator: "\n")
    }

    /// HTCondor's `D+HH:MM:SS`.
    static func runTime(_ seconds: Double) -> String {
        let total = Int(seconds)
        return String(format: "%d+%02d:%02d:%02d", total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func right(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    static func date(_ date: Date, seconds: Bool) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = seconds ? "MM/dd/yy HH:mm:ss" : "M/d HH:mm"
        return formatter.string(from: date)
    }
}
