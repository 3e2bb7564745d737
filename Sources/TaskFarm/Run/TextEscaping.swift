import Foundation

/// `text` with `&`, `<`, `>`, `"` and `'` escaped for HTML text and attribute values.
func escapeHTML(_ text: String) -> String {
    replacingScalars(of: text) { htmlEscapes[$0] }
}

/// `text` as a JSON string literal (RFC 8259: quote, backslash and control characters escaped).
func jsonString(_ text: String) -> String {
    "\"" + replacingScalars(of: text) { scalar in
        jsonEscapes[scalar] ?? (scalar.value < 0x20 ? String(format: "\\u%04x", scalar.value) : nil)
    } + "\""
}

private let htmlEscapes: [Unicode.Scalar: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"]

private let jsonEscapes: [Unicode.Scalar: String] = ["\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"]

/// `text` with each scalar for which `replacement` gives a text replaced by that text; the
/// one loop both escapers share.
private func replacingScalars(of text: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        if let replaced = replacement(scalar) {
            result += replaced
        } else {
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}
