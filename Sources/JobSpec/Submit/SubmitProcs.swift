import Foundation

/// The procs of a submit description, made when asked rather than held: each queue
/// statement keeps the commands and macros it saw, and proc `n` is expanded again from them
/// when the scheduler, `check` or the journal asks for it, as a task list's line is parsed
/// when asked. A `queue 1000000` then costs a few bytes per proc instead of a whole
/// ``TaskSpec`` each (about 2.5 KB).
///
/// Expanding a proc is deterministic, with one exception: `$RANDOM_INTEGER` and
/// `$RANDOM_CHOICE` draw anew each time, so a queue statement whose commands use them
/// keeps its procs as first expanded (and counts against the memory budget, see
/// ``JobLoadOptions/expansionBudgetBytes``).
final class SubmitProcs: @unchecked Sendable {
    /// One queue statement: what its procs are made from.
    struct Segment {
        /// The position of its first proc.
        let first: Int
        /// Procs per item (`queue N`).
        let count: Int
        /// The item variables, and one row of values per item; `nil` without an item list.
        let variables: [String]
        let rows: [[String]]?
        let options: JobLoadOptions
        /// The macros as they stood at the queue statement.
        let macros: SubmitMacros
        let locations: [String: SourceLocation]
        let spellings: [String: String]
        let queueLocation: SourceLocation
        /// The procs as first expanded, when they cannot be made again alike (random macros).
        var stored: [TaskSpec]?
        /// The commands whose expansion is the same for every proc of the statement, found
        /// while its first proc was expanded (``SubmitProc/perProcNames``), so that each
        /// proc expands only the commands that use its own macros (`nil`: not given).
        var sharedValues: [String: (text: String, location: SourceLocation)?] = [:]
        /// The first proc's environment and attribute names, when every proc shares them
        /// (``SubmitProc/sharedEnvironment``, ``SubmitProc/attributeKeys``).
        var sharedEnvironment: (slots: Int, directory: String, environment: TaskEnvironment)?
        var attributeKeys: [String]?

        /// The macros whose values differ between the statement's procs: the proc and step
        /// numbers, the item's index and the item variables.
        var perProcNames: Set<String> {
            Set(["process", "procid", "step", "itemindex", "row"] + variables.map { $0.lowercased() })
        }

        /// Procs in the statement.
        var procs: Int { count * (rows?.count ?? 1) }

        /// Whether its commands or items draw random values, so that expanding a proc
        /// twice may differ.
        var drawsRandomValues: Bool {
            func random(_ text: String) -> Bool { text.range(of: "$RANDOM_", options: .caseInsensitive) != nil }
            return macros.definitions.values.contains(where: random) || macros.specials.values.contains(where: random)
                || (rows?.contains { $0.contains(where: random) } ?? false)
        }

        /// The proc at `offset` in the statement, ready to expand.
        func proc(_ offset: Int) -> SubmitProc {
            var proc = SubmitProc(options: options, macros: macros, locations: locations, spellings: spellings,
                                  queueLocation: queueLocation)
            proc.sharedValues = sharedValues
            proc.sharedEnvironment = sharedEnvironment
            proc.attributeKeys = attributeKeys
            let itemIndex = offset / count
            let process = String(first + offset)
            proc.macros.specials.merge(["process": process, "procid": process, "step": String(offset % count),
                                        "itemindex": String(itemIndex), "row": String(itemIndex)]) { $1 }
            for (variable, value) in zip(variables, rows?[itemIndex] ?? []) {
                proc.macros.specials[variable.lowercased()] = value
            }
            return proc
        }
    }

    private(set) var segments: [Segment] = []
    /// Whether any proc has `requirements`, `rank`, `request_memory` or `request_disk`, found
    /// while every proc was first expanded.
    var asksOfWorkers = false
    /// Every proc's shared environment and distinct requests, gathered while every proc
    /// was first expanded.
    var survey = TaskSurvey()
    /// Whether every proc was expanded once as the file was read, so that ``survey`` and
    /// ``asksOfWorkers`` cover them all (``JobLoadOptions/expandsEveryProc``).
    var everyProcExpanded = true
    /// Procs over all statements.
    private(set) var count = 0
    private let lock = NSLock()
    /// The last proc made: placing a task and shipping it ask for the same one in a row.
    private var last: TaskSpec?

    func append(_ segment: Segment) {
        segments.append(segment)
        count += segment.procs
    }

    /// The task of proc `position` (0 ..< ``count``).
    func task(at position: Int) -> TaskSpec {
        lock.lock()
        defer { lock.unlock() }
        if let last, last.position == position { return last }
        // The statement holding the position: the last whose first proc is at or before it.
        var low = 0, high = segments.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if segments[middle].first <= position { low = middle } else { high = middle - 1 }
        }
        let segment = segments[low]
        let offset = position - segment.first
        if let stored = segment.stored { return stored[offset] }
        var proc = segment.proc(offset)
        let task: TaskSpec
        do {
            task = try proc.task(number: position)
        } catch {
            // Every proc was expanded once when the file was read, from the same commands, so
            // this is the farm's bug: the task fails with the message instead of the farm.
            let message = "taskfarm: proc \(position) no longer expands as it did when the file was read: \(error)"
            task = TaskSpec(position: position, arrayIndex: position,
                            command: .argv(["/bin/sh", "-c", "echo \"$1\" >&2; exit 70", "taskfarm", message]),
                            source: segment.queueLocation)
        }
        last = task
        return task
    }
}

/// A submit description as a job: its procs are made when asked (see ``SubmitProcs``).
public struct SubmitJob: Job {
    /// The job name.
    public let name: String
    /// The submit file as the user named it.
    public let file: String
    /// Warnings found while reading the file, with their locations.
    public let warnings: [JobSpecError]
    let procs: SubmitProcs

    /// Procs over all queue statements.
    public var taskCount: Int { procs.count }
    /// Whether any proc asks something of the worker it runs on (`requirements`, `rank`,
    /// `request_memory`, `request_disk`); when none does, matchmaking need not look at each.
    public var asksOfWorkers: Bool { procs.asksOfWorkers }
    /// Gathered while every proc was first expanded, when the file was read.
    public var survey: TaskSurvey? { procs.everyProcExpanded ? procs.survey : nil }
    /// Proc `position`, expanded from its queue statement's commands (0 ..< ``taskCount``).
    public func task(at position: Int) -> TaskSpec { procs.task(at: position) }
    /// `position`: a proc's array index is its proc number, `$(Process)`, counted over all
    /// queue statements from 0 (``SubmitProc/task(number:)``), as its position is.
    public func arrayIndex(at position: Int) -> Int { position }
    /// Every proc, expanded: for small jobs (a DAG node's description) and tests.
    public var tasks: [TaskSpec] { (0..<taskCount).map(task(at:)) }
}
