import Foundation
import JobSpec

/// One task's story, for `taskfarm status FILE --task INDEX`: its command and state, every
/// attempt with host, rank, start, end, exit code or signal, CPU time and peak memory, its
/// output files, and the last lines of its stderr (HyperQueue's `hq task info`, HTCondor's
/// `condor_history -l`).
public struct TaskStory {
    /// Lines of stderr shown.
    public static let tailLines = 10

    private let run: RecordedRun
    private let position: Int
    private let now: Double

    /// The story of the task numbered `index` in the state folder `folder`: its array index,
    /// or for a DAG its position (``RecordedRun/number(ofPosition:)``), as `status` lists it.
    ///
    /// - Throws: ``JournalError`` when there is no journal; ``UnknownTask`` when no task has
    ///   that index.
    public init(stateFolder folder: String, index: Int, now: Double? = nil) throws {
        let whole = try RecordedRun(stateFolder: folder, only: nil)
        let positions = whole.positions(ofNumber: index)
        guard let position = positions.first else {
            throw UnknownTask(message: "no task has index \(index): \(Self.indexRange(of: whole))")
        }
        self.run = whole
        self.position = position
        self.now = now ?? Clock.epochSeconds()
    }

    /// `the run's 10 tasks have indexes 1 to 10`: what to type instead of an unknown index
    /// (a Slurm `--array=1-10` starts at 1, so the task count alone misleads; a PBS `-J
    /// 10-30:5` has 5 tasks, not 21, so the steps are given).
    static func indexRange(of run: RecordedRun) -> String {
        let count = run.taskCount
        guard count > 0 else { return "the run has no tasks" }
        let tasks = "the run's \(count) task\(count == 1 ? " has index" : "s have indexes")"
        let note = run.numberingNote.map { " (\($0))" } ?? ""
        guard count <= 1_000_000 else { return "\(tasks) \(run.number(ofPosition: 0)) to \(run.number(ofPosition: count - 1))" + note }
        return "\(tasks) \(describe(indexes: (0..<count).map(run.number(ofPosition:))))" + note
    }

    /// Indexes for people, as runs: `1 to 10`, `10 to 30 in steps of 5`, `3, 7, 20 to 26 in
    /// steps of 3`; the first 10 parts, then how many more indexes there are.
    static func describe(indexes: [Int]) -> String {
        // Arrays list their indexes ascending already: only other orders are sorted, so a
        // million indexes cost one pass.
        let ascending = zip(indexes, indexes.dropFirst()).allSatisfy { $0 < $1 }
        let sorted = ascending ? indexes : Array(Set(indexes)).sorted()
        var parts: [String] = []
        var start = 0
        while start < sorted.count, parts.count < 10 {
            var end = start
            if start + 1 < sorted.count {
                let step = sorted[start + 1] - sorted[start]
                while end + 1 < sorted.count, sorted[end + 1] - sorted[end] == step { end += 1 }
                if end - start < 2 { end = start }  // two in a row are two numbers, not a run
                parts.append(end == start ? String(sorted[start])
                             : "\(sorted[start]) to \(sorted[end])" + (step == 1 ? "" : " in steps of \(step)"))
            } else {
                parts.append(String(sorted[start]))
            }
            start = end + 1
        }
        let more = sorted.count - start
        return parts.joined(separator: ", ") + (more > 0 ? " and \(more) more" : "")
    }

    /// Why commands and output paths are not known (the job file cannot be read again), or
    /// `nil` when they are.
    public var jobProblem: String? { run.jobProblem }

    /// Whether the job file changed since the run: output paths are then named from the file
    /// as it is now and may not be the ones the task wrote (``RecordedRun/jobFileChanged``).
    public var jobFileChanged: Bool { run.jobFileChanged }

    /// The attempts of this task, oldest first.
    public var attempts: [AttemptHistory.Attempt] { run.history.attempts.filter { $0.position == position } }

    /// The task's state now: running while an attempt is open in a run in progress.
    public var state: String {
        if let reason = run.history.unrunnable[position] { return "failed: cannot run: \(reason)" }
        guard let last = attempts.last else { return run.history.inProgress ? "pending" : "not started" }
        if last.end == nil { return run.history.inProgress && last.run == run.history.runs.count ? "running" : "interrupted" }
        if last.state == .pending { return run.history.inProgress ? "waiting for a retry" : "pending" }
        return last.state?.description ?? "unknown"
    }

    /// The files of an attempt (the last when `attempt` is `nil`), and the attempt.
    public func outputs(attempt number: Int? = nil) -> (attempt: AttemptHistory.Attempt?, stdout: String?, stderr: String?) {
        let chosen = number.flatMap { number in attempts.last(where: { $0.attempt == number }) } ?? (number == nil ? attempts.last : nil)
        guard let chosen else { return (nil, nil, nil) }
        if chosen.neverRan { return (chosen, nil, nil) }  // it wrote nothing
        let paths = run.outputPaths(position: position, attempt: chosen.attempt, host: chosen.host)
        return (chosen, paths.stdout, paths.stderr)
    }

    /// The later attempt that wrote `attempt`'s file for one stream (`stderr` or stdout)
    /// again, replacing what `attempt` wrote, or `nil` when none did: an output pattern
    /// without `%s` names one file for every attempt of a task. The last such attempt is
    /// returned, since its bytes are the ones the file holds now.
    public func attempt(replacing attempt: AttemptHistory.Attempt, stderr: Bool) -> AttemptHistory.Attempt? {
        guard let path = stderr ? outputs(attempt: attempt.attempt).stderr : outputs(attempt: attempt.attempt).stdout,
              path != "/dev/null" else { return nil }
        return attempts.last { later in
            guard later.attempt > attempt.attempt, !later.neverRan, later.worker >= 0 else { return false }
            let paths = run.outputPaths(position: position, attempt: later.attempt, host: later.host)
            return (stderr ? paths.stderr : paths.stdout) == path
        }
    }

    /// Why a task that never started did not: the last run ended (with a status other than
    /// 0) before it started, and its `verdict.json` says why, as for a run refused because no
    /// host can hold a task's request; `nil` for a task that ran, or while a run is going.
    public var notStartedBecause: String? {
        guard attempts.allSatisfy({ $0.neverRan }), run.history.unrunnable[position] == nil, !run.history.inProgress,
              let status = run.history.lastExitStatus,
              let reason = StateFolder(reading: run.folder).verdictReason(runID: run.runID, exitStatus: status) else { return nil }
        return "the last run ended with exit status \(status) before this task started: \(reason)"
    }

    /// The story as text for people.
    public var text: String {
        let task = run.task(at: position)
        var lines = ["task \(run.number(ofPosition: position)) (position \(position)): \(state)"]
        if let node = run.dagNode(ofPosition: position) {
            lines.append("  node:    \(node.name), proc \(node.proc) of \(node.procs)")
        }
        if let task {
            lines.append("  command: \(task.command.displayString)")
            if task.source.line > 0 { lines.append("  from:    \(task.source)") }
        }
        if let note = run.numberingNote ?? run.jobProblem { lines.append("  note:    \(note)") }
        if let why = notStartedBecause { lines.append("  why:     \(why)") }
        let all = attempts
        if all.isEmpty { lines.append("  no attempt yet") }
        for attempt in all where attempt.neverRan {
            // Not an attempt: say so, rather than "attempt 0" with a zero CPU time and memory.
            lines.append("  never ran: \(attempt.endDescription) at \(Self.timestamp(attempt.end ?? attempt.start))"
                         + (attempt.message.map { ": \($0)" } ?? ""))
        }
        for attempt in all where !attempt.neverRan {
            let live = attempt.end == nil && run.history.inProgress && attempt.run == run.history.runs.count
            lines.append("  attempt \(attempt.attempt): \(Self.describe(attempt, now: now, live: live))")
            if attempt.worker >= 0 {
                let paths = run.outputPaths(position: position, attempt: attempt.attempt, host: attempt.host)
                if let out = paths.stdout { lines.append("    stdout: \(out)") }
                if let err = paths.stderr, err != paths.stdout { lines.append("    stderr: \(err)") }
            }
        }
        let last = outputs()
        if let err = last.stderr, err != "/dev/null" {
            let tail = Self.tail(of: err, lines: Self.tailLines)
            switch tail {
            case .none: lines.append("  stderr: \(err) does not exist (yet)")
            case .some(let found) where found.isEmpty: lines.append("  stderr: empty")
            case .some(let found):
                lines.append("  last lines of \(err):")
                lines += found.map { "    | \($0)" }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The story as JSON for scripts.
    public var json: String {
        let task = run.task(at: position)
        let items = attempts.map { attempt -> String in
            let paths = attempt.worker >= 0 ? run.outputPaths(position: position, attempt: attempt.attempt, host: attempt.host) : (nil, nil)
            return "{\"attempt\": \(attempt.attempt), \"host\": \(jsonString(attempt.host)), \"rank\": \(attempt.worker), "
                + "\"start\": \(attempt.start), \"end\": \(attempt.end.map { "\($0)" } ?? "null"), "
                + "\"ended\": \(jsonString(attempt.endDescription)), \"exitCode\": \(attempt.exitCode.map(String.init) ?? "null"), "
                + "\"signal\": \(attempt.signal.map(String.init) ?? "null"), \"cpuSeconds\": \(attempt.cpuSeconds), "
                + "\"maxResidentKiB\": \(attempt.maxResidentKiB), \"message\": \(attempt.message.map(jsonString) ?? "null"), "
                + "\"stdout\": \(paths.0.map(jsonString) ?? "null"), \"stderr\": \(paths.1.map(jsonString) ?? "null")}"
        }
        return "{\"index\": \(run.number(ofPosition: position)), \"position\": \(position), \"state\": \(jsonString(state)), "
            + "\"command\": \(task.map { jsonString($0.command.displayString) } ?? "null"), "
            + "\"attempts\": [\(items.joined(separator: ", "))]"
            + (notStartedBecause.map { ", \"notStartedBecause\": \(jsonString($0))" } ?? "") + "}\n"
    }

    /// `exit 3 on node1 (rank 2), 23:50:01.123 -> 23:50:01.456 (0.333 s), CPU 0.01 s, peak 3.2 MiB`;
    /// an attempt without an end is `running ... for 4.2 s so far` when `live` (its run goes
    /// on), else one whose run stopped before recording its end.
    static func describe(_ attempt: AttemptHistory.Attempt, now: Double, live: Bool) -> String {
        let place = attempt.worker >= 0 ? "on \(attempt.host) (rank \(attempt.worker))" : "before it reached a worker"
        let what = attempt.end == nil && !live ? "no end recorded" : attempt.endDescription
        var text = "\(what) \(place), \(Self.timestamp(attempt.start))"
        if let end = attempt.end {
            text += " -> \(Self.timestamp(end)) (\(String(format: "%.3f", end - attempt.start)) s)"
            text += String(format: ", CPU %.2f s, peak memory %@", attempt.cpuSeconds, Self.memory(attempt.maxResidentKiB))
        } else if live {
            text += String(format: ", for %.1f s so far", max(0, now - attempt.start))
        } else {
            text += ": its run stopped before recording the end; it runs again on resume"
        }
        if let message = attempt.message { text += ": \(message)" }
        return text
    }

    /// Epoch seconds as local `YYYY-MM-DD HH:MM:SS.mmm`.
    static func timestamp(_ seconds: Double) -> String {
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        localtime_r(&time, &parts)
        let millis = Int((seconds - seconds.rounded(.down)) * 1000)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d.%03d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis)
    }

    /// KiB as `812 KiB`, `3.2 MiB` or `1.5 GiB`.
    static func memory(_ kib: Int) -> String {
        if kib < 1024 { return "\(kib) KiB" }
        if kib < 1024 * 1024 { return String(format: "%.1f MiB", Double(kib) / 1024) }
        return String(format: "%.1f GiB", Double(kib) / 1024 / 1024)
    }

    /// The last `count` lines of the file at `path` (read from its last 64 KiB), or `nil`
    /// when it cannot be read.
    static func tail(of path: String, lines count: Int) -> [String]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = size > 65_536 ? size - 65_536 : 0
        try? handle.seek(toOffset: start)
        let data = (try? handle.readToEnd()) ?? Data()
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        if start > 0, !lines.isEmpty { lines.removeFirst() }  // cut in the middle
        return Array(lines.suffix(count))
    }
}

/// An index or id no task has.
public struct UnknownTask: Error, Sendable, CustomStringConvertible {
    /// Which index, and the range there is.
    public var message: String
    /// The message, as is.
    public var description: String { message }
}
