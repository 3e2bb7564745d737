import Foundation

/// A `queue` statement: how many procs, and the item data each gets.
///
/// Forms (HTCondor manual, condor_submit, "queue"):
///
/// | form | procs |
/// |---|---|
/// | `queue` | 1 |
/// | `queue N` | N; N may be an expression such as `15*1000` |
/// | `queue [N] [VARS] in [slice] (a, b c)` or `in a b c` | N per item; items split at commas and blanks |
/// | `queue [N] [VARS] from [slice] FILE` or `from ( lines )` | N per non-blank line (`#` lines are comments only inside the submit file) |
/// | `queue [N] [VARS] matching [files\|dirs] [slice] GLOB ...` | N per matching path, sorted |
///
/// With `from`, each line is split into the variables: all but the last take one field
/// (fields separated by commas or blanks) and the last takes the rest of the line.
/// `VARS` defaults to `Item`. `[start:end:step]` slices the items as Python does.
struct QueueStatement: Equatable {
    /// Procs per item (or in total when there are no items).
    var count: Int
    /// The item variables, as written (`Item` by default).
    var variables: [String]
    /// One row of values per item, aligned with ``variables``; `nil` without an item list.
    var items: [[String]]?

    /// Parses the text after `queue` (macros already expanded).
    ///
    /// - Parameters:
    ///   - directory: where `from FILE` and `matching` paths are relative to.
    /// - Throws: ``JobSpecError`` at `location` for a count that is not a whole number, a
    ///   missing item list, an unreadable `from` file, `from` a command (`|`), or a bad slice.
    init(parsing text: String, location: SourceLocation, directory: String) throws(JobSpecError) {
        func failure(_ message: String) -> JobSpecError {
            JobSpecError("queue: \(message)", at: location)
        }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r\n" })
        let keywordIndex = words.firstIndex { ["in", "from", "matching"].contains($0.lowercased()) }
        let head = keywordIndex.map { Array(words[..<$0]) } ?? Array(words)
        count = 1
        // The count may be an expression (`queue 15*1000`, `queue 2 * 3 x in ...`): the
        // longest run of leading words that parses as one.
        var countWords = 0
        if let first = head.first?.first, first.isNumber || first == "(" {
            for length in stride(from: head.count, through: 1, by: -1) {
                let text = head.prefix(length).joined(separator: " ")
                if case .integer(let value)? = (try? ClassAdExpression(parsing: text, location: location))?
                    .evaluate([:]) {
                    guard value >= 0 else { throw failure("'\(text)' is not a whole number of procs") }
                    count = value
                    countWords = length
                    break
                }
            }
            guard countWords > 0 else { throw failure("'\(head[0])' is not a whole number of procs") }
        }
        let headTokens = head.dropFirst(countWords).flatMap { $0.split(separator: ",") }.map(String.init)
        guard let keywordIndex else {
            guard headTokens.isEmpty else {
                throw failure("expected 'queue', 'queue N', or 'queue [N] [VARS] in|from|matching ...', "
                              + "found '\(text.trimmingBlanks)'")
            }
            variables = []
            items = nil
            return
        }
        for name in headTokens where !name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) {
            throw failure("'\(name)' is not a variable name")
        }
        variables = headTokens.isEmpty ? ["Item"] : headTokens
        let keyword = words[keywordIndex].lowercased()
        // The text after the keyword, as written (newlines kept for `from ( ... )`).
        var rest = String(text[words[keywordIndex].endIndex...]).trimmingBlanks
        var matchKind = "any"
        if keyword == "matching" {
            let first = rest.prefix(while: { !" \t".contains($0) }).lowercased()
            if first == "files" || first == "dirs" {
                matchKind = first
                rest = String(rest.dropFirst(first.count)).trimmingBlanks
            }
        }
        var slice: (Int?, Int?, Int?)?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw failure("the slice '[' is not closed") }
            let parts = rest[rest.index(after: rest.startIndex) ..< close].split(separator: ":", omittingEmptySubsequences: false)
            guard (1...3).contains(parts.count) else { throw failure("expected a slice [start:end:step]") }
            var values: [Int?] = []
            for part in parts {
                let trimmed = part.trimmingBlanks
                if trimmed.isEmpty { values.append(nil); continue }
                guard let value = Int(trimmed) else { throw failure("'\(trimmed)' in the slice is not a number") }
                values.append(value)
            }
            while values.count < 3 { values.append(nil) }
            slice = (values[0], values[1], values[2])
            rest = String(rest[rest.index(after: close)...]).trimmingBlanks
        }
        var body = rest
        let parenthesised = rest.hasPrefix("(")
        if parenthesised {
            guard let close = rest.lastIndex(of: ")") else { throw failure("the item list '(' is not closed") }
            body = String(rest[rest.index(after: rest.startIndex) ..< close])
        }
        var rows: [[String]]
        switch keyword {
        case "in":
            rows = Self.fields(body).map { [$0] }
        case "from":
            var lines: [String]
            if parenthesised {
                // Inside the submit file, `#` lines are comments; in an item file they are data.
                lines = body.fileLines.map(String.init).filter { !$0.trimmingBlanks.hasPrefix("#") }
            } else {
                guard !body.isEmpty else { throw failure("expected a file name or ( lines ) after 'from'") }
                guard !body.hasSuffix("|") else {
                    throw failure("'from COMMAND |' is not supported; run the command first and use 'from FILE'")
                }
                let path = Paths.resolve(body, in: directory)
                guard let data = FileManager.default.contents(atPath: path),
                      let contents = String(data: ByteOrderMark.stripped(data), encoding: .utf8) else {
                    throw failure("cannot read the item file '\(body)' (looked for \(path))")
                }
                lines = contents.fileLines.map(String.init)
            }
            rows = lines.map { $0.trimmingBlanks }.filter { !$0.isEmpty }
                .map { Self.columns($0, count: variables.count) }
        default: // matching
            rows = try Self.glob(Self.fields(body), kind: matchKind, directory: directory).map { [$0] }
        }
        if let slice { rows = Self.apply(slice, to: rows) }
        let width = variables.count
        items = rows.map { row in row + Array(repeating: "", count: max(0, width - row.count)) }
    }

    /// Items split at commas and blanks, empty ones dropped.
    static func fields(_ text: String) -> [String] {
        text.split(whereSeparator: { ", \t\n\r".contains($0) || $0 == "\r\n" }).map(String.init)
    }

    /// A `from` line split into `count` values; the last takes the rest of the line.
    static func columns(_ line: String, count: Int) -> [String] {
        var values: [String] = []
        var rest = Substring(line)
        while values.count < count - 1 {
            rest = rest.drop(while: { " \t".contains($0) })
            guard !rest.isEmpty else { break }
            let field = rest.prefix(while: { !", \t".contains($0) })
            values.append(String(field))
            rest = rest.dropFirst(field.count)
            rest = rest.drop(while: { " \t".contains($0) })
            if rest.first == "," { rest = rest.dropFirst() }
        }
        values.append(rest.trimmingBlanks)
        return values
    }

    static func apply(_ slice: (Int?, Int?, Int?), to rows: [[String]]) -> [[String]] {
        let count = rows.count
        let step = slice.2 ?? 1
        guard step > 0 else { return rows }
        func clamp(_ value: Int?, _ fallback: Int) -> Int {
            guard var value else { return fallback }
            if value < 0 { value += count }
            return min(max(value, 0), count)
        }
        let start = clamp(slice.0, 0)
        let end = clamp(slice.1, count)
        guard start < end else { return [] }
        return stride(from: start, to: end, by: step).map { rows[$0] }
    }

    /// Paths matching `patterns` relative to `directory`, sorted and each once.
    static func glob(_ patterns: [String], kind: String, directory: String) throws(JobSpecError) -> [String] {
        var found = Set<String>()
        for pattern in patterns {
            let absolute = Paths.resolve(pattern, in: directory)
            var results = glob_t()
            defer { globfree(&results) }
            guard Glibc.glob(absolute, GLOB_MARK, nil, &results) == 0 else { continue }
            for index in 0 ..< Int(results.gl_pathc) {
                guard let pointer = results.gl_pathv[index] else { continue }
                var path = String(cString: pointer)
                let isDirectory = path.hasSuffix("/")
                if isDirectory { path.removeLast() }
                if kind == "files" && isDirectory || kind == "dirs" && !isDirectory { continue }
                if !pattern.hasPrefix("/"), path.hasPrefix(directory) {
                    path = String(path.dropFirst(directory.count)).drop(while: { $0 == "/" }).description
                }
                found.insert(path)
            }
        }
        return found.sorted()
    }
}
