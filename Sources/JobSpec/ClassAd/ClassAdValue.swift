/// A ClassAd value: what an attribute holds and what an expression evaluates to.
///
/// `undefined` is the value of a missing attribute; `error` the value of a type mismatch
/// (`"a" + 1`). Source: HTCondor manual, "ClassAd Mechanism", "Evaluation Semantics".
public enum ClassAdValue: Sendable, Equatable, CustomStringConvertible {
    /// UNDEFINED: a missing attribute, or an operation on one.
    case undefined
    /// ERROR: a type mismatch or another operation with no meaning.
    case error
    /// `true` or `false`.
    case boolean(Bool)
    /// An integer literal or result.
    case integer(Int)
    /// A real (floating-point) literal or result.
    case real(Double)
    /// A string; `==` compares these without regard to case, `=?=` exactly.
    case string(String)

    /// The value as ClassAd text: `"linux"`, `42`, `true`, `undefined`.
    public var description: String {
        switch self {
        case .undefined: return "undefined"
        case .error: return "error"
        case .boolean(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .string(let value): return "\"\(value)\""
        }
    }

    /// The number, for integers and reals.
    var number: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .real(let value): return value
        default: return nil
        }
    }

    /// The truth value in a boolean context: booleans, and numbers (non-zero is true);
    /// `nil` for anything else.
    var truth: Bool? {
        switch self {
        case .boolean(let value): return value
        case .integer(let value): return value != 0
        case .real(let value): return value != 0
        default: return nil
        }
    }
}

/// A machine's ad, as a worker announces it: attribute name to value. Names are
/// compared without regard to case (`Memory`, `memory`).
///
/// The farm's workers publish `Machine` (host name), `Cpus`, `Memory` (MiB), `Disk`
/// (KiB), `Arch` (`X86_64`, `aarch64`) and `OpSys` (`LINUX`), HTCondor's names and units.
public typealias ClassAd = [String: ClassAdValue]
