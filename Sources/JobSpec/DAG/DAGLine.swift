/// One statement line of a DAG file, split into white-space separated words with their
/// columns, so errors can point at the word at fault.
///
/// DAGMan reads a DAG file a line at a time: blank lines and lines whose first non-blank
/// character is `#` are skipped, and a CR before the newline is dropped. Lines are scanned as
/// UTF-8 bytes (a million-line DAG is read in about a second), so columns count bytes.
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
    /// The first word upper-cased (DAG keywords are case-insensitive).
    let keyword: String

    init(file: String, number: Int, text: Substring) {
        self.location = SourceLocation(file: file, line: number)
        self.text = text
        var words: [Word] = []
        let bytes = text.utf8
        var index = bytes.startIndex
        var column = 1
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                index = bytes.index(after: index)
                column += 1
                continue
            }
            let start = index
            let startColumn = column
            while index != bytes.endIndex, bytes[index] != UInt8(ascii: " "), bytes[index] != UInt8(ascii: "\t") {
                index = bytes.index(after: index)
                column += 1
            }
            words.append(Word(text: String(text[start..<index]), column: startColumn))
        }
        self.words = words
        self.keyword = words.first.map { DAGLine.upperASCII($0.text) } ?? ""
    }

    /// Calls `body` with each statement line of `contents` (without its line ending) and its
    /// 1-based number; blank and `#` comment lines are left out. Nothing is kept, so a
    /// million-line file costs no per-line memory.
    static func forEachStatement(of contents: String,
                                 _ body: (Substring, Int) throws(JobSpecError) -> Void) throws(JobSpecError) {
        let bytes = contents.utf8
        var number = 0
        var lineStart = bytes.startIndex
        while lineStart != bytes.endIndex {
            number += 1
            let start = lineStart
            let end = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            var contentEnd = end
            if contentEnd != lineStart, bytes[bytes.index(before: contentEnd)] == UInt8(ascii: "\r") {
                contentEnd = bytes.index(before: contentEnd)
            }
            let first = bytes[lineStart..<contentEnd].firstIndex { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
            lineStart = end == bytes.endIndex ? end : bytes.index(after: end)
            guard let first, bytes[first] != UInt8(ascii: "#") else { continue }
            // A line ending in `\` continues on the next one (DAGMan manual, "DAG input file").
            if contentEnd != first, bytes[bytes.index(before: contentEnd)] == UInt8(ascii: "\\") {
                let startNumber = number
                var joined = String(contents[start..<bytes.index(before: contentEnd)])
                while lineStart != bytes.endIndex {
                    number += 1
                    let nextEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
                    var next = contents[lineStart..<nextEnd]
                    if next.last == "\r" { next = next.dropLast() }
                    lineStart = nextEnd == bytes.endIndex ? nextEnd : bytes.index(after: nextEnd)
                    let continues = next.hasSuffix("\\")
                    joined += " " + (continues ? next.dropLast() : next)
                    if !continues { break }
                }
                try body(Substring(joined), startNumber)
                continue
            }
            try body(contents[start..<contentEnd], number)
        }
    }

    /// The statement lines of `contents`, tokenized.
    static func statements(of contents: String, file: String) -> [DAGLine] {
        var lines: [DAGLine] = []
        try? forEachStatement(of: contents) { text, number in lines.append(DAGLine(file: file, number: number, text: text)) }
        return lines
    }

    /// The first word of a statement line, upper-cased, without tokenizing the rest.
    static func keyword(of text: Substring) -> String {
        let bytes = text.utf8
        let start = bytes.firstIndex { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") } ?? bytes.endIndex
        let end = bytes[start...].firstIndex { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") } ?? bytes.endIndex
        return upperASCII(String(text[start..<end]))
    }

    /// `text` with ASCII letters upper-cased; cheaper than `uppercased()` for keywords.
    static func upperASCII(_ text: String) -> String {
        if !text.utf8.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) { return text }
        return String(decoding: text.utf8.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 32 : $0 }, as: UTF8.self)
    }

    /// Whether word `index` is `keyword` (upper-case ASCII), ignoring case.
    func word(_ index: Int, is keyword: String) -> Bool {
        index < words.count && words[index].text.utf8.count == keyword.utf8.count && DAGLine.upperASCII(words[index].text) == keyword
    }

    /// The location of word `index` (its column), or of the line's end when it is missing.
    func location(ofWord index: Int) -> SourceLocation {
        var location = self.location
        location.column = index < words.count ? words[index].column : text.utf8.count + 1
        return location
    }

    /// The text from word `index` to the end of the line, as written.
    func rest(fromWord index: Int) -> Substring {
        guard index < words.count else { return "" }
        let start = text.utf8.index(text.utf8.startIndex, offsetBy: words[index].column - 1)
        return text[start...]
    }

    /// An error at word `index`.
    func error(_ message: String, atWord index: Int) -> JobSpecError {
        JobSpecError(message, at: location(ofWord: index))
    }
}
