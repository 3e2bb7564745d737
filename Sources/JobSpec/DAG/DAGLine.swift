/// One statement line of a DAG file, split into white-space separated words with their
/// columns, so errors can point at the word at fault.
///
/// DAGMan reads a DAG file a line at a time: blank lines and lines whose first non-blank
/// character is `#` are skipped, and a CR before the newline is dropped.
///
/// Source: HTCondor manual, DAGMan "DAG input file" (comments and white space).
struct DAGLine {
    /// A word and its 1-based column.
    struct Word {
        var text: String
        var column: Int
    }

    let location: SourceLocation
    /// The line without its line ending.
    let text: Substring
    let words: [Word]

    init(file: String, number: Int, text: Substring) {
        self.location = SourceLocation(file: file, line: number)
        self.text = text
        var words: [Word] = []
        var column = 1
        var current = ""
        var start = 0
        for character in text {
            if character == " " || character == "\t" {
                if !current.isEmpty { words.append(Word(text: current, column: start)) }
                current = ""
            } else {
                if current.isEmpty { start = column }
                current.append(character)
            }
            column += 1
        }
        if !current.isEmpty { words.append(Word(text: current, column: start)) }
        self.words = words
    }

    /// The statement lines of `contents`: blank and `#` comment lines are left out.
    static func statements(of contents: String, file: String) -> [DAGLine] {
        var lines: [DAGLine] = []
        var number = 0
        // "\r\n" is one Character in Swift, so split on both forms of line end.
        for var raw in contents.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            if raw.last == "\r" { raw = raw.dropLast() }
            let trimmed = raw.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.first == "#" { continue }
            lines.append(DAGLine(file: file, number: number, text: raw))
        }
        return lines
    }

    /// The keyword, upper-cased (DAG keywords are case-insensitive).
    var keyword: String { words[0].text.uppercased() }

    /// The location of word `index` (its column), or of the line's end when it is missing.
    func location(ofWord index: Int) -> SourceLocation {
        var location = self.location
        location.column = index < words.count ? words[index].column : text.count + 1
        return location
    }

    /// The text from word `index` to the end of the line, as written.
    func rest(fromWord index: Int) -> Substring {
        guard index < words.count else { return "" }
        return text.dropFirst(words[index].column - 1)
    }

    /// An error at word `index`.
    func error(_ message: String, atWord index: Int) -> JobSpecError {
        JobSpecError(message, at: location(ofWord: index))
    }
}
