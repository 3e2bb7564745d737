import Foundation

/// The text of HTCondor job event log ("user log") events, exactly as HTCondor writes
/// them, so that HTCondor's own readers (`htcondor2.JobEventLog`, `condor_wait`,
/// DAGMan) read the farm's logs.
///
/// Every event is a header line `NNN (CLUSTER.PROC.SUBPROC) YYYY-MM-DD HH:MM:SS ` with the
/// ids printed as `%03d`, then its body, then a line `...`. Times are local time in the
/// ISO form HTCondor uses by default.
///
/// Source: HTCondor manual, "Job Event Log Codes"; HTCondor source
/// `src/condor_utils/condor_event.cpp` (`formatHeader`, `SubmitEvent::formatBody`,
/// `ExecuteEvent::formatBody`, `TerminatedEvent::formatBody`, `JobAbortedEvent::formatBody`).
public enum UserLogEvent {
    /// A job id as HTCondor prints it: `(012.003.000)`.
    public struct JobID: Sendable, Equatable {
        /// The cluster id: the farm's run id.
        public var cluster: Int
        /// The proc id: the task's `$(Process)`.
        public var proc: Int
        /// The subproc id: always 0 outside the parallel universe.
        public var subproc: Int

        /// A job id `(cluster.proc.subproc)`.
        public init(cluster: Int, proc: Int, subproc: Int = 0) {
            self.cluster = cluster
            self.proc = proc
            self.subproc = subproc
        }

        /// `(%03d.%03d.%03d)`.
        public var text: String { "(\(pad(cluster)).\(pad(proc)).\(pad(subproc)))" }
    }

    /// How a job ended, for event 005.
    public enum Termination: Sendable, Equatable {
        /// The job exited with this status (0-255).
        case exited(Int)
        /// The job was killed by this signal; `coreFile` names its core dump, if any.
        case signaled(Int, coreFile: String?)
    }

    /// CPU time used, for the usage lines of event 005, in seconds.
    public struct Usage: Sendable, Equatable {
        /// User CPU time, in seconds.
        public var userSeconds: Int
        /// System CPU time, in seconds.
        public var systemSeconds: Int

        /// CPU times in whole seconds (`rusage` rounded down).
        public init(userSeconds: Int = 0, systemSeconds: Int = 0) {
            self.userSeconds = userSeconds
            self.systemSeconds = systemSeconds
        }

        /// `Usr D HH:MM:SS, Sys D HH:MM:SS`.
        var text: String { "Usr \(Self.duration(userSeconds)), Sys \(Self.duration(systemSeconds))" }

        static func duration(_ seconds: Int) -> String {
            let days = seconds / 86_400
            let hours = seconds % 86_400 / 3600
            let minutes = seconds % 3600 / 60
            return "\(days) \(pad2(hours)):\(pad2(minutes)):\(pad2(seconds % 60))"
        }
    }

    /// Requested and allocated resources, printed as the "Partitionable Resources" table
    /// of event 005.
    public struct Resources: Sendable, Equatable {
        /// Slots requested and given.
        public var cpus: Int
        /// Disk requested, in KiB (HTCondor's "Disk (KB)"), or `nil` to leave the row out.
        public var diskKiB: Int?
        /// Memory requested, in MiB (HTCondor's "Memory (MB)"), or `nil` to leave the row out.
        public var memoryMiB: Int?

        /// The resources of a task, from its ``TaskSpec``.
        public init(cpus: Int, diskKiB: Int? = nil, memoryMiB: Int? = nil) {
            self.cpus = cpus
            self.diskKiB = diskKiB
            self.memoryMiB = memoryMiB
        }
    }

    /// The event header line's start: `NNN (C.P.S) YYYY-MM-DD HH:MM:SS `.
    public static func header(_ number: Int, _ job: JobID, at time: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: time)
        let date = "\(parts.year!)-\(pad2(parts.month!))-\(pad2(parts.day!))"
        let clock = "\(pad2(parts.hour!)):\(pad2(parts.minute!)):\(pad2(parts.second!))"
        return "\(pad(number)) \(job.text) \(date) \(clock) "
    }

    /// Event 000: `Job submitted from host: HOST`, with optional notes (DAGMan writes
    /// `DAG Node: NAME` there).
    ///
    /// - Parameter host: the submit host's address, as HTCondor writes it: `<10.0.0.1:9618>`.
    public static func submitted(_ job: JobID, at time: Date, host: String, notes: String? = nil,
                                 timeZone: TimeZone = .current) -> String {
        var text = header(0, job, at: time, timeZone: timeZone) + "Job submitted from host: \(host)\n"
        if let notes, !notes.isEmpty { text += "    \(notes)\n" }
        return text + "...\n"
    }

    /// Event 001: `Job executing on host: HOST`, with the slot name line when given.
    public static func executing(_ job: JobID, at time: Date, host: String, slotName: String? = nil,
                                 timeZone: TimeZone = .current) -> String {
        var text = header(1, job, at: time, timeZone: timeZone) + "Job executing on host: \(host)\n"
        if let slotName, !slotName.isEmpty { text += "\tSlotName: \(slotName)\n" }
        return text + "...\n"
    }

    /// Event 005: `Job terminated.`, the termination line (`(1) Normal termination (return
    /// value N)` or `(0) Abnormal termination (signal N)` and its core-file line), the four
    /// usage lines, the four byte-count lines and, when `resources` is given, the
    /// resource table.
    public static func terminated(_ job: JobID, at time: Date, termination: Termination,
                                  runUsage: Usage = Usage(), totalUsage: Usage? = nil,
                                  resources: Resources? = nil, timeZone: TimeZone = .current) -> String {
        var text = header(5, job, at: time, timeZone: timeZone) + "Job terminated.\n"
        switch termination {
        case .exited(let status):
            text += "\t(1) Normal termination (return value \(status))\n"
        case .signaled(let signal, let coreFile):
            text += "\t(0) Abnormal termination (signal \(signal))\n"
            text += coreFile.map { "\t(1) Corefile in: \($0)\n" } ?? "\t(0) No core file\n"
        }
        let zero = Usage()
        let total = totalUsage ?? runUsage
        text += "\t\t\(runUsage.text)  -  Run Remote Usage\n"
        text += "\t\t\(zero.text)  -  Run Local Usage\n"
        text += "\t\t\(total.text)  -  Total Remote Usage\n"
        text += "\t\t\(zero.text)  -  Total Local Usage\n"
        for line in ["Run Bytes Sent By Job", "Run Bytes Received By Job", "Total Bytes Sent By Job",
                     "Total Bytes Received By Job"] {
            text += "\t0  -  \(line)\n"
        }
        if let resources { text += resourceTable(resources) }
        return text + "...\n"
    }

    /// Event 009: `Job was aborted.` and the reason line.
    public static func aborted(_ job: JobID, at time: Date, reason: String?,
                               timeZone: TimeZone = .current) -> String {
        var text = header(9, job, at: time, timeZone: timeZone) + "Job was aborted.\n"
        if let reason, !reason.isEmpty {
            text += "\t\(reason.replacingOccurrences(of: "\n", with: "|"))\n"
        }
        return text + "...\n"
    }

    /// The "Partitionable Resources" table: columns Usage (blank: not measured), Request
    /// and Allocated, rows Cpus, Disk (KB), Memory (MB), laid out as `formatUsageAd` does.
    static func resourceTable(_ resources: Resources) -> String {
        var rows: [(String, String)] = [("Cpus", String(resources.cpus))]
        if let disk = resources.diskKiB { rows.append(("Disk (KB)", String(disk))) }
        if let memory = resources.memoryMiB { rows.append(("Memory (MB)", String(memory))) }
        let requestWidth = max(8, rows.map { $0.1.count }.max() ?? 0)
        let allocatedWidth = max(9, rows.map { $0.1.count }.max() ?? 0)
        func right(_ text: String, _ width: Int) -> String {
            String(repeating: " ", count: max(0, width - text.count)) + text
        }
        var text = "\tPartitionable Resources : \(right("Usage", 8)) \(right("Request", requestWidth)) "
            + "\(right("Allocated", allocatedWidth)) \n"
        for (label, value) in rows {
            let padded = label + String(repeating: " ", count: max(0, 20 - label.count))
            text += "\t   \(padded) : \(right("", 8)) \(right(value, requestWidth)) \(right(value, allocatedWidth)) \n"
        }
        return text
    }
}

private func pad(_ value: Int) -> String {
    let digits = String(abs(value))
    return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
}

private func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
