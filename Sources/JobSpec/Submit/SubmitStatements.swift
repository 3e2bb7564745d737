/// The statements of a submit description, with line continuations joined and comments
/// dropped: `key = value` commands and `queue` statements.
///
/// - Keys are case-insensitive; the text around `=` is trimmed.
/// - Lines end with LF or CRLF.
/// - A line whose first non-blank character is `#` is a comment. A `#` later in a line is
///   part of the value, as in condor_submit.
/// - A line ending in `\` continues on the next line (its leading blanks dropped).
/// - A queue statement's item list in parentheses may span lines, up to a line that starts
///   with `)` (items may contain `)`).
///
/// Source: HTCondor manual, condor_submit, "Submit Description File Commands".
enum SubmitStatement: Equatable {
    /// `key = value`; `key` as written (compare lowercased).
    case command(key: String, value: String, location: SourceLocation)
    /// `queue ...`: the text after the word `queue`, with any parenthesised item lines.
    case queue(arguments: String, location: SourceLocation)

    /// Splits `text` into statements.
    ///
    /// - Throws: ``JobSpecError`` naming the line for a line that is neither `key = value`
    ///   nor a queue statement, for a key that is not a name, and for an item list whose
    ///   `(` is never closed.
    static func parse(_ text: String, file: String) throws(JobSpecError) -> [SubmitStatement] {
        let lines = text.fileLines.map(String.init)
        var statements: [SubmitStatement] = []
        var number = 0
        while number < lines.count {
            let startLine = number + 1
            var line = lines[number]
            number += 1
            if line.trimmingBlanks.hasPrefix("#") || line.trimmingBlanks.isEmpty { continue }
            while line.hasSuffix("\\") {
                line.removeLast()
                guard number < lines.count else { break }
                let next = lines[number]
                number += 1
                if next.trimmingBlanks.hasPrefix("#") { continue }
                line += next.drop(while: { $0 == " " || $0 == "\t" })
            }
            let location = SourceLocation(file: file, line: startLine, column: 1)
            let trimmed = line.trimmingBlanks
            let firstWord = trimmed.prefix(while: { !" \t=(".contains($0) }).lowercased()
            if firstWord == "queue", !trimmed.dropFirst(5).trimmingBlanks.hasPrefix("=") {
                var arguments = String(trimmed.dropFirst(5))
                // An item list in parentheses that is left open continues on later lines.
                if let open = arguments.firstIndex(of: "("), !arguments[open...].contains(")") {
                    var closed = false
                    while number < lines.count {
                        let next = lines[number]
                        number += 1
                        arguments += "\n" + next
                        // The list ends at a line that starts with `)`; an item may hold one.
                        if next.trimmingBlanks.hasPrefix(")") { closed = true; break }
                    }
                    guard closed else {
                        throw JobSpecError("the queue item list opened with '(' is never closed; expected a line with ')'",
                                           at: location)
                    }
                }
                statements.append(.queue(arguments: arguments, location: location))
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                let column = line.count - line.drop(while: { $0 == " " || $0 == "\t" }).count + 1
                throw JobSpecError("expected 'command = value' or a queue statement, found '\(trimmed)'",
                                   file: file, line: startLine, column: column)
            }
            let key = line[..<equals].trimmingBlanks
            guard !key.isEmpty,
                  key.allSatisfy({ $0.isLetter || $0.isNumber || "_.+-".contains($0) }) else {
                throw JobSpecError("'\(key)' is not a command or macro name; expected letters, digits and '_' before '='",
                                   file: file, line: startLine, column: 1)
            }
            let valueStart = line[line.index(after: equals)...]
            let leading = valueStart.prefix(while: { $0 == " " || $0 == "\t" }).count
            let column = line.distance(from: line.startIndex, to: equals) + 2 + leading
            statements.append(.command(key: key, value: valueStart.trimmingBlanks,
                                       location: SourceLocation(file: file, line: startLine, column: column)))
        }
        return statements
    }
}
