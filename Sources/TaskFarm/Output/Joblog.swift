import Foundation
import JobSpec
import SystemPackage

/// GNU parallel's joblog: a header, then one tab-separated row per task for its last
/// attempt, so tools that read parallel's joblog read ours.
///
/// Columns: Seq (position + 1), Host, Starttime (epoch seconds, 3 decimals), JobRuntime
/// (seconds, 3 decimals), Send, Receive (bytes transferred: always 0 here), Exitval,
/// Signal, Command. A death by signal N gives Exitval 0 and Signal N; a timeout kill gives
/// Exitval -1 and Signal 15, as GNU parallel writes them.
///
/// Source: GNU parallel manual, `--joblog`.
public final class Joblog {
    /// The header line, newline included (GNU parallel manual: --joblog).
    public static let header = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"

    private let handle: FileHandle
    private var buffer: [UInt8] = []

    /// Creates (truncates) the joblog at `path` and writes the header, or, when
    /// `appending` (a resumed run), keeps the rows already there.
    ///
    /// - Throws: ``CreateError`` with the system's reason (a missing folder, no permission)
    ///   when it cannot be created.
    public init(path: String, appending: Bool = false) throws {
        let manager = FileManager.default
        let exists = manager.fileExists(atPath: path)
        if !exists || !appending {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw CreateError(reason: Errno(rawValue: errno).description) }
            let header = Array(Joblog.header.utf8)
            let written = write(descriptor, header, header.count)
            let reason = written == header.count ? nil : Errno(rawValue: errno).description
            close(descriptor)
            if let reason { throw CreateError(reason: reason) }
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
    }

    /// Why the joblog could not be created, in the system's words (`strerror`).
    public struct CreateError: Error, LocalizedError {
        /// The system's reason, such as "No such file or directory".
        public var reason: String
        /// The reason, for `localizedDescription`.
        public var errorDescription: String? { reason }
    }

    /// The row for one task's last attempt.
    public static func row(seq: Int, host: String, completion: TaskCompletion, command: String) -> String {
        let exitValue: Int
        let signal: Int
        switch completion.outcome {
        case .timedOut, .memoryExceeded:
            exitValue = -1
            signal = 15
        case .signaled:
            exitValue = 0
            signal = completion.signal ?? 0
        default:
            exitValue = completion.exitCode ?? (completion.signal != nil ? 0 : -1)
            signal = completion.signal ?? 0
        }
        let runtime = max(0, completion.endTime - completion.startTime)
        let flatCommand = command.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
        return "\(seq)\t\(host)\t\(format3(completion.startTime))\t\(format3(runtime))\t0\t0\t\(exitValue)\t\(signal)\t\(flatCommand)\n"
    }

    /// Seconds with exactly 3 decimals, as GNU parallel prints them.
    static func format3(_ value: Double) -> String {
        let thousandths = Int(saturating: (value * 1000).rounded())
        let whole = thousandths / 1000
        let fraction = abs(thousandths % 1000)
        let padded = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(whole).\(padded)"
    }

    /// Buffers a row; ``flush()`` writes it.
    public func append(seq: Int, host: String, completion: TaskCompletion, command: String) {
        buffer.append(contentsOf: Joblog.row(seq: seq, host: host, completion: completion, command: command).utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes the buffered rows.
    public func flush() {
        guard !buffer.isEmpty else { return }
        try? handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    deinit {
        flush()
        try? handle.close()
    }
}
