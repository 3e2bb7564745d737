import Foundation

/// Small path helpers shared by the formats.
enum Paths {
    /// The last component of `path`: `job.sh` for `dir/job.sh`.
    static func lastComponent(_ path: String) -> String { (path as NSString).lastPathComponent }

    /// `path` joined to `directory` unless it is absolute, without `.` components
    /// (`./prog` in `/work` is `/work/prog`). `..` is kept: it means something else
    /// after a symbolic link.
    static func resolve(_ path: String, in directory: String) -> String {
        if path.isASCII, directory.isASCII { return resolveASCII(path, in: directory) }
        let joined = path.hasPrefix("/") ? path : directory + "/" + path
        let parts = joined.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return "/" + parts.joined(separator: "/") + (path.hasSuffix("/") && !parts.isEmpty ? "/" : "")
    }

    /// ``resolve(_:in:)`` for ASCII text, byte by byte: the same components, since each
    /// ASCII byte is one character (a CR LF pair is one too, and holds no `/` or `.`).
    /// Every proc of a submit description resolves several paths, so this is on its path.
    private static func resolveASCII(_ path: String, in directory: String) -> String {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        var result: [UInt8] = []
        result.reserveCapacity(directory.utf8.count + path.utf8.count + 2)
        func append(componentsOf text: String.UTF8View) {
            var start = text.startIndex
            var index = start
            while true {
                if index == text.endIndex || text[index] == slash {
                    let length = text.distance(from: start, to: index)
                    if length > 0, !(length == 1 && text[start] == dot) {
                        result.append(slash)
                        result.append(contentsOf: text[start..<index])
                    }
                    if index == text.endIndex { break }
                    start = text.index(after: index)
                }
                index = text.index(after: index)
            }
        }
        if path.utf8.first != slash { append(componentsOf: directory.utf8) }
        append(componentsOf: path.utf8)
        if result.isEmpty { return "/" }
        if path.utf8.last == slash { result.append(slash) }
        return String(decoding: result, as: UTF8.self)
    }
}
