import Foundation

extension StringProtocol {
    /// Whether `needle`, ASCII text such as `$$(`, occurs in the string, answered as
    /// Foundation's `contains` answers it, without Foundation's cost for the text of every
    /// proc (`CFStringFind` took a sixth of `check`'s time). No other character is canonically
    /// equivalent to an ASCII one, so the bytes not holding it settle "no", and ASCII text's
    /// bytes are its characters; only non-ASCII text that holds the bytes asks Foundation
    /// (a combining mark after them makes another character).
    func containsASCII(_ needle: String) -> Bool {
        let bytes = needle.utf8
        guard let first = bytes.first else { return true }
        var found = false
        var ascii = true
        let view = utf8
        var index = view.startIndex
        while index != view.endIndex {
            let byte = view[index]
            if byte >= 0x80 { ascii = false }
            if !found, byte == first, view[index...].starts(with: bytes) { found = true }
            if found, !ascii { break }
            index = view.index(after: index)
        }
        guard found else { return false }
        return ascii || String(self).contains(needle)
    }

    /// Whether every byte of the string is ASCII, so that its characters are its bytes.
    var isASCII: Bool { utf8.allSatisfy { $0 < 0x80 } }
}
