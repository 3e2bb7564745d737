import Foundation

/// What Slurm's commands print for a served farm's queue: `sbatch`'s answer and `squeue`'s
/// table, in its default format or a `--format` of its own letters.
///
/// Source: Slurm sbatch manual (`--parsable`); squeue manual (`--format`, "JOB STATE
/// CODES", "JOB REASON CODES").
public enum SlurmReports {
    /// squeue's default format.
    public static let defaultFormat = "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R"

    /// One line of squeue: a job, an array element, or pending elements of an array shown
    /// together (`12_[3-5]`).
    public struct Row: Equatable, Sendable {
        /// The job number.
        public var job: Int
        /// `12`, `12_3` or `12_[3-5]`.
        public var id: String
        /// The array index, or `nil` outside arrays (`N/A` in `%a`).
        public var index: String?
        /// The job name (`%j`, sbatch `-J`).
        public var name: String
        /// The submitting user (`%u`).
        public var user: String
        /// The task's state as the broker says it.
        public var state: String
        /// The worker's host while it runs (`%N`), else `nil`.
        public var host: String?
        /// The cores it asks for (`%C`, sbatch `-c`).
        public var cpus: Int
        /// The memory it asks for, in MiB (`%m`, sbatch `--mem`), or `nil`.
        public var memoryMiB: Int?
        /// Its time limit in seconds (`%l`, sbatch `--time`), or `nil` for none.
        public var timeLimit: Double?
        /// Seconds it has run, while it runs.
        public var runSeconds: Double?
        /// Why it is pending (`Dependency`, `Priority`), else `nil`.
        public var reason: String?
    }

    /// The rows squeue shows for `jobs`: only those not ended unless `all`; pending array
    /// elements on one row unless `expandArrays` (`-r`).
    public static func rows(_ jobs: [FrontEndJob], all: Bool, expandArrays: Bool = false) -> [Row] {
        var rows: [Row] = []
        for job in jobs {
            var shown = job.tasks.filter { all || !$0.hasEnded }
            guard !shown.isEmpty else { continue }
            func row(_ task: QueuedTask, id: String, index: String?) -> Row {
                Row(job: job.number, id: id, index: index, name: job.name, user: job.user, state: task.state,
                    host: task.host, cpus: task.slots, memoryMiB: task.memoryMiB, timeLimit: task.timeLimit,
                    runSeconds: task.runSeconds,
                    reason: task.state == "held" ? "Dependency" : task.state == "pending" ? "Priority" : nil)
            }
            guard job.isArray else {
                rows.append(row(shown[0], id: String(job.number), index: nil))
                continue
            }
            // Pending elements waiting for the same thing are one row, as squeue shows them.
            var pending: [QueuedTask] = []
            var elements: [Row] = []
            for task in shown {
                if !expandArrays, task.state == "pending" || task.state == "held" {
                    pending.append(task)
                } else {
                    let index = task.attributes[FrontEndJob.Key.index] ?? ""
                    elements.append(row(task, id: "\(job.number)_\(index)", index: index))
                }
            }
            shown = []
            for state in ["held", "pending"] {
                let group = pending.filter { $0.state == state }
                guard let head = group.first else { continue }
                let indices = group.compactMap { $0.attributes[FrontEndJob.Key.index].flatMap(Int.init) }
                let text = group.count == 1 ? String(indices.first ?? 0) : "[\(IDRanges.format(indices.sorted()))]"
                rows.append(row(head, id: "\(job.number)_\(text)", index: text))
            }
            rows += elements
        }
        return rows
    }


    /// The compact state code: `PD`, `R`, `CD`, `F`, `TO`, `CA`.
    public static func compactState(_ state: String) -> String {
        switch state {
        case "pending", "held", "interrupted": return "PD"
        case "running": return "R"
        case "succeeded": return "CD"
        case "failed": return "F"
        case "timed out": return "TO"
        case "cancelled": return "CA"
        default: return "PD"
        }
    }

    /// The long state name: `PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `TIMEOUT`, `CANCELLED`.
    public static func longState(_ state: String) -> String {
        switch compactState(state) {
        case "R": return "RUNNING"
        case "CD": return "COMPLETED"
        case "F": return "FAILED"
        case "TO": return "TIMEOUT"
        case "CA": return "CANCELLED"
        default: return "PENDING"
        }
    }

    /// `rows` in squeue's `format` (`%.18i %.2t ...`: `%[.][width]letter`), with a header
    /// line unless `header` is false. Letters: `i` job id, `A` job number, `a` array
    /// index, `j` name, `u` user, `t` state code, `T` state, `M` time used, `l` time limit,
    /// `D` nodes, `C` cpus, `m` memory, `P` partition, `N` nodes, `R` reason or nodes, `r`
    /// reason, `q` QOS.
    public static func render(_ rows: [Row], format: String, header: Bool) -> String {
        var lines: [String] = []
        if header { lines.append(line(format) { letter in headerName(letter) }) }
        for row in rows { lines.append(line(format) { value(row, $0) }) }
        return lines.joined(separator: "\n")
    }

    static func line(_ format: String, _ field: (Character) -> String) -> String {
        var result = ""
        var characters = Array(format)[...]
        while let character = characters.popFirst() {
            guard character == "%" else { result.append(character); continue }
            var rightAligned = false
            if characters.first == "." { rightAligned = true; characters.removeFirst() }
            var width = 0
            while let digit = characters.first?.wholeNumberValue { width = width * 10 + digit; characters.removeFirst() }
            guard let letter = characters.popFirst() else { break }
            if letter == "%" { result.append("%"); continue }
            var text = field(letter)
            if width > 0 {
                if text.count > width { text = String(text.prefix(width)) }
                let padding = String(repeating: " ", count: width - text.count)
                text = rightAligned ? padding + text : text + padding
            }
            result += text
        }
        return result
    }

    static func headerName(_ letter: Character) -> String {
        switch letter {
        case "i": return "JOBID"
        case "A": return "ARRAY_JOB_ID"
        case "a": return "ARRAY_TASK_ID"
        case "j": return "NAME"
        case "u": return "USER"
        case "t": return "ST"
        case "T": return "STATE"
        case "M": return "TIME"
        case "l": return "TIME_LIMIT"
        case "D": return "NODES"
        case "C": return "CPUS"
        case "m": return "MIN_MEMORY"
        case "P": return "PARTITION"
        case "N": return "NODELIST"
        case "R": return "NODELIST(REASON)"
        case "r": return "REASON"
        case "q": return "QOS"
        default: return String(letter).uppercased()
        }
    }

    static func value(_ row: Row, _ letter: Character) -> String {
        switch letter {
        case "i": return row.id
        case "A": return String(row.job)
        case "a": return row.index ?? "N/A"
        case "j": return row.name
        case "u": return row.user
        case "t": return compactState(row.state)
        case "T": return longState(row.state)
        case "M": return duration(row.runSeconds ?? 0)
        case "l": return row.timeLimit.map(duration) ?? "UNLIMITED"
        case "D": return "1"
        case "C": return String(row.cpus)
        case "m": return row.memoryMiB.map { "\($0)M" } ?? "0"
        case "P": return "farm"
        case "N": return row.host ?? ""
        case "R": return row.reason.map { "(\($0))" } ?? row.host ?? ""
        case "r": return row.reason ?? "None"
        case "q": return "normal"
        default: return ""
        }
    }

    /// Slurm's `[D-]HH:MM:SS` (`M:SS` under an hour).
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        let days = total / 86_400, hours = total / 3600 % 24, minutes = total / 60 % 60, secs = total % 60
        if days > 0 { return String(format: "%d-%02d:%02d:%02d", days, hours, minutes, secs) }
        if hours > 0 { return String(format: "%d:%02d:%02d", hours, minutes, secs) }
        return String(format: "%d:%02d", minutes, secs)
    }
}
