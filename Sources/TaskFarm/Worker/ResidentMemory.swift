import Foundation

/// How much memory a task's processes hold: the resident set of every process in its
/// process group (each task runs in its own group, whose id is its first process's pid),
/// read from /proc/PID/stat (proc(5): field 5 `pgrp`, field 24 `rss` in pages).
enum ResidentMemory {
    /// The summed resident set of the processes in process group `group`, in bytes; 0 when
    /// none can be read.
    static func bytes(ofGroup group: Int32) -> Int {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 0 }
        let page = sysconf(Int32(_SC_PAGESIZE))
        var total = 0
        for entry in entries where entry.first?.isNumber == true {
            guard let text = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let fields = statFields(text), fields.count > 21, Int32(fields[2]) == group,
                  let pages = Int(fields[21]) else { continue }
            total += pages * page
        }
        return total
    }

    /// The fields after the command name of a /proc/PID/stat line (the name, in
    /// parentheses, may hold blanks): index 0 is field 3, `state`.
    static func statFields(_ text: String) -> [Substring]? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }
}
