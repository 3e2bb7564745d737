import Foundation

/// A plain task list: one command line per line, in the style of TACC launcher and disBatch.
///
/// - Blank lines, white-space-only lines and `#` comment lines (indented too) are not tasks.
/// - A last line without a newline is a task.
/// - A CR before the newline (a CRLF file) is stripped; it never reaches an argument.
/// - Tasks are numbered by position, counting tasks, not file lines: the first task is
///   index 0 whatever lines come before it. The journal records each task's line.
/// - A line runs with `/bin/sh -c` semantics. A line with no shell syntax at all is run
///   directly (see ``ShellQuoting/plainWords(_:)``), giving the same argv as the shell would.
///
/// - A `#DISBATCH BARRIER` or `#TASKFARM BARRIER` line (``TaskListBarriers``) makes every
///   later task wait until every earlier task has ended, succeeded or not.
/// - A `#TASKFARM RESOURCES cpus=2 memory=4G gpus=1` line (``TaskListResources``) sets the
///   request of every later task, until the next such line.
///
/// Only each task's line offset is kept in memory (16 bytes a task); a task's command is
/// built when the scheduler asks for it.
public final class TaskList: Job, @unchecked Sendable {
    /// The job name: the file's base name without extension unless given.
    public let name: String
    /// The task list as the user named it (or `<tasks>` for text given in memory).
    public let file: String
    private let bytes: Data
    /// Byte offset of each task's line, and its end (CR excluded).
    private var starts: [UInt64] = []
    private var ends: [UInt32] = []
    private var lineNumbers: [UInt32] = []
    /// For each barrier line, the number of tasks above it.
    private var tasksBeforeBarrier: [Int] = []
    /// The barriers, once indexed.
    public private(set) var barriers = TaskListBarriers(tasksBefore: [])
    /// The positions of the first task after each barrier.
    private var firstAfterBarrier: Set<Int> = []
    /// Each `#TASKFARM RESOURCES` line, in file order, with the number of tasks above it.
    private var requestChanges: [(tasksBefore: Int, request: TaskListResources)] = []
    /// The request of tasks that no directive covers (the command line's `--cpus-per-task`,
    /// `--memory-per-task`, `--gpus-per-task`); set by the loader before tasks are read.
    public var defaultRequest = TaskListResources()

    /// Reads and indexes a task list.
    ///
    /// - Parameters:
    ///   - path: the file, as the user named it.
    ///   - name: the job name; the file's base name without extension by default.
    /// - Throws: ``JobSpecError`` when the file is missing, unreadable, a directory, or
    ///   holds a NUL byte (a binary file given by mistake).
    public convenience init(contentsOf path: String, name: String? = nil) throws(JobSpecError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw JobSpecError("no such file; expected a task list with one command per line", file: path)
        }
        if isDirectory.boolValue {
            throw JobSpecError("is a directory; expected a task list with one command per line", file: path)
        }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw JobSpecError("cannot read the file: \(error.fileErrorReason)", file: path)
        }
        try self.init(data: bytes, file: path, name: name)
    }

    /// Indexes a task list held in memory; `file` names it in messages.
    public convenience init(text: String, file: String = "<tasks>", name: String? = nil) throws(JobSpecError) {
        try self.init(data: Data(text.utf8), file: file, name: name)
    }

    /// Indexes a task list's bytes held in memory, checked as a file's are (NUL bytes, lines
    /// that are not UTF-8); `file` names it in messages.
    public init(data: Data, file: String, name: String? = nil) throws(JobSpecError) {
        self.file = file
        self.name = name ?? TaskList.defaultName(for: file)
        self.bytes = ByteOrderMark.stripped(data)
        try index()
    }

    static func defaultName(for path: String) -> String {
        let base = (path as NSString).lastPathComponent
        let stem = (base as NSString).deletingPathExtension
        return stem.isEmpty ? base : stem
    }

    private func index() throws(JobSpecError) {
        let failure: JobSpecError? = bytes.withUnsafeBytes { raw -> JobSpecError? in
            let buffer = raw.bindMemory(to: UInt8.self)
            var lineStart = 0
            var line: UInt32 = 0
            let count = buffer.count
            while lineStart < count {
                line += 1
                var end = lineStart
                while end < count, buffer[end] != UInt8(ascii: "\n") {
                    if buffer[end] == 0 {
                        return JobSpecError("holds a NUL byte; expected a text file with one command per line",
                                            file: file, line: Int(line))
                    }
                    end += 1
                }
                let next = end + 1
                var contentEnd = end
                while contentEnd > lineStart, buffer[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
                var first = lineStart
                while first < contentEnd, buffer[first] == UInt8(ascii: " ") || buffer[first] == UInt8(ascii: "\t") {
                    first += 1
                }
                if first < contentEnd, !TextEncodingCheck.isValidUTF8(buffer[first..<contentEnd]) {
                    return JobSpecError("is not UTF-8 text; the shell would see other characters than the file shows. "
                                        + "Save the file as UTF-8", file: file, line: Int(line))
                }
                if first < contentEnd, buffer[first] != UInt8(ascii: "#") {
                    starts.append(UInt64(lineStart))
                    ends.append(UInt32(contentEnd - lineStart))
                    lineNumbers.append(line)
                } else if first + 1 < contentEnd, buffer[first + 1] | 0x20 == UInt8(ascii: "d") || buffer[first + 1] | 0x20 == UInt8(ascii: "t") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[first..<contentEnd]), as: UTF8.self)
                    if TaskListBarriers.isBarrier(text) {
                        tasksBeforeBarrier.append(starts.count)
                    } else if TaskListResources.isDirective(text) {
                        do throws(JobSpecError) {
                            let request = try TaskListResources(directive: text,
                                                                at: SourceLocation(file: file, line: Int(line)))
                            requestChanges.append((starts.count, request))
                        } catch {
                            return error
                        }
                    }
                }
                lineStart = next
            }
            return nil
        }
        if let failure { throw failure }
        barriers = TaskListBarriers(tasksBefore: tasksBeforeBarrier)
        firstAfterBarrier = Set(tasksBeforeBarrier)
        tasksBeforeBarrier = []
    }

    /// The tasks that must end before the task at `position` starts: for the first task
    /// after a barrier, the tasks between that barrier and the one before it (see
    /// ``TaskListBarriers``); none for every other task. Schedulers hand out tasks in
    /// position order and a waiting task holds back every task after it, so only the first
    /// task after a barrier needs to wait, and no task pays for a list of the size of a
    /// segment but that one.
    public func prerequisites(of position: Int) -> [Int] {
        guard !firstAfterBarrier.isEmpty, firstAfterBarrier.contains(position) else { return [] }
        return Array(barriers.prerequisites(of: position))
    }

    /// The number of task lines (blank, comment and barrier lines excluded).
    public var taskCount: Int { starts.count }

    /// The 1-based file line of the task at `position`.
    public func line(of position: Int) -> Int { Int(lineNumbers[position]) }

    /// The command text of the task at `position`, without its line ending.
    public func commandLine(at position: Int) -> Substring {
        let start = Int(starts[position])
        let length = Int(ends[position])
        let text = String(decoding: bytes[bytes.startIndex + start ..< bytes.startIndex + start + length], as: UTF8.self)
        return Substring(text)
    }

    /// The task at `position` (0 ..< ``taskCount``), built now from its line: leading blanks
    /// dropped; ``TaskCommand/argv(_:)`` when the line has no shell syntax, else
    /// ``TaskCommand/shell(_:)``. Its array index is its position, its label the trimmed line.
    public func task(at position: Int) -> TaskSpec {
        let line = commandLine(at: position)
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        let command: TaskCommand = ShellQuoting.plainWords(trimmed).map(TaskCommand.argv) ?? .shell(String(trimmed))
        var task = TaskSpec(position: position, arrayIndex: position, command: command,
                            source: SourceLocation(file: file, line: self.line(of: position)),
                            label: String(trimmed))
        request(of: position).apply(to: &task)
        return task
    }

    /// What placing the task at `position` needs, from its `#TASKFARM RESOURCES` request
    /// alone: the task as ``task(at:)`` makes it, request applied the same way
    /// (``TaskListResources/apply(to:)``), but without reading and splitting its line, which
    /// placement does not look at.
    public func placementNeeds(of position: Int) -> TaskPlacementNeeds {
        var task = TaskSpec(position: position, arrayIndex: position, command: .argv([]),
                            source: SourceLocation(file: file, line: line(of: position)))
        request(of: position).apply(to: &task)
        return TaskPlacementNeeds(task)
    }

    /// The first position of each run of tasks that share one request: 0, and the first task
    /// after each `#TASKFARM RESOURCES` line.
    public var requestSegmentStarts: [Int] {
        ([0] + requestChanges.map(\.tasksBefore)).filter { $0 < taskCount }
    }

    /// The request of the task at `position`: the last `#TASKFARM RESOURCES` line above it
    /// over the command line's, or the command line's alone.
    public func request(of position: Int) -> TaskListResources {
        guard !requestChanges.isEmpty else { return defaultRequest }
        var low = 0
        var high = requestChanges.count
        while low < high {
            let middle = (low + high) / 2
            if requestChanges[middle].tasksBefore <= position { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? defaultRequest : requestChanges[low - 1].request.over(defaultRequest)
    }
}
