import Glibc

/// Lines for the person who started the farm, on stdout or stderr. A reader that went away
/// (a closed pipe, or an mpirun that exited and took the ranks' output with it) loses the
/// text but never the rank: `FileHandle.write` traps on `EPIPE`, which once killed rank 0
/// before it wrote its verdict.
enum ConsoleOutput {
    /// Writes `text` to stdout; errors are ignored.
    static func standardOutput(_ text: String) { write(text, to: STDOUT_FILENO) }

    /// Writes `text` to stderr; errors are ignored.
    static func standardError(_ text: String) { write(text, to: STDERR_FILENO) }

    private static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
