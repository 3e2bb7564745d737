/// A ClassAd expression of the subset used in `requirements` and `rank`, parsed once and
/// evaluated against each worker's ad.
///
/// Supported: integer, real, string (`"..."` with `\` escapes), `true`/`false`/
/// `undefined`/`error` literals; attribute references, bare or with `Target.`/`My.`;
/// `( )`; unary `!`, `-`, `+`; `* / %`, `+ -`; `< <= > >=`; `== !=` (strings without regard
/// to case); `=?=`/`is` and `=!=`/`isnt` (exact: same type and, for strings, same case);
/// `&&`, `||`; `c ? a : b`; and the functions `isUndefined(x)`, `isError(x)`,
/// `ifThenElse(c, a, b)`.
///
/// Semantics follow the HTCondor manual ("ClassAd Evaluation Semantics"): a missing
/// attribute is UNDEFINED; comparisons and arithmetic with UNDEFINED give UNDEFINED;
/// `false && x` is false and `true || x` is true whatever `x` is; otherwise `&&` and `||`
/// with UNDEFINED give UNDEFINED. Type mismatches give ERROR. A bare name is looked up in
/// the job's own ad first (`My`), then the worker's (`Target`), as in matchmaking.
/// Integers are 64-bit and wrap on overflow (`+ - * / %` and unary `-`), as HTCondor's
/// C `long long` arithmetic does on the machines it runs on; no value makes evaluation trap.
///
/// An expression nested more than 256 deep, or more than 1,000 operators high, is refused
/// (``ClassAdParser/maximumNesting``, ``ClassAdParser/maximumHeight``).
public struct ClassAdExpression: Sendable, Equatable, CustomStringConvertible {
    /// The expression as written.
    public let text: String
    let root: Node
    /// The top-level `&&` clauses, as written.
    let clauses: [Clause]

    struct Clause: Sendable, Equatable {
        var text: String
        var node: Node
    }

    indirect enum Node: Sendable, Equatable {
        case literal(ClassAdValue)
        case attribute(scope: Scope, name: String)
        case unary(String, Node)
        case binary(String, Node, Node)
        case conditional(Node, Node, Node)
        case call(String, [Node])
    }

    enum Scope: Sendable, Equatable { case bare, my, target }

    /// Parses `text`.
    ///
    /// - Parameter location: where `text` starts; errors add the column within `text`.
    /// - Throws: ``JobSpecError`` naming the column and what was expected, or that the
    ///   expression nests too deep or is too high.
    public init(parsing text: String, location: SourceLocation) throws(JobSpecError) {
        self.text = text
        var parser = ClassAdParser(text: text, location: location)
        root = try parser.parseExpression()
        try parser.expectEnd()
        // The recorded operands are the clauses only when the whole expression is the `&&` chain.
        if case .binary("&&", _, _) = root {
            clauses = parser.conjuncts.map { Clause(text: $0.text, node: $0.node) }
        } else {
            clauses = []
        }
    }

    /// The expression as written.
    public var description: String { text }

    /// The expression's value against `target` (the worker's ad), with `my` the job's own
    /// attributes.
    public func evaluate(_ target: ClassAd, my: ClassAd = [:]) -> ClassAdValue {
        Self.evaluate(root, target: Self.folded(target), my: Self.folded(my))
    }

    /// Whether `target` satisfies this expression as a requirements expression: only
    /// `true` (or a non-zero number) matches; `false`, UNDEFINED and ERROR do not.
    public func matches(_ target: ClassAd, my: ClassAd = [:]) -> Bool {
        evaluate(target, my: my).truth == true
    }

    /// Why `target` does not match, the way `condor_q -better-analyze` explains it: each
    /// top-level `&&` clause that is not true, as `clause` followed by its value
    /// (`Memory >= 8192 is false`, `Gpus >= 1 is undefined`). Empty when `target` matches.
    public func unmetClauses(_ target: ClassAd, my: ClassAd = [:]) -> [String] {
        let targetAd = Self.folded(target), myAd = Self.folded(my)
        let parts = clauses.isEmpty ? [Clause(text: text, node: root)] : clauses
        return parts.compactMap { clause in
            let value = Self.evaluate(clause.node, target: targetAd, my: myAd)
            return value.truth == true ? nil : "\(clause.text) is \(value)"
        }
    }

    /// This expression's value as a rank: numbers as they are, `true` as 1, anything
    /// else (UNDEFINED, ERROR, strings) as 0, as the negotiator ranks.
    public func rankValue(_ target: ClassAd, my: ClassAd = [:]) -> Double {
        let value = evaluate(target, my: my)
        if case .boolean(let truth) = value { return truth ? 1 : 0 }
        return value.number ?? 0
    }

    static func folded(_ ad: ClassAd) -> ClassAd {
        var result: ClassAd = [:]
        for (key, value) in ad { result[key.lowercased()] = value }
        return result
    }

    static func evaluate(_ node: Node, target: ClassAd, my: ClassAd) -> ClassAdValue {
        switch node {
        case .literal(let value):
            return value
        case .attribute(let scope, let name):
            switch scope {
            case .target: return target[name] ?? .undefined
            case .my: return my[name] ?? .undefined
            case .bare: return my[name] ?? target[name] ?? .undefined
            }
        case .unary(let op, let operand):
            let value = evaluate(operand, target: target, my: my)
            if value == .undefined || value == .error { return value }
            switch op {
            case "!":
                guard let truth = value.truth else { return .error }
                return .boolean(!truth)
            case "-":
                switch value {
                case .integer(let number): return .integer(0 &- number)  // wraps, as `+ - *` do
                case .real(let number): return .real(-number)
                default: return .error
                }
            default:
                return value.number == nil ? .error : value
            }
        case .conditional(let condition, let then, let otherwise):
            let value = evaluate(condition, target: target, my: my)
            if value == .undefined || value == .error { return value }
            guard let truth = value.truth else { return .error }
            return evaluate(truth ? then : otherwise, target: target, my: my)
        case .call(let name, let arguments):
            let values = arguments.map { evaluate($0, target: target, my: my) }
            switch name {
            case "isundefined": return .boolean(values[0] == .undefined)
            case "iserror": return .boolean(values[0] == .error)
            default: // ifthenelse
                if values[0] == .undefined || values[0] == .error { return values[0] }
                guard let truth = values[0].truth else { return .error }
                return truth ? values[1] : values[2]
            }
        case .binary(let op, let left, let right):
            let lhs = evaluate(left, target: target, my: my)
            switch op {
            case "&&":
                if lhs.truth == false { return .boolean(false) }
                let rhs = evaluate(right, target: target, my: my)
                return logical(lhs, rhs, isAnd: true)
            case "||":
                if lhs.truth == true { return .boolean(true) }
                let rhs = evaluate(right, target: target, my: my)
                return logical(lhs, rhs, isAnd: false)
            default:
                return binary(op, lhs, evaluate(right, target: target, my: my))
            }
        }
    }

    /// `&&`/`||` when the left side did not decide the result.
    static func logical(_ lhs: ClassAdValue, _ rhs: ClassAdValue, isAnd: Bool) -> ClassAdValue {
        if lhs == .error || rhs == .error { return .error }
        if lhs != .undefined, lhs.truth == nil { return .error }
        if rhs != .undefined, rhs.truth == nil { return .error }
        if isAnd, rhs.truth == false { return .boolean(false) }
        if !isAnd, rhs.truth == true { return .boolean(true) }
        if lhs == .undefined || rhs == .undefined { return .undefined }
        return .boolean(rhs.truth!)
    }

    static func binary(_ op: String, _ first: ClassAdValue, _ second: ClassAdValue) -> ClassAdValue {
        if op == "=?=" || op == "=!=" {
            // Exact: the same type and value (`1 =?= 1.0` is false), strings with case.
            return .boolean((first == second) == (op == "=?="))
        }
        if first == .error || second == .error { return .error }
        if first == .undefined || second == .undefined { return .undefined }
        // Booleans take part in arithmetic and comparisons as 0 and 1 (`true + 1` is 2).
        let lhs = first.promotingBoolean, rhs = second.promotingBoolean
        switch op {
        case "+", "-", "*", "/", "%":
            if case .integer(let a) = lhs, case .integer(let b) = rhs {
                switch op {
                case "+": return .integer(a &+ b)
                case "-": return .integer(a &- b)
                case "*": return .integer(a &* b)
                // The one quotient that overflows, the smallest integer / -1, wraps like the others.
                case "/": return b == 0 ? .error : .integer(a.dividedReportingOverflow(by: b).partialValue)
                default: return b == 0 ? .error : .integer(a.remainderReportingOverflow(dividingBy: b).partialValue)
                }
            }
            guard let a = lhs.number, let b = rhs.number else { return .error }
            switch op {
            case "+": return .real(a + b)
            case "-": return .real(a - b)
            case "*": return .real(a * b)
            case "/": return b == 0 ? .error : .real(a / b)
            default: return .error
            }
        default: // comparisons
            let order: Int
            if let a = lhs.number, let b = rhs.number {
                order = a < b ? -1 : (a > b ? 1 : 0)
            } else if case .string(let a) = lhs, case .string(let b) = rhs {
                let x = a.lowercased(), y = b.lowercased()
                order = x < y ? -1 : (x > y ? 1 : 0)
            } else {
                return .error
            }
            switch op {
            case "==": return .boolean(order == 0)
            case "!=": return .boolean(order != 0)
            case "<": return .boolean(order < 0)
            case "<=": return .boolean(order <= 0)
            case ">": return .boolean(order > 0)
            default: return .boolean(order >= 0)
            }
        }
    }
}

extension ClassAdValue {
    /// Booleans as the integers 0 and 1; other values as they are.
    var promotingBoolean: ClassAdValue {
        if case .boolean(let truth) = self { return .integer(truth ? 1 : 0) }
        return self
    }
}
