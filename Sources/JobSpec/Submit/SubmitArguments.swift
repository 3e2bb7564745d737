/// The `arguments` and `environment` value syntaxes of HTCondor submit descriptions.
///
/// New syntax (the value starts with `"`):
/// 1. the whole value is enclosed in double quotes;
/// 2. spaces and tabs separate arguments;
/// 3. `""` is a literal double quote (it does not protect white space);
/// 4. single quotes group text, white space included, into one argument;
/// 5. inside single quotes, `''` is a literal single quote.
///
/// Old syntax (anything else): white space separates arguments, and `\"` is a literal
/// double quote; an unescaped `"` is an error, as condor_submit reports it.
///
/// Source: HTCondor manual, condor_submit, `arguments` and `environment`.
public enum SubmitArguments {
    /// The argv words of an `arguments` value (macros already expanded).
    ///
    /// - Parameter location: where the value starts, for messages (column of its first
    ///   character when known).
    /// - Throws: ``JobSpecError`` for an unclosed quote, text after the closing quote, or
    ///   an unescaped `"` in the old syntax.
    public static func parse(_ value: String, location: SourceLocation) throws(JobSpecError) -> [String] {
        if value.first == "\"" {
            return try parseNewSyntax(value, command: "arguments", location: location)
        }
        return try parseOldArguments(value, location: location)
    }

    /// The variables of an `environment` value (macros already expanded).
    ///
    /// New syntax: quoted like ``parse(_:location:)``, each word `NAME=value`. Old
    /// syntax: `NAME=value` entries separated by `;`.
    ///
    /// - Throws: ``JobSpecError`` for quoting errors or an entry without `=` or name.
    public static func parseEnvironment(_ value: String,
                                        location: SourceLocation) throws(JobSpecError) -> [(String, String)] {
        let entries: [String]
        if value.first == "\"" {
            entries = try parseNewSyntax(value, command: "environment", location: location)
        } else {
            entries = value.split(separator: ";").map { $0.trimmingBlanks }.filter { !$0.isEmpty }
        }
        var result: [(String, String)] = []
        for entry in entries {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw JobSpecError("environment entry '\(entry)' is not NAME=value", at: location)
            }
            result.append((String(entry[..<equals]), String(entry[entry.index(after: equals)...])))
        }
        return result
    }

    static func parseNewSyntax(_ value: String, command: String,
                               location: SourceLocation) throws(JobSpecError) -> [String] {
        func failure(_ message: String, at offset: Int) -> JobSpecError {
            var place = location
            if place.column > 0 { place.column += offset }
            return JobSpecError("\(command): \(message)", at: place)
        }
        let characters = Array(value)
        // Find the closing double quote: a `"` not followed by another `"`.
        var index = 1
        var words: [String] = []
        var current = ""
        var inWord = false
        var inSingle = false
        var closed = false
        while index < characters.count {
            let character = characters[index]
            if character == "\"" {
                if index + 1 < characters.count, characters[index + 1] == "\"" {
                    current.append("\"")
                    inWord = true
                    index += 2
                    continue
                }
                if inSingle { throw failure("unclosed single quote before the closing double quote", at: index) }
                closed = true
                index += 1
                break
            }
            if inSingle {
                if character == "'" {
                    if index + 1 < characters.count, characters[index + 1] == "'" {
                        current.append("'")
                        index += 2
                        continue
                    }
                    inSingle = false
                } else {
                    current.append(character)
                }
            } else if character == " " || character == "\t" {
                if inWord { words.append(current); current = ""; inWord = false }
            } else if character == "'" {
                inSingle = true
                inWord = true
            } else {
                current.append(character)
                inWord = true
            }
            index += 1
        }
        guard closed else {
            throw failure("the value starts with \" but has no closing \" (new syntax: the whole value is quoted)",
                          at: characters.count)
        }
        let rest = String(characters[index...]).trimmingBlanks
        guard rest.isEmpty else {
            throw failure("unexpected text after the closing double quote: '\(rest)'", at: index)
        }
        if inWord { words.append(current) }
        return words
    }

    static func parseOldArguments(_ value: String, location: SourceLocation) throws(JobSpecError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        let characters = Array(value)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "\\", index + 1 < characters.count, characters[index + 1] == "\"" {
                current.append("\"")
                inWord = true
                index += 2
                continue
            }
            if character == "\"" {
                var place = location
                if place.column > 0 { place.column += index }
                throw JobSpecError("arguments: found an unescaped double quote in the old syntax; write the whole "
                                   + "value in double quotes to use the new syntax (with 'single quotes' around "
                                   + "arguments holding spaces), or escape it as \\\"", at: place)
            }
            if character == " " || character == "\t" {
                if inWord { words.append(current); current = ""; inWord = false }
            } else {
                current.append(character)
                inWord = true
            }
            index += 1
        }
        if inWord { words.append(current) }
        return words
    }
}
