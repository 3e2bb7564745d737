import Foundation

/// Path handling shared by the DAG parser and the rescue files. DAGMan resolves relative
/// paths against the directory it was started from (or the DAG file's folder with
/// `-usedagdir`); `DIR` folders nest, and absolute paths are left as they are.
enum DAGPaths {
    /// `path` inside `base`, or `path` itself when it is absolute or `base` is empty.
    static func join(_ base: String?, _ path: String) -> String {
        guard let base, !base.isEmpty, !path.hasPrefix("/") else { return path }
        if path.isEmpty || path == "." { return base }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }

    /// Reads a text file.
    ///
    /// - Throws: ``JobSpecError`` at `referencedAt` (or naming the file alone) when it is
    ///   missing, a directory or unreadable.
    static func read(_ path: String, displayName: String, what: String,
                     referencedAt: SourceLocation?) throws(JobSpecError) -> String {
        func fail(_ message: String) -> JobSpecError {
            if let referencedAt { return JobSpecError("\(what) \(displayName): \(message)", at: referencedAt) }
            return JobSpecError(message + "; expected \(what)", file: displayName)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw fail("no such file")
        }
        if isDirectory.boolValue { throw fail("is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("cannot be read") }
        // Refused naming the line, as every job file is, rather than decoded with U+FFFD in
        // place of the bad bytes (a node name that then matches nothing, quoted garbled).
        return try JobLoader.text(of: data, file: displayName)
    }

    /// `path` with symbolic links, `.` and `..` resolved (realpath(3)), so that two
    /// spellings of one file compare equal; `path` itself when it does not exist.
    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether a regular file exists at `path`.
    static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
