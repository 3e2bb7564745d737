import Foundation

/// The UTF-8 byte-order mark (EF BB BF, U+FEFF) that editors on Windows (Notepad, Visual
/// Studio) write at the start of a text file. It is no part of the text: left in, a task
/// list's first command becomes `\u{FEFF}echo` (exit 127) and a script's `#!` is not found.
/// Every job file, task list, script, submit description and DAG, is read through
/// ``stripped(_:)-(Data)`` (or the `String` form for text Foundation already decoded).
public enum ByteOrderMark {
    /// The mark's bytes in UTF-8.
    public static let utf8Bytes: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// `data` without a leading byte-order mark; `data` itself, not copied, when it has none.
    public static func stripped(_ data: Data) -> Data {
        data.starts(with: utf8Bytes) ? Data(data.dropFirst(utf8Bytes.count)) : data
    }

    /// Whether the file at `path` starts with the mark (reads its first three bytes).
    public static func starts(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: utf8Bytes.count))?.elementsEqual(utf8Bytes) == true
    }

    /// The warning for a batch script that starts with the mark: it is left out when the
    /// script is read, but its tasks run the file itself, whose shell reads the mark as part
    /// of line 1 (`\u{FEFF}#!/bin/bash: not found` in every task's stderr).
    static func scriptWarning(file: String) -> JobSpecError {
        JobSpecError("the script starts with a UTF-8 byte-order mark (as Windows editors save files); its tasks run "
                     + "the file, whose shell reads the mark as part of this line and reports it not found; save it "
                     + "as UTF-8 without a byte-order mark", file: file, line: 1)
    }

    /// `text` without a leading U+FEFF.
    public static func stripped(_ text: String) -> String {
        text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
    }
}
