import Foundation

/// Finds the first byte sequence that is not valid UTF-8, so that a job file in another
/// encoding is refused naming its line, rather than having its bytes silently replaced.
enum TextEncodingCheck {
    /// The 1-based line and 1-based byte column of the first invalid UTF-8 sequence in
    /// `bytes`, or `nil` when all of it is valid.
    static func firstInvalidUTF8<Bytes: Collection>(in bytes: Bytes) -> (line: Int, byte: Int)? where Bytes.Element == UInt8 {
        var line = 1
        var lineStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "\n") {
                let next = bytes.index(after: index)
                if !isValidUTF8(bytes[lineStart..<index]) {
                    return (line, invalidColumn(bytes[lineStart..<index]))
                }
                line += 1
                lineStart = next
            }
            index = bytes.index(after: index)
        }
        if lineStart < bytes.endIndex, !isValidUTF8(bytes[lineStart...]) {
            return (line, invalidColumn(bytes[lineStart...]))
        }
        return nil
    }

    /// Whether `bytes` are valid UTF-8 (ASCII is checked without decoding).
    static func isValidUTF8<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        if bytes.allSatisfy({ $0 < 0x80 }) { return true }
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    private static func invalidColumn<Line: Collection>(_ line: Line) -> Int where Line.Element == UInt8 {
        var decoder = UTF8()
        var iterator = line.makeIterator()
        var column = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): column += UTF8.width(scalar)
            case .emptyInput: return column
            case .error: return column
            }
        }
    }
}

