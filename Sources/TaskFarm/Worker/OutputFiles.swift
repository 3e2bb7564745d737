#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

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

    /// An output file opened for a task.
    struct Opened {
        var descriptor: Int32
        /// The full path when this call created the file, so that a task given back before
        /// it started can remove it again; nil when it existed (or is `/dev/null`).
        var created: String?
    }

    /// Opens `path` for writing now, relative to `directory` when not absolute: an
    /// existing file is emptied, as `O_TRUNC` would.
    ///
    /// - Returns: the descriptor, or an error naming the file and the system's reason.
    mutating func open(_ path: String, relativeTo directory: String) -> Result<Int32, OutputFileError> {
        openAhead(path, relativeTo: directory).map { opened in
            if opened.created == nil { truncate(opened.descriptor) }
            return opened.descriptor
        }
    }

    /// Opens `path` ahead of its task's start without touching an existing file's content:
    /// creates it when missing, else opens it as it is, for ``truncate(_:)`` when the task
    /// starts. Missing parent folders are created.
    ///
    /// - Returns: the file, or an error naming it and the system's reason.
    mutating func openAhead(_ path: String, relativeTo directory: String) -> Result<Opened, OutputFileError> {
        if path == "/dev/null" { return .success(Opened(descriptor: nullDescriptor)) }
        let full = path.hasPrefix("/") ? path : directory + "/" + path
        func attempt() -> Opened? {
            let made = Glibc.open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if made >= 0 { return Opened(descriptor: made, created: full) }
            guard errno == EEXIST else { return nil }
            let existing = Glibc.open(full, O_WRONLY | O_CLOEXEC)
            return existing >= 0 ? Opened(descriptor: existing) : nil
        }
        if let opened = attempt() { return .success(opened) }
        if errno == ENOENT {
            let parent = String(full[..<(full.lastIndex(of: "/") ?? full.startIndex)])
            if !parent.isEmpty, makeDirectories(parent), let opened = attempt() { return .success(opened) }
        }
        return .failure(OutputFileError(path: full, message: Errno(rawValue: errno).description))
    }

    /// Empties a file opened by ``openAhead(_:relativeTo:)`` (not the shared `/dev/null`).
    func truncate(_ descriptor: Int32) {
        if descriptor != nullDescriptor { _ = ftruncate(descriptor, 0) }
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
