/// The `key="value"` pairs of a `VARS` line.
///
/// - A name holds letters, digits and `_`, and may start with `My.` or `+` (a ClassAd
///   attribute); it may not start with `queue` in any case.
/// - The value must be in double quotes; inside them `\"` is a quote and `\\` a backslash.
///   Any other backslash is kept as written, so `\n` stays two characters.
/// - White space separates pairs and may surround `=`.
///
/// Source: HTCondor manual, DAGMan "Custom Variables for Nodes" (VARS, special characters).
enum DAGVarsSyntax {
    /// Parses `text` (what follows the node name and any `PREPEND`/`APPEND`) into pairs in
    /// order. `location` is the first character of `text`, for columns in errors.
    ///
    /// - Throws: ``JobSpecError`` at the column of a bad name, a missing `=` or quote, or an
    ///   unterminated value.
    static func pairs(_ text: Substring, at location: SourceLocation) throws(JobSpecError) -> [(String, String)] {
        let characters = Array(text)
        var i = 0
        var pairs: [(String, String)] = []
        func fail(_ message: String) -> JobSpecError {
            var at = location
            at.column += i
            return JobSpecError(message, at: at)
        }
        func skipBlanks() { while i < characters.count, characters[i] == " " || characters[i] == "\t" { i += 1 } }
        skipBlanks()
        while i < characters.count {
            let nameStart = i
            while i < characters.count, isNameCharacter(characters[i]) { i += 1 }
            let name = String(characters[nameStart..<i])
            if name.isEmpty {
                throw fail("expected a macro name (letters, digits, _) in VARS, found '\(characters[i])'")
            }
            if name.lowercased().hasPrefix("queue") {
                throw fail("a VARS macro name may not start with 'queue' (\(name))")
            }
            skipBlanks()
            guard i < characters.count, characters[i] == "=" else {
                throw fail("expected = after VARS macro name \(name)")
            }
            i += 1
            skipBlanks()
            guard i < characters.count, characters[i] == "\"" else {
                throw fail("expected a double-quoted value after \(name)= in VARS")
            }
            i += 1
            var value = ""
            var closed = false
            while i < characters.count {
                let character = characters[i]
                if character == "\\", i + 1 < characters.count, characters[i + 1] == "\"" || characters[i + 1] == "\\" {
                    value.append(characters[i + 1])
                    i += 2
                } else if character == "\"" {
                    closed = true
                    i += 1
                    break
                } else {
                    value.append(character)
                    i += 1
                }
            }
            guard closed else { throw fail("unterminated VARS value for \(name); expected a closing \"") }
            pairs.append((name, value))
            if i < characters.count, characters[i] != " ", characters[i] != "\t" {
                throw fail("expected white space between VARS pairs after \(name)")
            }
            skipBlanks()
        }
        return pairs
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == "."
            || character == "+")
    }
}
