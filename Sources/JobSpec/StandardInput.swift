import Foundation
import Glibc
import SystemPackage

/// The one reader of standard input for the commands that take a job on it (`run -`,
/// `check -`, `submit --file -`, and the sbatch, qsub and condor_submit front ends): an
/// input that cannot be read, closed (`<&-`) or a folder (`< /tmp`), is then a message in
/// the system's words (exit 66), where Foundation's `readDataToEndOfFile` traps.
public enum StandardInput {
    /// How messages name standard input.
    public static let name = "<standard input>"

    /// Whether descriptor 0 was closed when the program started (see ``reserveIfClosed()``).
    nonisolated(unsafe) private static var wasClosed = false

    /// Called first thing in `main`: when standard input is closed, puts `/dev/null` on
    /// descriptor 0 and remembers it was closed. Otherwise the first file, socket or MPI
    /// descriptor the program opens becomes descriptor 0, and a later read of "standard
    /// input" would read that instead of failing.
    public static func reserveIfClosed() {
        guard fcntl(STDIN_FILENO, F_GETFD) == -1, errno == EBADF else { return }
        wasClosed = true
        // open returns the lowest free descriptor: 0.
        let descriptor = open("/dev/null", O_RDONLY)
        if descriptor > STDIN_FILENO { close(descriptor) }
    }

    /// Every byte of standard input, read to its end.
    ///
    /// - Throws: ``StandardInputError`` with the system's reason ("Bad file descriptor" when
    ///   it was closed, "Is a directory") when it cannot be read.
    public static func read() throws(StandardInputError) -> Data {
        if wasClosed { throw StandardInputError(reason: Errno.badFileDescriptor.description) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count: Int
            do {
                // FileDescriptor.read retries a read interrupted by a signal (EINTR).
                count = try buffer.withUnsafeMutableBytes { try FileDescriptor.standardInput.read(into: $0) }
            } catch let error as Errno {
                throw StandardInputError(reason: error.description)
            } catch {
                throw StandardInputError(reason: "\(error)")
            }
            if count == 0 { return data }
            data.append(contentsOf: buffer[..<count])
        }
    }
}

/// Standard input could not be read: `<standard input>: cannot read (REASON)`, where
/// REASON is the operating system's (`Is a directory`). Commands exit 66 (EX_NOINPUT).
public struct StandardInputError: Error, Sendable, CustomStringConvertible {
    /// Why, in the operating system's words.
    public let reason: String

    /// `<standard input>: cannot read (REASON)`.
    public var description: String { "\(StandardInput.name): cannot read (\(reason))" }
}
