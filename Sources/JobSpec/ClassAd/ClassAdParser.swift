/// A recursive-descent parser for ``ClassAdExpression``.
///
/// Precedence, lowest first: `?:`, `||`, `&&`, `== != =?= =!= is isnt`, `< <= > >=`,
/// `+ -`, `* / %`, unary `! - +`. Source: HTCondor manual, "ClassAd Syntax".
///
/// Parsing and evaluating recurse, so an expression is refused, naming where, when its
/// parentheses, unary operators, `?:` and function calls nest more than ``maximumNesting``
/// deep, or when its tree is more than ``maximumHeight`` operators high (a chain of 1,000
/// `||`): either would otherwise overflow the stack of whoever reads or matches it.
struct ClassAdParser {
    typealias Node = ClassAdExpression.Node
    /// A subexpression and the height of its tree (a value or attribute is 1).
    typealias Parsed = (node: Node, height: Int)

    /// The deepest nesting of `( )`, unary operators, `?:` and calls accepted.
    static let maximumNesting = 256
    /// The highest expression tree accepted, in operators.
    static let maximumHeight = 1000
    let characters: [Character]
    let text: String
    let location: SourceLocation
    var index = 0
    /// How deep the parser is in nested expressions; 1 at the top.
    var depth = 0
    /// How deep the parser is in nested expressions and unary operators.
    var nesting = 0
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

    /// Enters one more level of nesting (a parenthesis, unary operator, `?:` branch or call).
    ///
    /// - Throws: ``JobSpecError`` past ``maximumNesting``.
    mutating func nest() throws(JobSpecError) {
        nesting += 1
        guard nesting <= Self.maximumNesting else {
            throw failure("nested more than \(Self.maximumNesting) deep (parentheses, unary operators, '?:' and calls); "
                          + "expected a shallower expression")
        }
    }

    /// `node` with `height`, unless the tree grew higher than ``maximumHeight``.
    func checked(_ node: Node, height: Int) throws(JobSpecError) -> Parsed {
        guard height <= Self.maximumHeight else {
            throw failure("more than \(Self.maximumHeight) operators high (a chain of that many '||' or '&&'); "
                          + "expected a shorter expression")
        }
        return (node, height)
    }

    /// `lhs op rhs`.
    func binary(_ op: String, _ lhs: Parsed, _ rhs: Parsed) throws(JobSpecError) -> Parsed {
        try checked(.binary(op, lhs.node, rhs.node), height: 1 + max(lhs.height, rhs.height))
    }

    mutating func parseExpression() throws(JobSpecError) -> Node {
        try parseNested().node
    }

    mutating func parseNested() throws(JobSpecError) -> Parsed {
        depth += 1
        try nest()
        defer { depth -= 1; nesting -= 1 }
        skipBlanks()
        guard index < characters.count else { throw failure("expected an expression") }
        let condition = try parseOr()
        if take("?") {
            let then = try parseNested()
            guard take(":") else { throw failure("expected ':' in 'condition ? a : b'") }
            let otherwise = try parseNested()
            return try checked(.conditional(condition.node, then.node, otherwise.node),
                               height: 1 + max(condition.height, then.height, otherwise.height))
        }
        return condition
    }

    mutating func parseOr() throws(JobSpecError) -> Parsed {
        var parsed = try parseAnd()
        while take("||") { parsed = try binary("||", parsed, try parseAnd()) }
        return parsed
    }

    mutating func parseAnd() throws(JobSpecError) -> Parsed {
        let topLevel = depth == 1
        var operands: [(text: String, node: Node)] = []
        func operand(_ parser: inout ClassAdParser) throws(JobSpecError) -> Parsed {
            parser.skipBlanks()
            let start = parser.index
            let parsed = try parser.parseEquality()
            operands.append((String(parser.characters[start ..< parser.index]).trimmingBlanks, parsed.node))
            return parsed
        }
        var parsed = try operand(&self)
        while take("&&") { parsed = try binary("&&", parsed, try operand(&self)) }
        if topLevel, conjuncts.isEmpty { conjuncts = operands }
        return parsed
    }

    mutating func parseEquality() throws(JobSpecError) -> Parsed {
        var parsed = try parseRelational()
        while true {
            if take("=?=") || take("is") {
                parsed = try binary("=?=", parsed, try parseRelational())
            } else if take("=!=") || take("isnt") {
                parsed = try binary("=!=", parsed, try parseRelational())
            } else if take("==") {
                parsed = try binary("==", parsed, try parseRelational())
            } else if take("!=") {
                parsed = try binary("!=", parsed, try parseRelational())
            } else {
                return parsed
            }
        }
    }

    mutating func parseRelational() throws(JobSpecError) -> Parsed {
        var parsed = try parseAdditive()
        while true {
            if take("<=") { parsed = try binary("<=", parsed, try parseAdditive()) }
            else if take(">=") { parsed = try binary(">=", parsed, try parseAdditive()) }
            else if take("<") { parsed = try binary("<", parsed, try parseAdditive()) }
            else if take(">") { parsed = try binary(">", parsed, try parseAdditive()) }
            else { return parsed }
        }
    }

    mutating func parseAdditive() throws(JobSpecError) -> Parsed {
        var parsed = try parseMultiplicative()
        while true {
            if take("+") { parsed = try binary("+", parsed, try parseMultiplicative()) }
            else if take("-") { parsed = try binary("-", parsed, try parseMultiplicative()) }
            else { return parsed }
        }
    }

    mutating func parseMultiplicative() throws(JobSpecError) -> Parsed {
        var parsed = try parseUnary()
        while true {
            if take("*") { parsed = try binary("*", parsed, try parseUnary()) }
            else if take("/") { parsed = try binary("/", parsed, try parseUnary()) }
            else if take("%") { parsed = try binary("%", parsed, try parseUnary()) }
            else { return parsed }
        }
    }

    mutating func parseUnary() throws(JobSpecError) -> Parsed {
        skipBlanks()
        let op: String
        if index + 1 < characters.count, characters[index] == "!", characters[index + 1] != "=" {
            index += 1
            op = "!"
        } else if take("-") {
            op = "-"
        } else if take("+") {
            op = "+"
        } else {
            return try parsePrimary()
        }
        try nest()
        defer { nesting -= 1 }
        let operand = try parseUnary()
        return try checked(.unary(op, operand.node), height: operand.height + 1)
    }

    mutating func parsePrimary() throws(JobSpecError) -> Parsed {
        skipBlanks()
        guard index < characters.count else { throw failure("expected a value, an attribute or '('") }
        let start = index
        let character = characters[index]
        if character == "(" {
            index += 1
            let parsed = try parseNested()
            guard take(")") else { throw failure("expected ')' to close the '(' at column \(start + 1)") }
            return parsed
        }
        if character == "\"" { return (.literal(.string(try parseString())), 1) }
        if character.isNumber || (character == "." && index + 1 < characters.count && characters[index + 1].isNumber) {
            return (.literal(try parseNumber()), 1)
        }
        guard character.isLetter || character == "_" else {
            throw failure("unexpected '\(character)'; expected a value, an attribute or '('")
        }
        var name = parseName()
        switch name.lowercased() {
        case "true": return (.literal(.boolean(true)), 1)
        case "false": return (.literal(.boolean(false)), 1)
        case "undefined": return (.literal(.undefined), 1)
        case "error": return (.literal(.error), 1)
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
            var arguments: [Parsed] = []
            if !take(")") {
                repeat { arguments.append(try parseNested()) } while take(",")
                guard take(")") else { throw failure("expected ')' after the arguments of \(name)") }
            }
            guard arguments.count == expected else {
                throw failure("\(name)() takes \(expected) argument\(expected == 1 ? "" : "s")", at: start)
            }
            return try checked(.call(function, arguments.map(\.node)), height: 1 + arguments.map(\.height).max()!)
        }
        return (.attribute(scope: scope, name: name.lowercased()), 1)
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
