import CTaskSpawn
import Foundation

/// A short program rank 0 runs for itself (a batch-system query, the `--notify-command`
/// hook), started by the task spawner in a process group of its own and reaped by pid.
///
/// Not Foundation's `Process`: on Linux it learns that a child ended from EOF on a socket
/// that every descendant inherits, so a hook that leaves a background process behind
/// (`mail ... &`) would hold the farm at its exit for as long as that process lives.
struct HelperCommand {
    /// The child's pid, which is also its process group's id.
    let pid: pid_t

    /// Starts `argv`; argv[0] is the program's absolute path (no PATH search).
    /// - Parameters:
    ///   - environment: the child's whole environment.
    ///   - stdoutPath: a file for standard output (created or truncated), or nil for
    ///     /dev/null; standard input and error are /dev/null.
    /// - Throws: `HelperCommand.StartError` with the reason when it cannot start.
    init(argv: [String], environment: [String: String], stdoutPath: String? = nil) throws {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        let output = stdoutPath.map { open($0, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600) } ?? null
        defer {
            if output != null, output >= 0 { close(output) }
            if null >= 0 { close(null) }
        }
        guard null >= 0, output >= 0 else { throw StartError(reason: String(cString: strerror(errno))) }
        let entries = environment.map { "\($0.key)=\($0.value)" }
        switch ProcessSpawn.start(path: argv[0], argv: argv, environment: entries, directory: nil,
                                  stdin: null, stdout: output, stderr: null, deathSignal: 0, widenAffinity: false) {
        case .success(let child): pid = child
        case .failure(let error): throw StartError(reason: "\(argv[0]): \(String(cString: strerror(error.code)))")
        }
    }

    /// Why a helper could not start.
    struct StartError: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// The exit status (128 + N after signal N), or nil while it runs.
    func poll() -> Int32? {
        var status: Int32 = 0
        var usage = rusage()
        guard tf_reap(pid, &status, &usage) == pid else { return nil }
        return tf_status_exited(status) != 0 ? tf_status_exit_code(status) : 128 + tf_status_signal(status)
    }

    /// Waits up to `timeout` seconds, polling every 20 ms.
    /// - Returns: the exit status, or nil if it still runs.
    func wait(timeout: Double) -> Int32? {
        let deadline = Clock.monotonicSeconds() + timeout
        while true {
            if let status = poll() { return status }
            if Clock.monotonicSeconds() >= deadline { return nil }
            tf_sleep_microseconds(20_000)
        }
    }

    /// Kills the helper's process group (SIGKILL) and reaps it.
    func kill() {
        _ = tf_kill_group(pid, SIGKILL)
        _ = wait(timeout: 5)
    }
}
