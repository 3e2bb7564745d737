/// Builds one journal line as bytes: the fields of a record, tab-separated, then the
/// CRC-32 of them in front and a newline behind (the format ``JournalRecord`` describes).
///
/// Rank 0 writes two records for every task it runs, so the line goes straight into bytes:
/// integers as their decimal digits, text escaped byte by byte, with no array of field
/// strings to join. The bytes are those of the former `[String].joined` form: integers and
/// times are Swift's own `String(_:)` of them (times keep the shortest form that reads back
/// exactly), and the escaped characters (`\`, tab, CR, newline) are ASCII, whose bytes never
/// occur inside another character's UTF-8.
struct JournalLineEncoder {
    /// The fields so far, tab-separated.
    private(set) var body: [UInt8] = []

    /// Starts a line with the record's kind as its first field.
    init(kind: StaticString) {
        body.reserveCapacity(160)
        kind.withUTF8Buffer { body.append(contentsOf: $0) }
    }

    private mutating func separate() { body.append(UInt8(ascii: "\t")) }

    /// Appends an integer field in decimal, as `String(value)` writes it.
    mutating func append(_ value: Int) {
        separate()
        appendDigits(of: value)
    }

    /// Appends a number field as `String(value)` writes it: the shortest that reads back exactly.
    mutating func append(_ value: Double) {
        separate()
        body.append(contentsOf: String(value).utf8)
    }

    /// Appends a field as it is, for words of the format (`resume`, `queued`) and fields
    /// that are already in field form; the caller knows they hold no tab or newline.
    mutating func append(word: StaticString) {
        separate()
        word.withUTF8Buffer { body.append(contentsOf: $0) }
    }

    /// Appends a field as it is, for fields that hold no tab or newline by construction
    /// (a fingerprint's hex digits).
    mutating func append(verbatim field: String) {
        separate()
        body.append(contentsOf: field.utf8)
    }

    /// Appends a field that may hold anything: `\`, tab, CR and newline become `\\`, `\t`,
    /// `\r` and `\n`.
    mutating func append(text: String) {
        separate()
        var text = text
        text.withUTF8 { bytes in
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\\"): body.append(UInt8(ascii: "\\")); body.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\t"): body.append(UInt8(ascii: "\\")); body.append(UInt8(ascii: "t"))
                case UInt8(ascii: "\n"): body.append(UInt8(ascii: "\\")); body.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): body.append(UInt8(ascii: "\\")); body.append(UInt8(ascii: "r"))
                default: body.append(byte)
                }
            }
        }
    }

    /// Appends an empty field (an exit status or signal that is absent).
    mutating func appendEmpty() { separate() }

    /// Appends an optional integer: its digits, or an empty field for `nil`.
    mutating func append(_ value: Int?) {
        separate()
        if let value { appendDigits(of: value) }
    }

    private mutating func appendDigits(of value: Int) {
        if value < 0 { body.append(UInt8(ascii: "-")) }
        // The magnitude as unsigned, so that Int.min has one too; Int has at most 20 digits.
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var index = digits.count
            repeat {
                index -= 1
                digits[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            body.append(contentsOf: UnsafeBufferPointer(rebasing: digits[index...]))
        }
    }

    /// Appends the finished line to `output`: 8 lowercase hex digits of the body's CRC-32,
    /// a tab, the body and a newline.
    func appendLine(to output: inout [UInt8]) {
        let crc = CRC32.checksum(body)
        output.reserveCapacity(output.count + body.count + 10)
        for shift in stride(from: 28, through: 0, by: -4) {
            let nibble = UInt8((crc >> UInt32(shift)) & 0xF)
            output.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
        }
        output.append(UInt8(ascii: "\t"))
        output.append(contentsOf: body)
        output.append(UInt8(ascii: "\n"))
    }
}
