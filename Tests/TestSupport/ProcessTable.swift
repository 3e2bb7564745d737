import Foundation

/// Live processes, read from Linux's /proc (proc(5)): for tests that look for a task's
/// processes or measure a rank's CPU time.
public enum ProcessTable {
    /// Live (not zombie) processes whose command line, arguments joined by single spaces,
    /// passes `test`.
    public static func processes(_ test: (String) -> Bool) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty,
                  let fields = statFields(of: pid), fields.first != "Z" else { return false }
            let words = data.split(separator: 0, omittingEmptySubsequences: false).dropLast()
            return test(words.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " "))
        }
    }

    /// Live processes whose command line is exactly `text`.
    public static func processes(exactly text: String) -> [pid_t] {
        processes { $0 == text }
    }

    /// The parent's pid, or nil when `pid` is gone.
    public static func parent(of pid: pid_t) -> pid_t? {
        guard let fields = statFields(of: pid), fields.count > 1 else { return nil }
        return pid_t(fields[1])
    }

    /// User plus system CPU time of `pid` itself (children excluded), in seconds; nil when
    /// it is gone. proc(5): /proc/PID/stat fields 14 and 15, in clock ticks.
    public static func cpuSeconds(of pid: pid_t) -> Double? {
        guard let fields = statFields(of: pid), fields.count > 12,
              let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// /proc/PID/stat from field 3 (the state) on: the command name, which may hold spaces,
    /// is skipped.
    private static func statFields(of pid: pid_t) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }
}
