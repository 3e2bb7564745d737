/// User text (a word from a job file, a file name) made safe to quote in a message for a
/// terminal: control characters are written as escapes, so that a file holding
/// `ESC[31m` cannot recolour or rewrite the user's terminal through an error message, and
/// characters that reorder text (Unicode's bidirectional controls) cannot make a message
/// read other than it is.
///
/// ``JobSpecError`` applies it to every message it prints; other messages that quote user
/// text call it themselves.
public enum VisibleText {
    /// `text` with each control character escaped: `\t`, `\r`, `\n` (unless `keepingNewlines`)
    /// for those three, `\x01` for another C0 control or DEL, `\u{0085}` for a C1 control or
    /// a bidirectional control (U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069). Every
    /// other character, including non-ASCII letters, is kept as it is; so is a backslash,
    /// so text without control characters reads unchanged.
    public static func escaped(_ text: some StringProtocol, keepingNewlines: Bool = false) -> String {
        // Most messages hold no control character: return them without rebuilding.
        guard text.unicodeScalars.contains(where: { needsEscape($0) && !(keepingNewlines && $0 == "\n") }) else {
            return String(text)
        }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n" where keepingNewlines: result.unicodeScalars.append(scalar)
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\x" + hex(scalar.value, digits: 2)
            case _ where needsEscape(scalar):
                result += "\\u{" + hex(scalar.value, digits: 4) + "}"
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Whether `scalar` is written as an escape: C0 controls, DEL, C1 controls and the
    /// bidirectional controls.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00..<0x20, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
