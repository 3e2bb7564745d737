/// A recursive-descent parser for ``ClassAdExpression``.
///
/// Precedence, lowest first: `?:`, `||`, `&&`, `== != =?= =!= is isnt`, `< <= > >=`,
/// `+ -`, `* / %`, unary `! - +`. Source: HTCondor manual, "ClassAd Syntax".
struct ClassAdParser {
    typealias Node = ClassAdExpression.Node
    let characters: [Character]
    let text: String
    let location: SourceLocation
    var index = 0
    /// How deep the parser is in nested expressions; 1 at the top.
    var depth = 0
    /// The top-level `&&` operands as written, with their trees (for explaining a
    /// failed match clause by clause).
    var conjuncts: [(text: String, node: Node)] = []

    init(text: String, location: SourceLocation) {
        self.text = text
        self.characters = Array(text)
        self.location = location
    }

    func failure(_ message: String, at offset: Int? = nil) -> JobSpecError {
        var place = location
        if place.column > 0 { place.column += offset ?? index }
        return JobSpecError("ClassAd expression '\(text)': \(message)", at: place)
    }

    mutating func skipBlanks() {
        while index < characters.count, characters[index].isWhitespace { index += 1 }
    }

    /// Consumes `token` if it comes next (after blanks). Word operators need a word boundary.
    mutating func take(_ token: String) -> Bool {
        skipBlanks()
        let tokenCharacters = Array(token)
        guard index + tokenCharacters.count <= characters.count else { return false }
        for (offset, character) in tokenCharacters.enumerated() {
            guard characters[index + offset].lowercased() == character.lowercased() else { return false }
        }
        let end = index + tokenCharacters.count
        if token.first!.isLetter, end < characters.count,
           characters[end].isLetter || characters[end].isNumber || characters[end] == "_" {
            return false
        }
        index = end
        return true
    }

    mutating func expectEnd() throws(JobSpecError) {
        skipBlanks()
        guard index == characters.count else {
            throw failure("unexpected '\(characters[index])'; expected an operator or the end")
        }
    }

    mutating func parseExpression() throws(JobSpecError) -> Node {
        depth += 1
        defer { depth -= 1 }
        skipBlanks()
        guard index < characters.count else { throw failure("expected an expression") }
        let condition = try parseOr()
        if take("?") {
            let then = try parseExpression()
            guard take(":") else { throw failure("expected ':' in 'condition ? a : b'") }
            let otherwise = try parseExpression()
            return .conditional(condition, then, otherwise)
        }
        return condition
    }

    mutating func parseOr() throws(JobSpecError) -> Node {
        var node = try parseAnd()
        while take("||") { node = .binary("||", node, try parseAnd()) }
        return node
    }

    mutating func parseAnd() throws(JobSpecError) -> Node {
        let topLevel = depth == 1
        var operands: [(text: String, node: Node)] = []
        func operand(_ parser: inout ClassAdParser) throws(JobSpecError) -> Node {
            parser.skipBlanks()
            let start = parser.index
            let node = try parser.parseEquality()
            operands.append((String(parser.characters[start ..< parser.index]).trimmingBlanks, node))
            return node
        }
        var node = try operand(&self)
        while take("&&") { node = .binary("&&", node, try operand(&self)) }
        if topLevel, conjuncts.isEmpty { conjuncts = operands }
        return node
    }

    mutating func parseEquality() throws(JobSpecError) -> Node {
        var node = try parseRelational()
        while true {
            if take("=?=") || take("is") {
                node = .binary("=?=", node, try parseRelational())
            } else if take("=!=") || take("isnt") {
                node = .binary("=!=", node, try parseRelational())
            } else if take("==") {
                node = .binary("==", node, try parseRelational())
            } else if take("!=") {
                node = .binary("!=", node, try parseRelational())
            } else {
                return node
            }
        }
    }

    mutating func parseRelational() throws(JobSpecError) -> Node {
        var node = try parseAdditive()
        while true {
            if take("<=") { node = .binary("<=", node, try parseAdditive()) }
            else if take(">=") { node = .binary(">=", node, try parseAdditive()) }
            else if take("<") { node = .binary("<", node, try parseAdditive()) }
            else if take(">") { node = .binary(">", node, try parseAdditive()) }
            else { return node }
        }
    }

    mutating func parseAdditive() throws(JobSpecError) -> Node {
        var node = try parseMultiplicative()
        while true {
            if take("+") { node = .binary("+", node, try parseMultiplicative()) }
            else if take("-") { node = .binary("-", node, try parseMultiplicative()) }
            else { return node }
        }
    }

    mutating func parseMultiplicative() throws(JobSpecError) -> Node {
        var node = try parseUnary()
        while true {
            if take("*") { node = .binary("*", node, try parseUnary()) }
            else if take("/") { node = .binary("/", node, try parseUnary()) }
            else if take("%") { node = .binary("%", node, try parseUnary()) }
            else { return node }
        }
    }

    mutating func parseUnary() throws(JobSpecError) -> Node {
        skipBlanks()
        if index + 1 < characters.count, characters[index] == "!", characters[index + 1] != "=" {
            index += 1
            return .unary("!", try parseUnary())
        }
        if take("-") { return .unary("-", try parseUnary()) }
        if take("+") { return .unary("+", try parseUnary()) }
        return try parsePrimary()
    }

    mutating func parsePrimary() throws(JobSpecError) -> Node {
        skipBlanks()
        guard index < characters.count else { throw failure("expected a value, an attribute or '('") }
        let start = index
        let character = characters[index]
        if character == "(" {
            index += 1
            let node = try parseExpression()
            guard take(")") else { throw failure("expected ')' to close the '(' at column \(start + 1)") }
            return node
        }
        if character == "\"" { return .literal(.string(try parseString())) }
        if character.isNumber || (character == "." && index + 1 < characters.count && characters[index + 1].isNumber) {
            return .literal(try parseNumber())
        }
        guard character.isLetter || character == "_" else {
            throw failure("unexpected '\(character)'; expected a value, an attribute or '('")
        }
        var name = parseName()
        switch name.lowercased() {
        case "true": return .literal(.boolean(true))
        case "false": return .literal(.boolean(false))
        case "undefined": return .literal(.undefined)
        case "error": return .literal(.error)
        default: break
        }
        var scope = ClassAdExpression.Scope.bare
        if index < characters.count, characters[index] == ".",
           ["target", "my"].contains(name.lowercased()) {
            scope = name.lowercased() == "my" ? .my : .target
            index += 1
            guard index < characters.count, characters[index].isLetter || characters[index] == "_" else {
                throw failure("expected an attribute name after '\(name).'")
            }
            name = parseName()
        }
        skipBlanks()
        if scope == .bare, index < characters.count, characters[index] == "(" {
            let function = name.lowercased()
            let arity = ["isundefined": 1, "iserror": 1, "ifthenelse": 3]
            guard let expected = arity[function] else {
                throw failure("function \(name)() is not supported; supported: isUndefined, isError, ifThenElse",
                              at: start)
            }
            index += 1
            var arguments: [Node] = []
            if !take(")") {
                repeat { arguments.append(try parseExpression()) } while take(",")
                guard take(")") else { throw failure("expected ')' after the arguments of \(name)") }
            }
            guard arguments.count == expected else {
                throw failure("\(name)() takes \(expected) argument\(expected == 1 ? "" : "s")", at: start)
            }
            return .call(function, arguments)
        }
        return .attribute(scope: scope, name: name.lowercased())
    }

    mutating func parseName() -> String {
        var name = ""
        while index < characters.count,
              characters[index].isLetter || characters[index].isNumber || characters[index] == "_" {
            name.append(characters[index])
            index += 1
        }
        return name
    }

    mutating func parseString() throws(JobSpecError) -> String {
        let start = index
        index += 1
        var value = ""
        while index < characters.count {
            let character = characters[index]
            index += 1
            if character == "\"" { return value }
            if character == "\\", index < characters.count {
                let escaped = characters[index]
                index += 1
                switch escaped {
                case "n": value.append("\n")
                case "t": value.append("\t")
                default: value.append(escaped)
                }
            } else {
                value.append(character)
            }
        }
        throw failure("unclosed string; expected '\"'", at: start)
    }

    mutating func parseNumber() throws(JobSpecError) -> ClassAdValue {
        let start = index
        while index < characters.count, characters[index].isNumber || characters[index] == "." { index += 1 }
        if index < characters.count, characters[index] == "e" || characters[index] == "E" {
            index += 1
            if index < characters.count, characters[index] == "+" || characters[index] == "-" { index += 1 }
            while index < characters.count, characters[index].isNumber { index += 1 }
        }
        let literal = String(characters[start ..< index])
        if let integer = Int(literal) { return .integer(integer) }
        if let real = Double(literal) { return .real(real) }
        throw failure("'\(literal)' is not a number", at: start)
    }
}
