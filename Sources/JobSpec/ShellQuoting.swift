/// POSIX shell quoting, and the test for lines simple enough to run without a shell.
///
/// Source: POSIX.1-2017 Shell Command Language, §2.2 (quoting), §2.6.5 (field splitting),
/// §2.9.1 (simple commands).
public enum ShellQuoting {
    /// Quotes `word` so that `/bin/sh` reads it back as exactly one word.
    /// Words made only of safe characters are returned as they are.
    public static func quote(_ word: String) -> String {
        if !word.isEmpty, word.utf8.allSatisfy(isPlainByte) { return word }
        // Without a `'` byte there is nothing to replace: no Foundation search (`check`
        // quotes every task's command).
        guard word.utf8.contains(UInt8(ascii: "'")) else { return "'" + word + "'" }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Bytes that mean nothing special to the shell anywhere in a word.
    /// Non-ASCII bytes are plain too: the shell passes them through unchanged.
    static func isPlainByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ","),
             UInt8(ascii: ":"), UInt8(ascii: "+"), UInt8(ascii: "@"), UInt8(ascii: "%"), UInt8(ascii: "="):
            return true
        default:
            return byte >= 0x80
        }
    }

    /// Words that the shell treats specially in command position: reserved words and
    /// builtins whose behaviour differs from the program of the same name in `PATH`.
    static let shellCommandWords: Set<String> = [
        "!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then", "until",
        "while", "function", "select", "time", ".", ":", "alias", "bg", "break", "cd", "command", "continue",
        "echo", "eval", "exec", "exit", "export", "false", "fc", "fg", "getopts", "hash", "jobs", "kill",
        "local", "printf", "pwd", "read", "readonly", "return", "set", "shift", "test", "[", "times", "trap",
        "true", "type", "ulimit", "umask", "unalias", "unset", "wait",
    ]

    /// Splits `line` into words when the shell would do nothing but split it at blanks:
    /// no quotes, expansions, globs, operators or redirections, no assignment before the
    /// command, and no builtin or reserved word in command position. Returns `nil`
    /// when the line needs a real shell.
    ///
    /// Both paths give the same argv: this only skips the shell when it would add nothing.
    public static func plainWords(_ line: Substring) -> [String]? {
        // The scheduler asks this of every task it starts: an ASCII line (the usual one) is
        // split by bytes, where a blank is always a separator; otherwise by characters, so
        // that a blank a combining mark attaches to is not one, and the line goes to the
        // shell. No Foundation search either (`String.contains("=")` is a locale-aware one).
        var words: [String] = []
        if line.utf8.allSatisfy({ $0 < 0x80 }) {
            for word in line.utf8.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
                guard word.allSatisfy(isPlainByte) else { return nil }
                words.append(String(Substring(word)))
            }
        } else {
            for word in line.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                guard word.utf8.allSatisfy(isPlainByte) else { return nil }
                words.append(String(word))
            }
        }
        guard let first = words.first else { return nil }
        if first.utf8.contains(UInt8(ascii: "=")) || shellCommandWords.contains(first) { return nil }
        return words
    }

    /// Whether `line` is one simple command, so that `exec LINE` runs the same program with
    /// the same argv and redirections, and the program itself, not a wrapping shell,
    /// receives the signals sent to the task and gives its exit status. False when the line
    /// has an unquoted `;`, `&`, `|`, `(`, `)` or newline, or starts with anything but a
    /// plain command word (a builtin, reserved word, assignment or redirection).
    public static func isSimpleCommand(_ line: Substring) -> Bool {
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        let firstWord = trimmed.prefix(while: { $0 != " " && $0 != "\t" })
        guard let first = firstWord.utf8.first, first != UInt8(ascii: "#"),
              firstWord.utf8.allSatisfy(isPlainByte), !firstWord.utf8.contains(UInt8(ascii: "=")),
              !shellCommandWords.contains(String(firstWord)) else { return false }
        var inSingle = false
        var inDouble = false
        var escaped = false
        for byte in trimmed.utf8 {
            if escaped { escaped = false; continue }
            if inSingle { if byte == UInt8(ascii: "'") { inSingle = false }; continue }
            switch byte {
            case UInt8(ascii: "\\"): escaped = true
            case UInt8(ascii: "'") where !inDouble: inSingle = true
            case UInt8(ascii: "\""): inDouble.toggle()
            case UInt8(ascii: "#") where !inDouble: return !inSingle && !inDouble
            case UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "("), UInt8(ascii: ")"),
                 UInt8(ascii: "\n"):
                if !inDouble { return false }
            default: break
            }
        }
        return !inSingle && !inDouble && !escaped
    }
}
