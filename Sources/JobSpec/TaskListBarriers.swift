/// Barriers in a plain task list: a directive line that makes every later task wait until
/// every earlier task has ended (succeeded or not), as disBatch's `#DISBATCH BARRIER` does.
///
/// Syntax: a line whose first non-blank text is `#DISBATCH BARRIER` or `#TASKFARM BARRIER`
/// (the keyword case-insensitive, anything after it ignored, like disBatch's optional key).
/// Because it starts with `#` it is a comment to every other reader of the file, and it is not
/// a task: task numbering is unchanged. A bare `BARRIER` line stays a command, so no existing
/// task list changes meaning.
///
/// Prerequisites stay small: a task waits only for the tasks between the two barriers before
/// it (the last non-empty such segment), and those waited for the segment before them, so
/// "every earlier task" holds by induction with one contiguous range per task.
///
/// Source: disBatch README ("#DISBATCH BARRIER").
public struct TaskListBarriers: Sendable, Equatable {
    /// For each barrier, in file order, the number of tasks before it.
    public let tasksBefore: [Int]

    /// - Parameter tasksBefore: for each barrier line, the number of tasks above it
    ///   (non-decreasing).
    public init(tasksBefore: [Int]) {
        self.tasksBefore = tasksBefore
    }

    /// Whether `line` (without its line ending) is a barrier directive.
    public static func isBarrier<S: StringProtocol>(_ line: S) -> Bool {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard words.count >= 2 else { return false }
        let directive = words[0].uppercased()
        return (directive == "#DISBATCH" || directive == "#TASKFARM") && words[1].uppercased() == "BARRIER"
    }

    /// The positions that must end before task `position` starts: the tasks of the last
    /// non-empty segment between barriers before it, or none.
    public func prerequisites(of position: Int) -> Range<Int> {
        // The barriers at or before `position` are those with tasksBefore <= position.
        var low = 0
        var high = tasksBefore.count
        while low < high {
            let middle = (low + high) / 2
            if tasksBefore[middle] <= position { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return 0..<0 }
        let end = tasksBefore[low - 1]
        // The segment ends at the last barrier before `position`; it starts at the last
        // barrier before that which has tasks between them.
        var barrier = low - 2
        while barrier >= 0, tasksBefore[barrier] == end { barrier -= 1 }
        let start = barrier >= 0 ? tasksBefore[barrier] : 0
        return start..<end
    }
}
