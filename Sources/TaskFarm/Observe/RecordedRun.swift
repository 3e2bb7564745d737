import Foundation
import JobSpec

/// A run as its state folder records it: the journal's attempts, and the tasks they ran,
/// reloaded from the job file the run's ``RunContext`` names (or, for a served queue, from
/// the journal's `submitted` records). Answers which task an index is, what it runs, and
/// which files an attempt wrote.
public struct RecordedRun {
    /// The state folder.
    public let folder: String
    /// The journal's attempts.
    public let history: AttemptHistory
    /// The run id (`%A`).
    public let runID: Int
    /// The tasks, by position; empty when they could not be reloaded (see ``jobProblem``).
    private let tasks: (Int) -> TaskSpec?
    /// The array index of the task at a position (``Job/arrayIndex(at:)``, which most jobs
    /// give without making the task), or `nil` when unknown.
    private let arrayIndexes: (Int) -> Int?
    /// The reloaded DAG, whose nodes the procs belong to, or `nil`.
    private let dagJob: DAGJob?
    /// Tasks known.
    public let taskCount: Int
    /// Why the tasks could not be reloaded (the job file is gone or changed), or `nil`.
    public let jobProblem: String?
    /// Whether tasks are numbered by position, not by array index: a served queue's (its
    /// task ids are positions), a DAG's (``Job/numbersTasksByPosition``), and when the job
    /// cannot be reloaded as it ran (see ``numberingNote``).
    public let numbersByPosition: Bool
    /// Whether the job file was edited since the run read it: its array indexes now need not
    /// be the run's, so tasks are numbered by position, and commands and output paths are
    /// shown as the file says now, which may not be what ran.
    public let jobFileChanged: Bool

    /// Reads the state folder at `folder` (or the job file's default one); `only` limits
    /// the attempts read to one position.
    ///
    /// - Throws: ``JournalError`` when there is no journal.
    public init(stateFolder folder: String, only: Int? = nil) throws {
        self.folder = Farm.absolutePath(folder)
        history = try AttemptHistory(stateFolder: folder, only: only)
        runID = history.header?.runID ?? 0
        let context = history.context
        jobFileChanged = history.header?.jobFile != "(queue)" && context?.jobFileChanged == true
        if history.header?.jobFile == "(queue)" {
            var specs: [Int: TaskSpec] = [:]
            if let only {
                specs[only] = history.submitted[only].flatMap(Self.decode)
            } else {
                for (position, text) in history.submitted { specs[position] = Self.decode(text) }
            }
            tasks = { specs[$0] }
            arrayIndexes = { specs[$0]?.arrayIndex }
            taskCount = max(history.submitted.keys.max().map { $0 + 1 } ?? 0, history.header?.taskCount ?? 0)
            jobProblem = nil
            numbersByPosition = true
            dagJob = nil
        } else if let context {
            do {
                let job = try JobFiles.reload(context, runID: runID, runBegan: history.runs.last?.began)
                tasks = { $0 >= 0 && $0 < job.taskCount ? job.task(at: $0) : nil }
                arrayIndexes = { $0 >= 0 && $0 < job.taskCount ? job.arrayIndex(at: $0) : nil }
                // An edited file may hold more or fewer tasks than ran: the run's count stands.
                taskCount = jobFileChanged ? history.header?.taskCount ?? job.taskCount : job.taskCount
                jobProblem = nil
                numbersByPosition = job.numbersTasksByPosition || jobFileChanged
                dagJob = job as? DAGJob
            } catch {
                tasks = { _ in nil }
                arrayIndexes = { _ in nil }
                taskCount = history.header?.taskCount ?? 0
                jobProblem = Self.unreadable(error)
                numbersByPosition = true
                dagJob = nil
            }
        } else {
            tasks = { _ in nil }
            arrayIndexes = { _ in nil }
            taskCount = history.header?.taskCount ?? 0
            jobProblem = Self.contextMissing
            numbersByPosition = true
            dagJob = nil
        }
    }

    /// ``jobProblem`` of a journal whose runs recorded no ``RunContext``.
    static let contextMissing = "the journal predates run contexts; commands and output paths are not known"

    /// ``jobProblem`` of a job file that cannot be loaded again for `error`.
    static func unreadable(_ error: any Error) -> String { "the job file cannot be read again: \(error)" }

    private static func decode(_ text: String) -> TaskSpec? {
        try? JSONDecoder().decode(TaskSpec.self, from: Data(text.utf8))
    }

    /// The task at `position`, as the run ran it, or `nil` when unknown.
    public func task(at position: Int) -> TaskSpec? { tasks(position) }

    /// Why tasks are numbered by position when their array indexes would be expected (the
    /// job file changed, or cannot be read again), for people; `nil` when they are numbered
    /// as the run numbered them (by array index, or by position for a DAG or a served queue).
    public var numberingNote: String? {
        history.header?.jobFile == "(queue)" ? nil : Self.numberingNote(jobFileChanged: jobFileChanged, jobProblem: jobProblem)
    }

    /// ``numberingNote`` of a run whose job file changed since, or that cannot be reloaded
    /// for `jobProblem`; shared with ``StatusReport``, which reads the journal itself.
    static func numberingNote(jobFileChanged: Bool, jobProblem: String?) -> String? {
        if jobFileChanged {
            return "the job file changed since the run: tasks are numbered by position (from 0), as the run laid them "
                + "out, not by the array indexes the file gives now; commands and output paths are shown as the file "
                + "says now, which may not be what ran"
        }
        return jobProblem.map { "tasks are numbered by position (from 0): \($0)" }
    }

    /// For a DAG's proc at `position`: its node's name, which of the node's procs it is (from
    /// 0) and how many the node has; `nil` for other jobs.
    public func dagNode(ofPosition position: Int) -> (name: String, proc: Int, procs: Int)? {
        guard let dagJob, position >= 0, position < dagJob.taskCount else { return nil }
        let node = dagJob.node(ofPosition: position)
        let procs = dagJob.positions(of: node)
        return (dagJob.dag.nodes[node].name, position - procs.lowerBound, procs.count)
    }

    /// The number people read and type for the task at `position`: its array index, or the
    /// position itself when ``numbersByPosition``.
    public func number(ofPosition position: Int) -> Int {
        numbersByPosition ? position : arrayIndexes(position) ?? position
    }

    /// The positions of the tasks numbered `number` (``number(ofPosition:)``); several only
    /// for a hand-made job whose tasks share an index.
    public func positions(ofNumber number: Int) -> [Int] {
        if numbersByPosition { return number >= 0 && number < taskCount ? [number] : [] }
        if number >= 0, number < taskCount, arrayIndexes(number) == number { return [number] }
        return (0..<taskCount).filter { arrayIndexes($0) == number }
    }

    /// The stdout and stderr files of an attempt, absolute, as its worker named them
    /// (`/dev/null` or `nil` when the stream was discarded); `nil` paths when unknown.
    public func outputPaths(position: Int, attempt: Int, host: String) -> (stdout: String?, stderr: String?) {
        guard let context = history.context, let task = task(at: position) else { return (nil, nil) }
        let streams = context.outputs.resolve(taskOutput: task.stdout, taskError: task.stderr)
        let values = OutputPattern.Values(runID: runID, arrayIndex: task.arrayIndex, host: host,
                                          jobName: context.jobName, user: context.user, attempt: attempt)
        let base = context.taskDirectory ?? context.launchDirectory
        let directory = task.workingDirectory.map { $0.hasPrefix("/") ? $0 : base + "/" + $0 } ?? base
        func path(_ pattern: String?) -> String? {
            guard let pattern else { return nil }
            let expanded = (try? OutputPattern(pattern, location: SourceLocation(file: "output", line: 0)))?.expand(values) ?? pattern
            return expanded.hasPrefix("/") ? expanded : directory + "/" + expanded
        }
        return (path(streams.stdout), path(streams.stderr))
    }
}
