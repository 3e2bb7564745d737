import ArgumentParser
import Foundation
import TaskFarm

/// `taskfarm output FILE INDEX`: prints what a task wrote, as `hq job cat` does.
struct OutputCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "output",
        abstract: "Print a task's output file (its last attempt's, or --attempt N's), during a run or after it.",
        discussion: """
            The file is read where the task's worker wrote it, so it must be visible from here \
            (a shared file system), as with hq job cat. Exit 66 when the task wrote no such \
            file (not started yet, or its output went to /dev/null), 64 for an unknown index.
            """)

    @Argument(help: ArgumentHelp("The state folder (or the job file) and the task's index; with --connect only the index (a served queue's task id).",
                                 valueName: "state-dir index"))
    var words: [String]

    @Flag(name: .long, help: "Print its standard error instead of its standard output.")
    var stderr = false

    @Option(name: .long, parsing: .unconditional, help: "Which attempt (1 for the first; default: the last).")
    var attempt: Int?

    @OptionGroup var served: ServedFarmOption

    func validate() throws {
        let expected = served.connect == nil ? 2 : 1
        guard words.count == expected, Int(words[expected - 1]) != nil else {
            throw ValidationError(served.connect == nil ? "expected a state folder (or job file) and a task index"
                                                 : "expected one task index with --connect")
        }
        if let attempt, attempt < 1 { throw ValidationError("--attempt counts from 1") }
    }

    func run() throws {
        let index = Int(words[words.count - 1])!
        let story = try served.taskStory(index: index, else: words[0], command: "output")
        let chosen = story.outputs(attempt: attempt)
        guard let ran = chosen.attempt else {
            let what = attempt.map { "has no attempt \($0)" } ?? "has not started"
            throw CommandFailure.report("output", "task \(index) \(what)", status: .noInput)
        }
        guard let path = stderr ? chosen.stderr : chosen.stdout, path != "/dev/null" else {
            throw CommandFailure.report("output", "task \(index) attempt \(ran.attempt): its \(stderr ? "stderr" : "stdout") was discarded (/dev/null) or is not known", status: .noInput)
        }
        if let later = story.attempts.last, later.attempt != ran.attempt {
            let latest = story.outputs(attempt: later.attempt)
            if (stderr ? latest.stderr : latest.stdout) == path {
                FileHandle.standardError.write(Data("taskfarm output: note: attempt \(later.attempt) wrote the same file, \(path), and replaced attempt \(ran.attempt)'s output\n".utf8))
            }
        }
        guard let input = FileHandle(forReadingAtPath: path) else {
            throw CommandFailure.report("output", "\(path): cannot read task \(index)'s \(stderr ? "stderr" : "stdout") (not written yet, removed, or not visible from this host)", status: .noInput)
        }
        defer { try? input.close() }
        while let chunk = try input.read(upToCount: 1 << 16), !chunk.isEmpty {
            FileHandle.standardOutput.write(chunk)
        }
    }
}
