/// A problem with a job file, naming the file, the line and what was expected.
///
/// Every parser in this module throws this type, so the command line prints one shape
/// of message and exits 65 ("bad job file").
public struct JobSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is.
    public var location: SourceLocation
    /// What is wrong and what was expected, in plain words.
    public var message: String

    /// An error at `location`; `message` says what is wrong and what was expected.
    public init(_ message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
    }

    /// An error in `file` at 1-based `line` and `column`; 0 for either means unknown.
    public init(_ message: String, file: String, line: Int = 0, column: Int = 0) {
        self.init(message, at: SourceLocation(file: file, line: line, column: column))
    }

    /// Whether the problem is in the command line rather than in a file: sysexits' EX_USAGE
    /// (64) instead of EX_DATAERR (65).
    public var isInCommandLine: Bool { location.file == SourceLocation.commandLine }

    /// `FILE:LINE[:COLUMN]: error: MESSAGE`, or `FILE: error: MESSAGE` when the line is unknown,
    /// in the style of compiler diagnostics.
    public var description: String { labelled("error") }

    /// The same problem reported as a warning, when the load goes on:
    /// `FILE:LINE[:COLUMN]: warning: MESSAGE`.
    public var warningDescription: String { labelled("warning") }

    /// Control characters a message quotes from the file (or a file name holds) are escaped
    /// (``VisibleText``), so that printing the error cannot drive the user's terminal.
    private func labelled(_ severity: String) -> String {
        let text = location.line > 0 ? "\(location): \(severity): \(message)" : "\(location.file): \(severity): \(message)"
        return VisibleText.escaped(text, keepingNewlines: true)
    }
}
