import Foundation

/// Small path helpers shared by the formats.
enum Paths {
    /// The last component of `path`: `job.sh` for `dir/job.sh`.
    static func lastComponent(_ path: String) -> String { (path as NSString).lastPathComponent }

    /// `path` joined to `directory` unless it is absolute, without `.` components
    /// (`./prog` in `/work` is `/work/prog`). `..` is kept: it means something else
    /// after a symbolic link.
    static func resolve(_ path: String, in directory: String) -> String {
        let joined = path.hasPrefix("/") ? path : directory + "/" + path
        let parts = joined.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return "/" + parts.joined(separator: "/") + (path.hasSuffix("/") && !parts.isEmpty ? "/" : "")
    }
}
