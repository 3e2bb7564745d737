import Foundation
import JobSpec
import XCTest

final class TaskListTests: XCTestCase {
    /// The shared task-list cases, copied beside this file.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tasklist")

    func fixture(_ name: String) throws -> TaskList {
        try TaskList(contentsOf: Self.fixtures.appendingPathComponent(name).path)
    }

    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tasklist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    /// A task list saved by a Windows editor starts with a UTF-8 byte-order mark; it is no
    /// part of the first command (left in, the shell looked for `\u{FEFF}echo`: exit 127).
    func testAByteOrderMarkIsNotPartOfTheFirstCommand() throws {
        let folder = try temporaryDirectory(self)
        let path = folder + "/bom.txt"
        try Data([0xEF, 0xBB, 0xBF] + Array("echo bom\necho two\n".utf8)).write(to: URL(fileURLWithPath: path))
        for list in [try TaskList(contentsOf: path), try TaskList(data: try Data(contentsOf: URL(fileURLWithPath: path)),
                                                                   file: "<standard input>")] {
            XCTAssertEqual(list.taskCount, 2)
            XCTAssertEqual(list.task(at: 0).command, .shell("echo bom"))
            XCTAssertEqual(list.commandLine(at: 0), "echo bom")
            XCTAssertEqual(list.line(of: 1), 2)
        }
    }

    func testLastLineWithoutNewlineIsATask() throws {
        let list = try fixture("no-final-newline.txt")
        XCTAssertEqual(list.taskCount, 3)
        XCTAssertEqual(list.task(at: 2).command, .argv(["./prog", "--id", "3"]))
        XCTAssertEqual(list.line(of: 2), 3)
        XCTAssertEqual(list.name, "no-final-newline")
    }

    func testBlankWhitespaceAndCommentLinesAreNotTasks() throws {
        let list = try fixture("blank-and-comments.txt")
        XCTAssertEqual(list.taskCount, 2)
        let first = list.task(at: 0)
        let second = list.task(at: 1)
        XCTAssertEqual(first.position, 0)
        XCTAssertEqual(first.arrayIndex, 0)
        XCTAssertEqual(second.position, 1)
        XCTAssertEqual(second.arrayIndex, 1)
        XCTAssertEqual(first.command, .argv(["./prog", "--lr", "0.1"]))
        XCTAssertEqual(second.command, .argv(["./prog", "--lr", "0.01"]))
        XCTAssertEqual(list.line(of: 0), 2)
        XCTAssertEqual(list.line(of: 1), 6)
        XCTAssertEqual(first.source.line, 2)
        XCTAssertEqual(second.source.line, 6)
        XCTAssertTrue(first.source.file.hasSuffix("blank-and-comments.txt"))
    }

    func testCRLFNeverReachesAnArgument() throws {
        let list = try fixture("crlf.txt")
        XCTAssertEqual(list.taskCount, 2)
        for position in 0..<list.taskCount {
            let task = list.task(at: position)
            for argument in task.command.executedArgv {
                XCTAssertFalse(argument.contains("\r"), "CR in \(argument.debugDescription)")
            }
            XCTAssertFalse(task.label.contains("\r"))
            XCTAssertFalse(list.commandLine(at: position).contains("\r"))
        }
        XCTAssertEqual(list.task(at: 1).command, .argv(["./prog", "--out", "r2.txt"]))
    }

    func testCRLFInsideShellLinesIsStrippedToo() throws {
        let list = try TaskList(text: "prog 'a b'\r\n  \r\n# c\r\n")
        XCTAssertEqual(list.taskCount, 1)
        XCTAssertEqual(list.task(at: 0).command, .shell("prog 'a b'"))
    }

    /// Each line of the quoting case must give `./prog` exactly the argv `/bin/sh` gives it.
    func testQuotingAndUnicodeGiveTheShellsArgv() throws {
        let list = try fixture("quoting-unicode.txt")
        XCTAssertEqual(list.taskCount, 4)
        let expected: [[String]] = [
            ["./prog", "/data/run 01/in file.dat"],
            ["./prog", "/data/Let's go.dat"],
            ["./prog", "/data/résumé_δ.dat"],
            ["./prog", "a \"quoted\" word", "", "tail"],
        ]
        let folder = try ShellOracle.folderWithArgvPrinter()
        defer { try? FileManager.default.removeItem(at: folder) }
        for position in 0..<list.taskCount {
            let line = String(list.commandLine(at: position))
            let shells = try ShellOracle.argv(ofLine: line, in: folder)
            XCTAssertEqual(shells, expected[position], "the oracle itself on line \(position + 1)")
            let command = list.task(at: position).command
            if case .argv(let words) = command {
                XCTAssertEqual(words, shells, "plain words differ from sh on '\(line)'")
            }
            XCTAssertEqual(try ShellOracle.argv(executing: command.executedArgv, in: folder), shells,
                           "running task \(position) gives a different argv than sh on '\(line)'")
        }
        // The unicode line has no shell syntax, so it must run without a shell.
        XCTAssertEqual(list.task(at: 2).command, .argv(["./prog", "/data/résumé_δ.dat"]))
    }

    func testIndentedCommandRunsTrimmed() throws {
        let list = try TaskList(text: "  \t./prog a\n")
        XCTAssertEqual(list.task(at: 0).command, .argv(["./prog", "a"]))
        XCTAssertEqual(list.task(at: 0).label, "./prog a")
    }

    func testA200KilobyteLineIsOneTask() throws {
        let argument = String(repeating: "x", count: 200 * 1024)
        let line = "./prog " + argument
        let folder = try temporaryFolder()
        let path = folder.appendingPathComponent("long.txt").path
        try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let list = try TaskList(contentsOf: path)
        XCTAssertEqual(list.taskCount, 1)
        XCTAssertEqual(list.commandLine(at: 0).utf8.count, line.utf8.count)
        XCTAssertEqual(list.task(at: 0).command, .argv(["./prog", argument]))
    }

    func testEmptyFileHasNoTasks() throws {
        let folder = try temporaryFolder()
        let path = folder.appendingPathComponent("empty.txt").path
        FileManager.default.createFile(atPath: path, contents: Data())
        XCTAssertEqual(try TaskList(contentsOf: path).taskCount, 0)
        XCTAssertEqual(try TaskList(text: "# only\n\n   \n").taskCount, 0)
    }

    func testADirectoryIsRejectedByName() throws {
        let folder = try temporaryFolder()
        XCTAssertThrowsError(try TaskList(contentsOf: folder.path)) { error in
            let error = error as! JobSpecError
            XCTAssertEqual(error.location.file, folder.path)
            XCTAssertTrue(error.message.contains("directory"), error.message)
            XCTAssertTrue(error.description.contains(folder.path))
        }
    }

    func testAMissingFileIsRejectedByName() throws {
        let path = try temporaryFolder().appendingPathComponent("absent.txt").path
        XCTAssertThrowsError(try TaskList(contentsOf: path)) { error in
            let error = error as! JobSpecError
            XCTAssertEqual(error.location.file, path)
            XCTAssertTrue(error.message.contains("no such file"), error.message)
        }
    }

    func testANulByteIsRejectedWithItsLine() throws {
        let path = try temporaryFolder().appendingPathComponent("binary.txt").path
        try Data("./prog a\n./pr\u{0}og\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try TaskList(contentsOf: path)) { error in
            let error = error as! JobSpecError
            XCTAssertEqual(error.location.file, path)
            XCTAssertEqual(error.location.line, 2)
            XCTAssertTrue(error.message.contains("NUL"), error.message)
        }
    }
}

final class TaskListBarrierTests: XCTestCase {
    func testBarrierLinesAreNotTasksAndHoldBackTheFirstTaskAfterThem() throws {
        let list = try TaskList(text: "a\nb\n#TASKFARM BARRIER\nc\nd\n  #disbatch barrier two\n# comment\ne\n")
        XCTAssertEqual(list.taskCount, 5)
        XCTAssertEqual(list.barriers.tasksBefore, [2, 4])
        XCTAssertEqual(list.prerequisites(of: 0), [])
        XCTAssertEqual(list.prerequisites(of: 2), [0, 1])
        XCTAssertEqual(list.prerequisites(of: 3), [], "later tasks wait behind the first one")
        XCTAssertEqual(list.prerequisites(of: 4), [2, 3])
    }

    func testOtherCommentsAndBareBarrierAreNoBarriers() throws {
        let list = try TaskList(text: "a\n# BARRIER\n#DISBATCH PREFIX x\nBARRIER\nb\n")
        XCTAssertEqual(list.taskCount, 3)
        XCTAssertEqual(list.barriers.tasksBefore, [])
        XCTAssertEqual(list.prerequisites(of: 2), [])
    }
}
