import Foundation
import JobSpec
import XCTest

/// Asks the real `/bin/sh` what it makes of a command line, so tests compare against the
/// shell itself rather than against our idea of it.
enum ShellOracle {
    /// Runs `executable` with `arguments` in `directory` and returns its stdout.
    static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    /// Splits NUL-terminated fields.
    static func fields(_ data: Data) -> [String] {
        var fields: [String] = []
        var current: [UInt8] = []
        for byte in data {
            if byte == 0 {
                fields.append(String(decoding: current, as: UTF8.self))
                current = []
            } else {
                current.append(byte)
            }
        }
        return fields
    }

    /// A folder holding `prog`, a script that prints its own name and arguments NUL-separated.
    static func folderWithArgvPrinter() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = folder.appendingPathComponent("prog")
        try "#!/bin/sh\nprintf '%s\\0' \"$0\"\nfor a; do printf '%s\\0' \"$a\"; done\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return folder
    }

    /// The argv `/bin/sh -c line` gives `./prog` (argv[0] included), run in `folder`.
    static func argv(ofLine line: String, in folder: URL) throws -> [String] {
        fields(try run("/bin/sh", ["-c", line], in: folder))
    }

    /// The argv that executing `argv` (directly, as the worker would) gives `./prog`.
    static func argv(executing argv: [String], in folder: URL) throws -> [String] {
        let program = argv[0].hasPrefix("/") ? argv[0] : folder.appendingPathComponent(argv[0]).path
        var printed = fields(try run(program, Array(argv.dropFirst()), in: folder))
        // A script started directly sees its full path as $0; the shell path sees "./prog".
        if !printed.isEmpty, printed[0] == program { printed[0] = argv[0] }
        return printed
    }
}

final class ShellQuotingTests: XCTestCase {
    func testLinesNeedingTheShellAreNotSplit() {
        let needShell = [
            "prog \"a b\"", "prog 'a'", "prog $HOME", "prog ${X}", "prog `date`", "prog $(date)",
            "prog *.txt", "prog a?", "prog [ab]", "prog ~/x", "prog > out", "prog < in", "prog 2>&1",
            "prog | wc", "prog && next", "prog || next", "prog ; next", "prog &", "prog a\\ b", "prog \\n",
            "X=1 prog", "PATH=/bin prog", "echo hi", "cd /tmp", "exit 3", "export A=1", "exec prog",
            "true", "test -f x", "prog #comment", "prog {a,b}", "if true", "prog (x)", "prog a!b",
            "prog \u{301}b", "prog a\rb",
        ]
        for line in needShell {
            XCTAssertNil(ShellQuoting.plainWords(Substring(line)), "'\(line)' must go to /bin/sh")
        }
    }

    func testEmptyAndBlankLinesGiveNoWords() {
        XCTAssertNil(ShellQuoting.plainWords(""))
        XCTAssertNil(ShellQuoting.plainWords("  \t "))
    }

    func testPlainLinesSplitExactlyAsTheShellDoes() throws {
        let folder = try ShellOracle.folderWithArgvPrinter()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain: [(String, [String])] = [
            ("./prog", ["./prog"]),
            ("./prog a b", ["./prog", "a", "b"]),
            ("./prog   a\t\tb  ", ["./prog", "a", "b"]),
            ("./prog --lr=0.1 -x 1,2:3+4 user@host %d", ["./prog", "--lr=0.1", "-x", "1,2:3+4", "user@host", "%d"]),
            ("./prog A=1 /data/résumé_δ.dat 日本", ["./prog", "A=1", "/data/résumé_δ.dat", "日本"]),
            ("./prog a\u{00A0}b", ["./prog", "a\u{00A0}b"]),
            ("./prog e\u{301} b", ["./prog", "e\u{301}", "b"]),
        ]
        for (line, expected) in plain {
            let words = try XCTUnwrap(ShellQuoting.plainWords(Substring(line)), "'\(line)' is plain")
            XCTAssertEqual(words, expected, line)
            XCTAssertEqual(try ShellOracle.argv(ofLine: line, in: folder), expected, "sh disagrees on '\(line)'")
        }
    }

    func testQuoteRoundTripsThroughTheShell() throws {
        let words = ["plain", "it's", "'", "''", "a b", "", " ", "résumé δ", "$HOME", "`x`", "*", "a\nb", "\\",
                     "\"", "--x=1", "~", "a\tb", "#x", "!", "%", "-n", "a'b'c"]
        let line = "printf '%s\\0' " + words.map(ShellQuoting.quote).joined(separator: " ")
        XCTAssertEqual(ShellOracle.fields(try ShellOracle.run("/bin/sh", ["-c", line])), words)
    }

    func testQuoteLeavesSafeWordsAlone() {
        XCTAssertEqual(ShellQuoting.quote("./prog"), "./prog")
        XCTAssertEqual(ShellQuoting.quote("--lr=0.1"), "--lr=0.1")
        XCTAssertEqual(ShellQuoting.quote(""), "''")
        XCTAssertEqual(ShellQuoting.quote("a b"), "'a b'")
    }

    func testDisplayStringOfArgvRunsAsTheSameArgv() throws {
        let folder = try ShellOracle.folderWithArgvPrinter()
        defer { try? FileManager.default.removeItem(at: folder) }
        let argv = ["./prog", "it's", "", "a b", "$X", "δ"]
        XCTAssertEqual(try ShellOracle.argv(ofLine: TaskCommand.argv(argv).displayString, in: folder), argv)
    }
}
