#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CTaskSpawn
import Foundation

/// A program the tests start: spawned by the farm's own spawner (`tf_spawn`: a process
/// group of its own, default signal handling, no descriptor beyond 0–2), reaped with
/// `waitpid`.
///
/// Why not Foundation's `Process`: on Linux it learns that a child ended from EOF on a
/// socket that every descendant inherits, so a daemon the child starts (munged, an orphaned
/// task) makes `waitUntilExit` wait forever. Reaping by pid cannot hang that way, and the
/// process group lets a timeout stop the child's descendants too.
public final class ChildProcess: @unchecked Sendable {
    /// How the child ended.
    public enum Termination: Equatable, Sendable {
        /// It exited with this status (0–255).
        case exited(Int32)
        /// A signal ended it.
        case signalled(Int32)
    }

    /// The child's pid, which is also its process group's id.
    public let pid: pid_t
    private var ended: Termination?

    /// Starts `executable` (a path) with `arguments`.
    /// - Parameters:
    ///   - directory: the working folder, or nil for ours.
    ///   - environment: the whole environment; nil inherits ours.
    ///   - stdin, stdout, stderr: paths opened for the child; stdout and stderr are created
    ///     or truncated, and share one descriptor when they name the same file.
    /// - Throws: `POSIXError` when the spawn fails (a missing executable, for one).
    public init(_ executable: String, _ arguments: [String], in directory: URL? = nil,
                environment: [String: String]? = nil, stdin: String = "/dev/null",
                stdout: String = "/dev/null", stderr: String = "/dev/null") throws {
        let input = open(stdin, O_RDONLY | O_CLOEXEC)
        let output = open(stdout, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let errors = stderr == stdout ? output : open(stderr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        defer { Set([input, output, errors]).filter { $0 >= 0 }.forEach { close($0) } }
        guard input >= 0, output >= 0, errors >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let entries = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let envp = entries.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let code = executable.withCString { path in
            (directory?.path).withCStringOrNil { folder in
                var request = tf_spawn_request(path: path, argv: argv, envp: envp, cwd: folder,
                                               stdin_fd: input, stdout_fd: output, stderr_fd: errors,
                                               death_signal: 0, widen_affinity: 0, bind_cpus: nil, bind_count: 0)
                return tf_spawn(&request, &child)
            }
        }
        guard code == 0 else { throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EINVAL) }
        pid = child
    }

    /// Whether the child still runs (reaps it when it has ended).
    public var isRunning: Bool { poll() == nil }

    /// How the child ended, or nil while it runs.
    public var termination: Termination? { poll() }

    /// The exit status, or the signal number when a signal ended it (Foundation's
    /// `terminationStatus` convention); nil while it runs.
    public var status: Int32? {
        switch poll() {
        case .exited(let code)?: return code
        case .signalled(let signal)?: return signal
        case nil: return nil
        }
    }

    /// Waits up to `timeout` seconds for the child to end.
    /// - Returns: how it ended, or nil if it still runs.
    @discardableResult
    public func wait(timeout: Double) -> Termination? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let ended = poll() { return ended }
            if Date() >= deadline { return nil }
            usleep(10_000)
        }
    }

    /// Sends `signal` to the child alone (as a user's `kill PID` would).
    public func signal(_ signal: Int32) {
        if poll() == nil { kill(pid, signal) }
    }

    /// Ends the child's whole process group: SIGTERM, then SIGKILL after `grace` seconds,
    /// and reaps the child.
    @discardableResult
    public func stopGroup(grace: Double = 3) -> Termination {
        kill(-pid, SIGTERM)
        if let ended = wait(timeout: grace) {
            kill(-pid, SIGKILL)
            return ended
        }
        kill(-pid, SIGKILL)
        return wait(timeout: 3600)!
    }

    private func poll() -> Termination? {
        if let ended { return ended }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
        ended = (raw & 0x7f) == 0 ? .exited((raw >> 8) & 0xff) : .signalled(raw & 0x7f)
        return ended
    }

    deinit {
        if poll() == nil { stopGroup(grace: 1) }
    }
}

extension Optional where Wrapped == String {
    /// Calls `body` with a C string, or with nil.
    fileprivate func withCStringOrNil<R>(_ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let self else { return body(nil) }
        return self.withCString { body($0) }
    }
}
