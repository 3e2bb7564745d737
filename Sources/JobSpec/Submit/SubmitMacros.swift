/// Macro substitution in submit descriptions.
///
/// | form | value |
/// |---|---|
/// | `$(NAME)` | the macro `NAME` (case-insensitive), expanded in turn; empty when undefined |
/// | `$(NAME:default)` | `default` when `NAME` is undefined |
/// | `$(Cluster)`, `$(ClusterId)` | the farm's run id |
/// | `$(Process)`, `$(ProcId)` | the proc number, counting from 0 across all queue statements |
/// | `$(Item)`, queue variables, `$(Step)`, `$(ItemIndex)`, `$(Row)` | from the queue statement |
/// | `$(DOLLAR)` | `$` |
/// | `$ENV(NAME)`, `$ENV(NAME:default)` | the submitting environment; `UNDEFINED` when unset and no default |
/// | `$F[pdnxqa](NAME)` | parts of a file name: `p`/`d` directory, `n` name without extension, `x` extension, `q` quoted |
/// | `$INT(NAME[,format])` | the macro as an integer, with an optional `%d`-style format |
/// | `$CHOICE(index, a, b, ...)` | the item at `index` (a macro name or number) |
/// | `$$(...)` | kept as written (HTCondor fills it in at match time; the farm cannot) |
///
/// An expansion longer than ``maximumExpansionBytes`` is refused (macros that each double
/// the one before would otherwise take the machine's memory), and so is a `$INT` format
/// wider than ``maximumFormatWidth``.
///
/// Source: HTCondor manual, condor_submit, "Macros" and "Pre-defined macros".
struct SubmitMacros {
    /// The longest value a macro expansion may give, in bytes (1 MiB; Linux takes at most
    /// 128 KiB for one argument).
    static let maximumExpansionBytes = 1 << 20
    /// The widest `$INT(NAME,%Nd)` field accepted.
    static let maximumFormatWidth = 4096

    /// User macros and commands, keyed by lowercased name: commands are macros too
    /// (`$(executable)` works).
    var definitions: [String: String] = [:]
    /// The per-proc values (`cluster`, `process`, `item`, queue variables), lowercased.
    var specials: [String: String] = [:]
    /// The submitting environment.
    var environment: [String: String] = [:]

    /// `text` with every macro substituted; `referenced` collects the lowercased names
    /// looked up.
    ///
    /// - Throws: ``JobSpecError`` at `location` for an unclosed `$(`, an unsupported
    ///   macro function, a macro that refers to itself, or an expansion longer than
    ///   ``maximumExpansionBytes``.
    func expand(_ text: String, location: SourceLocation,
                referenced: inout Set<String>, depth: Int = 0) throws(JobSpecError) -> String {
        guard depth < 40 else {
            throw JobSpecError("macro expansion does not end (a macro refers to itself?) in '\(text)'", at: location)
        }
        guard text.contains("$") else { return text }
        let characters = Array(text)
        var result = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            guard character == "$" else { result.append(character); index += 1; continue }
            // `$$(...)`: a match-time reference, kept as written.
            if index + 2 < characters.count, characters[index + 1] == "$", characters[index + 2] == "(" {
                let close = try Self.closingParenthesis(characters, from: index + 2, text: text, location: location)
                result += String(characters[index...close])
                index = close + 1
                continue
            }
            // `$NAME(` function name, possibly empty for `$(`.
            var nameEnd = index + 1
            while nameEnd < characters.count, characters[nameEnd].isLetter || characters[nameEnd] == "_" {
                nameEnd += 1
            }
            guard nameEnd < characters.count, characters[nameEnd] == "(" else {
                result.append(character)
                index += 1
                continue
            }
            let function = String(characters[(index + 1) ..< nameEnd])
            let close = try Self.closingParenthesis(characters, from: nameEnd, text: text, location: location)
            let body = try expand(String(characters[(nameEnd + 1) ..< close]), location: location,
                                  referenced: &referenced, depth: depth + 1)
            result += try call(function, body, location: location, referenced: &referenced, depth: depth)
            index = close + 1
            guard result.utf8.count <= Self.maximumExpansionBytes else {
                throw JobSpecError("macro expansion gives more than \(Self.maximumExpansionBytes >> 20) MiB in "
                                   + "'\(text.prefix(200))' (macros that repeat each other?); expected a shorter value",
                                   at: location)
            }
        }
        return result
    }

    /// The value of `$FUNCTION(body)`; an empty function name is a plain macro.
    private func call(_ function: String, _ body: String, location: SourceLocation,
                      referenced: inout Set<String>, depth: Int) throws(JobSpecError) -> String {
        switch function.uppercased() {
        case "":
            let (name, fallback) = Self.nameAndDefault(body)
            return try lookup(name, fallback: fallback, location: location, referenced: &referenced, depth: depth)
        case "ENV":
            let (name, fallback) = Self.nameAndDefault(body)
            return environment[name] ?? fallback ?? "UNDEFINED"
        case "INT":
            let parts = body.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingBlanks }
            guard !parts[0].isEmpty else {
                throw JobSpecError("$INT(\(body)): expected $INT(NAME) or $INT(NAME,format)", at: location)
            }
            let raw = try lookup(parts[0], fallback: nil, location: location, referenced: &referenced, depth: depth)
            guard let number = Int(raw) ?? Int(parts[0]) else {
                throw JobSpecError("$INT(\(body)): '\(raw)' is not an integer", at: location)
            }
            return parts.count > 1 ? try Self.formatInteger(number, parts[1], location: location) : String(number)
        case "CHOICE":
            let parts = body.split(separator: ",").map { $0.trimmingBlanks }
            guard parts.count >= 2 else { throw JobSpecError("$CHOICE needs an index and a list", at: location) }
            var rawIndex = Int(parts[0])
            if rawIndex == nil {
                rawIndex = Int(try lookup(parts[0], fallback: nil, location: location, referenced: &referenced,
                                          depth: depth))
            }
            var list = Array(parts.dropFirst())
            if list.count == 1 {
                let named = try lookup(list[0], fallback: list[0], location: location, referenced: &referenced, depth: depth)
                list = named.split(separator: ",").map { $0.trimmingBlanks }
            }
            guard let choice = rawIndex, list.indices.contains(choice) else {
                throw JobSpecError("$CHOICE(\(body)): the index is outside the list", at: location)
            }
            return list[choice]
        default:
            guard function.first == "F", function.dropFirst().allSatisfy({ "pdnxqabfwu".contains($0) }) else {
                throw JobSpecError("macro function $\(function)() is not supported; supported: $(NAME), "
                                   + "$(NAME:default), $ENV(), $F*(), $INT(), $CHOICE()", at: location)
            }
            let value = try lookup(body.trimmingBlanks, fallback: nil, location: location,
                                   referenced: &referenced, depth: depth)
            return Self.fileNameParts(value, flags: String(function.dropFirst()))
        }
    }

    /// A macro's value, expanded.
    private func lookup(_ name: String, fallback: String?, location: SourceLocation,
                        referenced: inout Set<String>, depth: Int) throws(JobSpecError) -> String {
        let key = name.lowercased()
        referenced.insert(key)
        if key == "dollar" { return "$" }
        if let value = specials[key] { return value }
        if let value = definitions[key] {
            return try expand(value, location: location, referenced: &referenced, depth: depth + 1)
        }
        return fallback ?? ""
    }

    static func nameAndDefault(_ body: String) -> (String, String?) {
        guard let colon = body.firstIndex(of: ":") else { return (body.trimmingBlanks, nil) }
        return (body[..<colon].trimmingBlanks, String(body[body.index(after: colon)...]))
    }

    static func closingParenthesis(_ characters: [Character], from open: Int, text: String,
                                   location: SourceLocation) throws(JobSpecError) -> Int {
        var depth = 0
        for index in open ..< characters.count {
            if characters[index] == "(" { depth += 1 }
            if characters[index] == ")" {
                depth -= 1
                if depth == 0 { return index }
            }
        }
        throw JobSpecError("unclosed '$(' in '\(text)'; expected ')'", at: location)
    }

    /// `%d`, `%5d`, `%05d` formats for `$INT`.
    static func formatInteger(_ number: Int, _ format: String, location: SourceLocation) throws(JobSpecError) -> String {
        let spec = format.trimmingBlanks
        guard spec.hasPrefix("%"), spec.hasSuffix("d") else { return String(number) }
        let width = spec.dropFirst().dropLast()
        let digits = String(number)
        if let count = Int(width), count > Self.maximumFormatWidth {
            throw JobSpecError("$INT format '\(spec)' is wider than \(Self.maximumFormatWidth) characters", at: location)
        }
        guard let count = Int(width), digits.count < count else { return digits }
        let pad = width.hasPrefix("0") ? "0" : " "
        return String(repeating: pad, count: count - digits.count) + digits
    }

    /// `$F` flags applied to `path`: `p`/`d` the directory (with its `/`), `n` the name
    /// without extension, `x` the extension with its dot, `q` surrounding double quotes.
    static func fileNameParts(_ path: String, flags: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let fileName = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let dot = fileName.lastIndex(of: ".").flatMap { $0 == fileName.startIndex ? nil : $0 }
        let stem = dot.map { String(fileName[..<$0]) } ?? fileName
        let suffix = dot.map { String(fileName[$0...]) } ?? ""
        if flags.isEmpty { return path }
        var result = ""
        if flags.contains("p") || flags.contains("d") { result += directory }
        if flags.contains("n") { result += stem }
        if flags.contains("x") { result += suffix }
        if !flags.contains(where: { "pdnx".contains($0) }) { result = path }
        return flags.contains("q") ? "\"\(result)\"" : result
    }
}
