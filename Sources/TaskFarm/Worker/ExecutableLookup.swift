#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds a program in `PATH` the way `execvp` does, caching answers: a farm runs the same
/// few programs thousands of times.
struct ExecutableLookup {
    private var cache: [String: String] = [:]

    /// The path to execute for `name`: `name` itself when it holds a `/`, else the first
    /// executable regular file `DIR/name` along `searchPath`, or `nil`.
    mutating func resolve(_ name: String, searchPath: String?) -> String? {
        // A byte test: `String.contains("/")` is Foundation's locale-aware search, per task.
        if name.utf8.contains(UInt8(ascii: "/")) { return name }
        let key = name + "\u{0}" + (searchPath ?? "")
        if let cached = cache[key] { return cached }
        let directories = (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false)
        for directory in directories {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            var info = stat()
            if access(candidate, X_OK) == 0, stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
                cache[key] = candidate
                return candidate
            }
        }
        return nil
    }
}
