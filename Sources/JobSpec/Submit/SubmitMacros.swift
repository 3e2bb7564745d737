import Foundation

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
/// | `$INT(item[,format])`, `$REAL(item[,format])` | `item` (a macro name, or an expression such as `2*3+1`) evaluated as a ClassAd expression and printed with the C format (default `%d` and `%.16G`); the format is everything after the comma |
/// | `$RANDOM_INTEGER(min, max[, step])` | a random integer from `min` to `max` in steps of `step` |
/// | `$RANDOM_CHOICE(a, b, ...)` | one of the items at random |
/// | `$CHOICE(index, a, b, ...)` | the item at `index` (a macro name or number) |
/// | predefined: `$(SUBMIT_FILE)`, `$(SUBMIT_TIME)`, `$(YEAR)`, `$(MONTH)`, `$(DAY)`, `$(Arch)`, `$(OpSys)`, `$(OpSysAndVer)`, `$(OpSysMajorVer)`, `$(OpSysVer)`, `$(IsLinux)`, `$(IsWindows)` | see ``SubmitPredefinedMacros``; a definition in the file wins |
/// | `$$(...)` | kept as written, and filled in from the worker's machine ad when the task starts there (``MachinePlacement``) |
///
/// An expansion longer than ``maximumExpansionBytes`` is refused (macros that each double
/// the one before would otherwise take the machine's memory), and so is a `$INT` format
/// or `$REAL` format wider than ``maximumFormatWidth``.
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
    /// The predefined macros (``SubmitPredefinedMacros``), lowercased; below definitions.
    var predefined: [String: String] = [:]

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
        // Bytes, not Foundation's search: a `$` that a combining mark joins is kept as it is below too.
        guard text.utf8.contains(UInt8(ascii: "$")) else { return text }
        // ASCII text is read byte by byte (each byte is one character there, a CR LF pair
        // aside, which is no macro syntax), which every proc's commands are; other text by
        // characters, so that a combining mark stays with the character before it.
        if text.isASCII {
            return try expand(units: Array(text.utf8), text: text, location: location, referenced: &referenced, depth: depth)
        }
        return try expand(units: Array(text), text: text, location: location, referenced: &referenced, depth: depth)
    }

    /// ``expand(_:location:referenced:depth:)`` over `units`, the characters or bytes of `text`.
    private func expand<Unit: MacroTextUnit>(units: [Unit], text: String, location: SourceLocation,
                                             referenced: inout Set<String>, depth: Int) throws(JobSpecError) -> String {
        var result = ""
        var index = 0
        while index < units.count {
            guard units[index] == Unit.dollar else {
                // The run up to the next `$`, copied at once.
                var end = index + 1
                while end < units.count, units[end] != Unit.dollar { end += 1 }
                result += Unit.text(units[index..<end])
                index = end
                continue
            }
            // `$$(...)`: a match-time reference, kept as written.
            if index + 2 < units.count, units[index + 1] == Unit.dollar, units[index + 2] == Unit.open {
                let close = try Self.closingParenthesis(units, from: index + 2, text: text, location: location)
                result += Unit.text(units[index...close])
                index = close + 1
                continue
            }
            // `$NAME(` function name, possibly empty for `$(`.
            var nameEnd = index + 1
            while nameEnd < units.count, units[nameEnd].isNameLetter { nameEnd += 1 }
            guard nameEnd < units.count, units[nameEnd] == Unit.open else {
                result += Unit.text(units[index...index])
                index += 1
                continue
            }
            let function = Unit.text(units[(index + 1) ..< nameEnd])
            let close = try Self.closingParenthesis(units, from: nameEnd, text: text, location: location)
            let body = try expand(Unit.text(units[(nameEnd + 1) ..< close]), location: location,
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
        case "INT", "REAL":
            return try number(function.uppercased() == "INT", body, location: location, referenced: &referenced,
                              depth: depth)
        case "RANDOM_INTEGER":
            let parts = body.split(separator: ",").map { Int($0.trimmingBlanks) }
            guard (2...3).contains(parts.count), let low = parts[0], let high = parts[1], low <= high,
                  (parts.count == 2 ? 1 : parts[2] ?? 0) > 0 else {
                throw JobSpecError("$RANDOM_INTEGER(\(body)): expected min, max[, step] with min <= max and step > 0",
                                   at: location)
            }
            let step = parts.count == 3 ? parts[2]! : 1
            // The span of a range such as -9e18...9e18 does not fit an Int: count in UInt.
            let span = UInt(bitPattern: high &- low) / UInt(step)
            return String(low &+ Int(bitPattern: UInt.random(in: 0...span) &* UInt(step)))
        case "RANDOM_CHOICE":
            let items = body.split(separator: ",").map { $0.trimmingBlanks }
            guard let choice = items.randomElement(), !items.isEmpty else {
                throw JobSpecError("$RANDOM_CHOICE needs a list of choices", at: location)
            }
            return choice
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
                                   + "$(NAME:default), $ENV(), $F*(), $INT(), $REAL(), $CHOICE(), $RANDOM_CHOICE(), "
                                   + "$RANDOM_INTEGER()", at: location)
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
        if let value = predefined[key] { return value }
        return fallback ?? ""
    }

    static func nameAndDefault(_ body: String) -> (String, String?) {
        guard let colon = body.firstIndex(of: ":") else { return (body.trimmingBlanks, nil) }
        return (body[..<colon].trimmingBlanks, String(body[body.index(after: colon)...]))
    }

    static func closingParenthesis<Unit: MacroTextUnit>(_ characters: [Unit], from open: Int, text: String,
                                                        location: SourceLocation) throws(JobSpecError) -> Int {
        var depth = 0
        for index in open ..< characters.count {
            if characters[index] == Unit.open { depth += 1 }
            if characters[index] == Unit.close {
                depth -= 1
                if depth == 0 { return index }
            }
        }
        throw JobSpecError("unclosed '$(' in '\(text)'; expected ')'", at: location)
    }

    /// `$INT(item[,format])` (`integer`) or `$REAL(item[,format])`: `item` is a macro
    /// name or a ClassAd expression; the format is everything after the first comma.
    private func number(_ integer: Bool, _ body: String, location: SourceLocation,
                        referenced: inout Set<String>, depth: Int) throws(JobSpecError) -> String {
        let comma = body.firstIndex(of: ",")
        let item = String(comma.map { body[..<$0] } ?? body[...]).trimmingBlanks
        let format = comma.map { String(body[body.index(after: $0)...]) }
        let name = integer ? "$INT" : "$REAL"
        guard !item.isEmpty else {
            throw JobSpecError("\(name)(\(body)): expected \(name)(NAME) or \(name)(NAME,format)", at: location)
        }
        // A field as wide as `%0999999999d` would take the machine's memory.
        if let format, format.count > Self.maximumFormatWidth
            || format.split(whereSeparator: { !$0.isNumber }).contains(where: { (Int($0) ?? Int.max) > Self.maximumFormatWidth }) {
            throw JobSpecError("\(name) format '\(format.trimmingBlanks)' is wider than \(Self.maximumFormatWidth) characters",
                               at: location)
        }
        var text = item
        if let first = item.first, first.isLetter || first == "_",
           item.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }),
           !["true", "false"].contains(item.lowercased()) {
            text = try lookup(item, fallback: nil, location: location, referenced: &referenced, depth: depth)
        }
        let value = (try? ClassAdExpression(parsing: text, location: location))?.evaluate([:])
        let real: Double
        switch value {
        case .integer(let whole)?: real = Double(whole)
        case .real(let fraction)?: real = fraction
        case .boolean(let truth)?: real = truth ? 1 : 0
        default:
            throw JobSpecError("\(name)(\(body)): '\(text)' is not a number or an expression giving one", at: location)
        }
        guard let printed = Self.printf(format ?? (integer ? "%d" : "%.16G"), integer ? real.rounded(.towardZero) : real)
        else {
            throw JobSpecError("\(name)(\(body)): the format '\(format ?? "")' must hold one conversion such as %d, "
                               + "%05d, %x or %.3f", at: location)
        }
        return printed
    }

    /// `format` (C printf syntax, one conversion of `d i o u x X c e E f F g G`, plus
    /// `%%`) applied to `value`; `nil` for any other format.
    static func printf(_ format: String, _ value: Double) -> String? {
        let characters = Array(format)
        var conversion: Character?
        var conversionIndex = 0
        var index = 0
        while index < characters.count {
            guard characters[index] == "%" else { index += 1; continue }
            index += 1
            if index < characters.count, characters[index] == "%" { index += 1; continue }
            while index < characters.count, "-+ #0123456789.".contains(characters[index]) { index += 1 }
            guard index < characters.count, conversion == nil,
                  "dioxXucfFeEgG".contains(characters[index]) else { return nil }
            conversion = characters[index]
            conversionIndex = index
            index += 1
        }
        guard let conversion else { return format.replacingOccurrences(of: "%%", with: "%") }
        if "dioxXuc".contains(conversion) {
            guard value.isFinite, abs(value) < 9.2e18 else { return nil }
            // `%d` takes a C long here: widen the conversion so the whole 64 bits print.
            var widened = characters
            widened.insert("l", at: conversionIndex)
            return String(format: String(widened), Int(value))
        }
        return String(format: format, value)
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

/// What macro text is read in: characters, or the bytes of ASCII text (``SubmitMacros/expand(_:location:referenced:depth:)``).
protocol MacroTextUnit: Equatable {
    static var dollar: Self { get }
    static var open: Self { get }
    static var close: Self { get }
    /// A letter or `_`, which a macro function's name (`$INT(`) is made of.
    var isNameLetter: Bool { get }
    /// The text of `units`.
    static func text(_ units: ArraySlice<Self>) -> String
}

extension Character: MacroTextUnit {
    static var dollar: Character { "$" }
    static var open: Character { "(" }
    static var close: Character { ")" }
    var isNameLetter: Bool { isLetter || self == "_" }
    static func text(_ units: ArraySlice<Character>) -> String { String(units) }
}

extension UInt8: MacroTextUnit {
    static var dollar: UInt8 { UInt8(ascii: "$") }
    static var open: UInt8 { UInt8(ascii: "(") }
    static var close: UInt8 { UInt8(ascii: ")") }
    /// ASCII's letters are the only ASCII characters that are letters.
    var isNameLetter: Bool { (self | 0x20) >= UInt8(ascii: "a") && (self | 0x20) <= UInt8(ascii: "z") || self == UInt8(ascii: "_") }
    static func text(_ units: ArraySlice<UInt8>) -> String { String(decoding: units, as: UTF8.self) }
}
