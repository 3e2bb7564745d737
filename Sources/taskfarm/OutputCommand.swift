import ArgumentParser
import Foundation
import JobSpec
import TaskFarm

/// `taskfarm output FILE INDEX`: prints what a task wrote, as `hq job cat` does.
struct OutputCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "output",
        abstract: "Print a task's output file (its last attempt's, or --attempt N's), during a run or after it.",
        discussion: """
            The file is read where the task's worker wrote it, so it must be visible from here \
            (a shared file system), as with hq job cat. Exit 66 when the task wrote no such \
            file (not started yet, never ran, or its output went to /dev/null), when a later \
            attempt wrote the same file over the asked-for attempt's, or when the state folder \
            is missing, 64 for an unknown index. After taskfarm run FILE --state-dir DIR, give \
            DIR (or --state-dir DIR).
            """)

    // Unrecognized words are kept so that a negative index (`-1`) reaches validate() and is
    // named there, rather than being taken for an option and dropped.
    @Argument(parsing: .allUnrecognized,
              help: ArgumentHelp("The state folder (or the job file) and the task's index; with --connect only the index (a served queue's task id).",
                                 valueName: "state-dir index"))
    var words: [String]

    @Flag(name: .long, help: "Print its standard error instead of its standard output.")
    var stderr = false

    @Option(name: .long, parsing: .unconditional, help: "Which attempt (1 for the first; default: the last).")
    var attempt: Int?

    @OptionGroup var served: ServedFarmOption

    @OptionGroup var folder: StateDirOption

    private var stateDir: String? { folder.stateDir }

    func validate() throws {
        try folder.validate(connect: served.connect)
        // With --state-dir the job file is optional (`output FILE INDEX --state-dir DIR`, as
        // the run was started, or `output INDEX --state-dir DIR`).
        let expected = served.connect != nil ? 1...1 : stateDir != nil ? 1...2 : 2...2
        // An option this command does not have, as ArgumentParser would name it.
        if let unknown = words.first(where: { $0.hasPrefix("-") && $0.count > 1 && Int($0) == nil }) {
            throw ValidationError("Unknown option '\(VisibleText.escaped(unknown))'")
        }
        // The word in the index's place that is not an index (negative, past Int, not a
        // number) is named, rather than left to the count check's "not FILE" about another word.
        if expected.contains(words.count), let last = words.last,
           Int(last).map({ $0 < 0 }) ?? (words.count == expected.upperBound) {
            throw ValidationError("'\(VisibleText.escaped(last))' is not a task index: indexes are whole numbers from 0 "
                                  + "(status lists the run's)")
        }
        guard expected.contains(words.count), let last = words.last, Int(last) != nil else {
            let given = words.map { "'\(VisibleText.escaped($0))'" }.joined(separator: " ")
            throw ValidationError((served.connect != nil ? "expected one task index with --connect"
                                   : stateDir != nil ? "expected a task index (after the job file, if you give it)"
                                                     : "expected a state folder (or job file) and a task index, such as taskfarm output t.txt 3")
                                  + (words.isEmpty ? "" : ", not \(given)"))
        }
        if let attempt, attempt < 1 { throw ValidationError("--attempt counts from 1") }
    }

    func run() throws {
        let index = Int(words[words.count - 1])!
        let story = try served.taskStory(index: index, else: stateDir ?? words[0], command: "output")
        let chosen = story.outputs(attempt: attempt)
        let stream = stderr ? "stderr" : "stdout"
        let storyCommand = served.connect != nil ? "taskfarm status --connect \(served.connect!) --task \(index)"
                                                 : "taskfarm status \(stateDir ?? words[0]) --task \(index)"
        guard let ran = chosen.attempt else {
            let count = story.attempts.filter { !$0.neverRan }.count
            let what = attempt.map { "has no attempt \($0): it has \(count) attempt\(count == 1 ? "" : "s") (\(storyCommand) lists them)" }
                ?? "has no output yet: it has not run (state: \(story.state)); it writes its \(stream) once it runs"
            throw CommandFailure.report("output", "task \(index) \(what)", status: .noInput)
        }
        if ran.neverRan {
            throw CommandFailure.report("output", "task \(index) never ran (\(ran.endDescription)\(ran.message.map { ": \($0)" } ?? "")), "
                                        + "so it wrote no \(stream)", status: .noInput)
        }
        guard let path = stderr ? chosen.stderr : chosen.stdout else {
            let why = story.jobProblem ?? "its job does not say where it went"
            throw CommandFailure.report("output", "task \(index) attempt \(ran.attempt): its \(stream) file is not known: \(why)", status: .noInput)
        }
        guard path != "/dev/null" else {
            throw CommandFailure.report("output", "task \(index) attempt \(ran.attempt): its \(stream) was discarded: the job sent it to /dev/null",
                                        status: .noInput)
        }
        // A later attempt that wrote the same file replaced these bytes: printing the file
        // would hand a script redirecting stdout another attempt's output, so refuse.
        if let later = story.attempt(replacing: ran, stderr: stderr) {
            throw CommandFailure.report("output", "task \(index) attempt \(ran.attempt)'s \(stream) no longer exists: "
                                        + "attempt \(later.attempt) wrote the same file, \(path), and replaced it "
                                        + "(--attempt \(later.attempt) prints that). To keep every attempt's output, put %s "
                                        + "(the attempt number) in the file names, as in --output 'out/%a.%s.out' "
                                        + "--error 'out/%a.%s.err'", status: .noInput)
        }
        // sbatch without --error, PBS's -j oe: the task's stderr is in its stdout file. That
        // file is all there is, so print it, but say that it is not stderr alone.
        if stderr, chosen.stdout == path {
            let note = "taskfarm output: note: task \(index)'s stderr went to the same file as its stdout, \(path): its job "
                + "names no separate stderr file (sbatch's default without --error, PBS's -j oe or -j eo, or an --output "
                + "without --error), so this is both streams as the task wrote them\n"
            FileHandle.standardError.write(Data(note.utf8))
        }
        // An edited job file may name another file than the task wrote: say where the name came from.
        let changed = story.jobFileChanged ? "; the job file changed since the run, and this name is from the file as it is now" : ""
        guard let input = FileHandle(forReadingAtPath: path) else {
            throw CommandFailure.report("output", "\(path): cannot read task \(index)'s \(stream) (not written yet, removed, or not visible "
                                        + "from this host: it is read where the task's worker wrote it\(changed))", status: .noInput)
        }
        if story.jobFileChanged {
            let note = "taskfarm output: note: task \(index) is the run's task at position \(index)\(changed), "
                + "so \(path) may not be what it wrote\n"
            FileHandle.standardError.write(Data(note.utf8))
        }
        defer { try? input.close() }
        while let chunk = try input.read(upToCount: 1 << 16), !chunk.isEmpty {
            FileHandle.standardOutput.write(chunk)
        }
    }
}
