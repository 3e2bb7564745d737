/// The directive lines of a batch script (`#SBATCH ...`, `#PBS ...`), read the way sbatch
/// and qsub read them: from the top of the file until the first line that is neither
/// blank nor a comment. Directives after that line are ignored, and reported as warnings
/// because a user almost certainly meant them.
///
/// Sources: Slurm sbatch manual ("sbatch will stop processing further #SBATCH directives
/// once the first non-comment non-whitespace line has been reached"); PBS Pro reference,
/// qsub ("directives ... before the first executable line").
struct BatchDirectives {
    typealias Option = BatchOption

    /// The options, in file order.
    var options: [Option] = []
    /// Directives found after the first executable line.
    var warnings: [JobSpecError] = []
    /// The script's `#!` line without `#!`, or `nil`.
    var shebang: String?

    /// Reads `text`, a script whose directives start with `prefix` (`#SBATCH`, `#PBS`).
    ///
    /// - Parameters:
    ///   - takesValue: whether an option name (`-J`, `--array`) takes an argument when
    ///     not written `--name=value`.
    /// - Throws: ``JobSpecError`` for an unclosed quote or an option missing its argument.
    init(text: String, file: String, prefix: String, takesValue: (String) -> Bool) throws(JobSpecError) {
        var stillReading = true
        for (number, line) in text.fileLines.enumerated() {
            let lineNumber = number + 1
            if lineNumber == 1, line.hasPrefix("#!") {
                shebang = String(line.dropFirst(2)).trimmingBlanks
                continue
            }
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            let afterPrefix = trimmed.dropFirst(prefix.count)
            let isDirective = trimmed.hasPrefix(prefix) && (afterPrefix.isEmpty || " \t".contains(afterPrefix.first!))
            if !stillReading {
                if isDirective {
                    warnings.append(JobSpecError("\(prefix) directive after the first command is ignored, as "
                                                 + "\(prefix == "#PBS" ? "qsub" : "sbatch") ignores it; move it to the top",
                                                 file: file, line: lineNumber, column: line.count - trimmed.count + 1))
                }
                continue
            }
            if trimmed.isEmpty || (trimmed.hasPrefix("#") && !isDirective) { continue }
            guard isDirective else { stillReading = false; continue }
            let startColumn = line.count - trimmed.count + prefix.count + 1
            let words = try Self.words(String(trimmed.dropFirst(prefix.count)), file: file, line: lineNumber,
                                       column: startColumn)
            options += try BatchOption.options(
                from: words.map { ($0.0, SourceLocation(file: file, line: lineNumber, column: $0.1)) },
                takesValue: takesValue)
        }
    }

    /// Splits a directive's text into words with their 1-based columns, honouring single
    /// and double quotes and backslashes as the shell would; an unquoted `#` after a
    /// blank starts a comment.
    static func words(_ text: String, file: String, line: Int, column: Int) throws(JobSpecError) -> [(String, Int)] {
        var words: [(String, Int)] = []
        var current = ""
        var inWord = false
        var wordColumn = 0
        var quote: Character?
        var escaped = false
        for (offset, character) in text.enumerated() {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\", open == "\"" {
                    escaped = true
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case " ", "\t":
                if inWord { words.append((current, wordColumn)); current = ""; inWord = false }
            case "#" where !inWord:
                return words
            default:
                if !inWord { inWord = true; wordColumn = column + offset }
                if character == "'" || character == "\"" { quote = character }
                else if character == "\\" { escaped = true }
                else { current.append(character) }
            }
        }
        if let open = quote {
            throw JobSpecError("unclosed \(open) quote in the directive", file: file, line: line, column: wordColumn)
        }
        if inWord { words.append((current, wordColumn)) }
        return words
    }
}

extension SourceLocation {
    /// The same place `columns` further right.
    func advanced(by columns: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column + columns)
    }
}

extension StringProtocol {
    /// The lines of a file: split at LF and CRLF (a CR never ends up in a line), the
    /// last line counted even without a final newline, and no empty line after a final
    /// newline.
    var fileLines: [Substring] {
        // "\r\n" is one Character in Swift, so both separators are listed.
        var lines = String(self)[...].split(omittingEmptySubsequences: false,
                                            whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { $0.last == "\r" ? $0.dropLast() : $0 }
    }

    /// The text without leading and trailing spaces, tabs and CRs.
    var trimmingBlanks: String {
        // Compared, not looked up in a set: this runs for every value of every proc and
        // every row `check` lists, where building and hashing a set cost more than the trim.
        func isBlank(_ character: Character) -> Bool {
            character == " " || character == "\t" || character == "\r" || character == "\n" || character == "\r\n"
        }
        guard let first = firstIndex(where: { !isBlank($0) }),
              let last = lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(self[first...last])
    }
}
