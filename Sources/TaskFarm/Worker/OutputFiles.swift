import Glibc

/// Opens per-task output files: truncated (a task that runs again replaces its files),
/// close-on-exec, parent folders created on demand. One file per running task is open,
/// never one per queued task.
struct OutputFiles {
    private var createdDirectories = Set<String>()
    /// `/dev/null`, opened once.
    let nullDescriptor: Int32

    init() {
        nullDescriptor = Glibc.open("/dev/null", O_RDWR | O_CLOEXEC)
    }

    /// Opens `path` for writing, relative to `directory` when not absolute.
    ///
    /// - Returns: the descriptor, or an error message naming the file.
    mutating func open(_ path: String, relativeTo directory: String) -> Result<Int32, OutputFileError> {
        if path == "/dev/null" { return .success(nullDescriptor) }
        let full = path.hasPrefix("/") ? path : directory + "/" + path
        var descriptor = Glibc.open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0, errno == ENOENT {
            let parent = String(full[..<(full.lastIndex(of: "/") ?? full.startIndex)])
            if !parent.isEmpty, makeDirectories(parent) {
                descriptor = Glibc.open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            }
        }
        if descriptor < 0 {
            return .failure(OutputFileError(path: full, message: String(cString: strerror(errno))))
        }
        return .success(descriptor)
    }

    /// Opens `path` ahead of its task's start without touching an existing file's content:
    /// creates it when missing (and returns its full path as `created`, so that a task
    /// given back can remove it again), else opens it as it is, for the caller to empty
    /// when the task starts.
    ///
    /// - Returns: the descriptor, or nil (errno set) when it cannot be opened.
    mutating func openAhead(_ path: String, relativeTo directory: String) -> (descriptor: Int32, created: String?)? {
        if path == "/dev/null" { return (nullDescriptor, nil) }
        let full = path.hasPrefix("/") ? path : directory + "/" + path
        func attempt() -> (descriptor: Int32, created: String?)? {
            let made = Glibc.open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if made >= 0 { return (made, full) }
            guard errno == EEXIST else { return nil }
            let existing = Glibc.open(full, O_WRONLY | O_CLOEXEC)
            return existing >= 0 ? (existing, nil) : nil
        }
        if let opened = attempt() { return opened }
        guard errno == ENOENT else { return nil }
        let parent = String(full[..<(full.lastIndex(of: "/") ?? full.startIndex)])
        guard !parent.isEmpty, makeDirectories(parent) else { return nil }
        return attempt()
    }

    /// Closes a descriptor from ``open(_:relativeTo:)`` unless it is the shared `/dev/null`.
    func close(_ descriptor: Int32) {
        if descriptor != nullDescriptor, descriptor >= 0 { _ = Glibc.close(descriptor) }
    }

    private mutating func makeDirectories(_ path: String) -> Bool {
        if createdDirectories.contains(path) { return true }
        var prefix = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            prefix += (prefix.isEmpty && path.hasPrefix("/") && component.isEmpty) ? "" : String(component)
            if !prefix.isEmpty, mkdir(prefix, 0o755) != 0, errno != EEXIST { return false }
            prefix += "/"
        }
        createdDirectories.insert(path)
        return true
    }
}

/// A per-task output file that could not be opened.
struct OutputFileError: Error {
    var path: String
    var message: String
}
