import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// An exclusive lock on a state folder, held while a run uses it: a second run on the same
/// folder is refused, naming the holder. The kernel releases it when the holder dies.
public final class StateLock {
    private let descriptor: Int32

    /// Takes the lock at `path` (the folder's `lock` file).
    ///
    /// - Throws: ``StateFolderInUse`` naming the holder's pid, host and start time when
    ///   another run holds it; ``JournalError`` with the reason the file cannot be opened.
    public init(path: String) throws {
        descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw JournalError(message: "\(path): cannot open the lock: \(Errno(rawValue: errno).description)")
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "another process"
            close(descriptor)
            throw StateFolderInUse(message: "the state folder is in use by \(holder.isEmpty ? "another process" : holder); "
                + "wait for that run to end, or give this one another --state-dir")
        }
        let note = "pid \(getpid()) on \(HostFacts.hostName) since \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(descriptor, 0)
        _ = note.withCString { Glibc.pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// Whether a live process holds the lock at `path`: `false` when the file is missing or
    /// the lock is free (its holder died, since the kernel releases it with the process).
    public static func isHeld(path: String) -> Bool {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
            _ = flock(descriptor, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        close(descriptor)
    }
}

/// Another run holds the state folder's lock (exit 75: try again when it has ended).
public struct StateFolderInUse: Error, Sendable, CustomStringConvertible {
    /// Who holds it, and what to do.
    public var message: String
    /// The message, as is.
    public var description: String { message }
}
