/// Submit descriptions written inside a DAG file (DAGMan manual, "Inline Submit
/// Descriptions"):
///
///     JOB A {
///         executable = /bin/echo
///         arguments  = hello
///     }
///     SUBMIT-DESCRIPTION Greeting {
///         executable = /bin/echo
///     }
///     JOB B Greeting
///
/// The blocks are taken out of the text before it is parsed: each `JOB`/`FINAL` header
/// becomes `JOB A KEY` (the words after the closing `}` kept, such as `DIR d`), and the
/// block's lines become blank, so every other line keeps its number. A node whose submit
/// file names a description (inline, or by its `SUBMIT-DESCRIPTION` name) uses its text.
enum DAGInlineDescriptions {
    /// `text` with its blocks taken out, and the descriptions by name (inline ones under
    /// `FILE:LINE`, which no submit file is called).
    ///
    /// - Throws: ``JobSpecError`` at the header of a block never closed by a `}` line.
    static func extract(_ text: String, file: String) throws(JobSpecError) -> (text: String, descriptions: [String: String]) {
        guard text.contains("{") else { return (text, [:]) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var descriptions: [String: String] = [:]
        var index = 0
        while index < lines.count {
            let words = lines[index].split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            let keyword = words.first?.uppercased() ?? ""
            guard ["JOB", "FINAL", "SUBMIT-DESCRIPTION"].contains(keyword), words.count == 3, words[2] == "{" else {
                index += 1
                continue
            }
            let header = index
            var body: [String] = []
            var closing: [String]?
            index += 1
            while index < lines.count {
                let trimmed = lines[index].trimmingBlanks
                lines[index] = ""
                index += 1
                if trimmed.hasPrefix("}") {
                    closing = trimmed.dropFirst().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                    break
                }
                body.append(trimmed)
            }
            guard let after = closing else {
                throw JobSpecError("the submit description opened with '{' is never closed; expected a line with '}'",
                                   file: file, line: header + 1)
            }
            var description = body.joined(separator: "\n") + "\n"
            if !body.contains(where: { $0.lowercased().hasPrefix("queue") }) { description += "queue\n" }
            if keyword == "SUBMIT-DESCRIPTION" {
                descriptions[words[1]] = description
                lines[header] = ""
            } else {
                let key = "\(file):\(header + 1)"
                descriptions[key] = description
                lines[header] = ([words[0], words[1], key] + after).joined(separator: " ")
            }
        }
        return (lines.joined(separator: "\n"), descriptions)
    }
}
