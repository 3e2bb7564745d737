import Foundation

/// `taskfarm report`: one self-contained HTML page of a run, drawn from its journal during
/// the run or after it, that needs no network (inline SVG, style and a few lines of script;
/// a Content-Security-Policy forbids any fetch). It shows:
/// - a timeline, one row per worker slot (``SlotLanes``) and one bar per attempt coloured by
///   how it ended, with the task's index, command and times on hover;
/// - busy slots over time against the slots available, and throughput over time;
/// - the failures with their exit codes and output files, the slowest tasks, and a summary
///   per host.
public struct RunReport {
    private let run: RecordedRun
    private let attempts: [AttemptHistory.Attempt]
    private let now: Double

    /// The report of the state folder at `folder`.
    ///
    /// - Throws: ``JournalError`` when there is no journal.
    public init(stateFolder folder: String, now: Double? = nil) throws {
        run = try RecordedRun(stateFolder: folder)
        self.now = now ?? Clock.epochSeconds()
        attempts = run.history.ranAttempts(now: self.now)
    }

    /// The attempts drawn: every attempt that reached a worker, running ones up to now.
    public var attemptCount: Int { attempts.count }

    /// The trace-event JSON of the same attempts (``ChromeTrace``).
    public var trace: String {
        ChromeTrace.json(attempts) { position in run.task(at: position).map { (run.number(ofPosition: position), $0.command.displayString) } }
    }

    private func command(_ position: Int) -> String { run.task(at: position)?.command.displayString ?? "?" }
    private func index(_ position: Int) -> Int { run.number(ofPosition: position) }

    /// The page.
    public var html: String {
        let start = attempts.map(\.start).min() ?? now
        let end = max(start + 0.001, attempts.compactMap(\.end).max() ?? now)
        var body = header(start: start, end: end)
        body += section("Timeline", "One row per worker slot, one bar per attempt; hover a bar for the task.", timeline(start: start, end: end))
        let (busy, throughput) = series(start: start, end: end)
        body += section("Busy slots", "Slots running a task over time, against the slots available.", busy)
        body += section("Throughput", "Attempts ended per second.", throughput)
        body += section("Failures", nil, failures())
        body += section("Slowest tasks", nil, slowest())
        body += section("Hosts", nil, hosts(span: end - start))
        return ReportPage.document(title: "taskfarm report: run \(run.runID)", body: body, expectedBars: attempts.count)
    }

    private func section(_ title: String, _ note: String?, _ content: String) -> String {
        "<section><h2>\(escapeHTML(title))</h2>" + (note.map { "<p class=\"note\">\(escapeHTML($0))</p>" } ?? "") + content + "</section>\n"
    }

    private func header(start: Double, end: Double) -> String {
        var kinds: [String: Int] = [:]
        for attempt in attempts { kinds[attempt.kind, default: 0] += 1 }
        let history = run.history
        let state = history.inProgress ? "in progress" : "ended"
        var text = "<h1>Run \(run.runID) <span class=\"note\">(\(state))</span></h1><p>"
        text += "Job: <code>\(escapeHTML(history.context?.jobFile ?? history.header?.jobFile ?? "?"))</code><br>"
        text += "State folder: <code>\(escapeHTML(run.folder))</code><br>"
        text += "\(run.taskCount) tasks, \(attempts.count) attempts from \(escapeHTML(TaskStory.timestamp(start))) "
        text += "to \(escapeHTML(TaskStory.timestamp(end))) (\(ProgressMeter.clock(end - start)))<br>"
        text += ["succeeded", "failed", "timedout", "cancelled", "interrupted", "running"].compactMap { kind in
            kinds[kind].map { "<span class=\"chip k-\(kind)\"></span>\($0) \(kind == "timedout" ? "timed out" : kind)" }
        }.joined(separator: " &nbsp; ")
        if let problem = run.numberingNote ?? run.jobProblem { text += "<br><em>\(escapeHTML(problem))</em>" }
        return text + "</p>\n"
    }

    // MARK: Timeline

    private func timeline(start: Double, end: Double) -> String {
        let placed = SlotLanes(attempts) { Int64((($0 - start) * 1e6).rounded()) }
        let rowHeight = placed.lanes.count > 150 ? 4.0 : placed.lanes.count > 40 ? 8.0 : 16.0
        let (left, width) = (170.0, 1000.0)
        let height = Double(placed.lanes.count) * rowHeight + 24
        let scale = width / (end - start)
        var svg = "<svg id=\"timeline\" class=\"chart\" viewBox=\"0 0 \(Int(left + width + 10)) \(Int(height))\" "
            + "width=\"\(Int(left + width + 10))\" height=\"\(Int(height))\">"
        for (row, lane) in placed.lanes.enumerated() where rowHeight >= 8 {
            let y = Double(row) * rowHeight
            svg += "<text x=\"\(Int(left - 6))\" y=\(quoted(y + rowHeight * 0.75)) class=\"label\" text-anchor=\"end\">"
                + "\(escapeHTML(lane.host)) r\(lane.rank)/\(lane.slot)</text>"
        }
        for (offset, attempt) in attempts.enumerated() {
            let x = left + (attempt.start - start) * scale
            let w = max(1, ((attempt.end ?? attempt.start) - attempt.start) * scale)
            let y = Double(placed.laneOfAttempt[offset]) * rowHeight + 1
            let tip = "task \(index(attempt.position)) attempt \(attempt.attempt): \(attempt.endDescription)\n"
                + "\(command(attempt.position))\n\(attempt.host) rank \(attempt.worker)\n"
                + "\(TaskStory.timestamp(attempt.start)) -> \(TaskStory.timestamp(attempt.end ?? attempt.start))"
                + String(format: " (%.3f s)", (attempt.end ?? attempt.start) - attempt.start)
            svg += "<rect class=\"bar k-\(attempt.kind)\" data-index=\"\(index(attempt.position))\" data-attempt=\"\(attempt.attempt)\" "
                + "x=\(quoted(x)) y=\(quoted(y)) width=\(quoted(w)) height=\(quoted(max(1, rowHeight - 2)))>"
                + "<title>\(escapeHTML(tip))</title></rect>"
        }
        svg += axis(start: start, end: end, left: left, width: width, y: height - 20)
        return svg + "</svg>"
    }

    private func axis(start: Double, end: Double, left: Double, width: Double, y: Double) -> String {
        var text = "<line class=\"axis\" x1=\(quoted(left)) y1=\(quoted(y)) x2=\(quoted(left + width)) y2=\(quoted(y))/>"
        for tick in 0...5 {
            let x = left + width * Double(tick) / 5
            text += "<text class=\"label\" x=\(quoted(x)) y=\(quoted(y + 14)) text-anchor=\"middle\">"
                + "\(Self.offset((end - start) * Double(tick) / 5, span: end - start))</text>"
        }
        return text
    }

    /// Seconds into the run for an axis: `0.25 s` for short runs, `1:05` for long ones.
    static func offset(_ seconds: Double, span: Double) -> String {
        if span < 10 { return String(format: "%.2f s", seconds) }
        if span < 120 { return String(format: "%.0f s", seconds) }
        return ProgressMeter.clock(seconds)
    }

    // MARK: Busy slots and throughput

    private func series(start: Double, end: Double) -> (busy: String, throughput: String) {
        // One bucket per second up to 200, so that throughput reads as tasks per second.
        let buckets = max(10, min(200, Int(end - start)))
        let step = (end - start) / Double(buckets)
        var busy = [Double](repeating: 0, count: buckets)
        var ended = [Double](repeating: 0, count: buckets)
        for attempt in attempts {
            let (from, to) = (attempt.start, attempt.end ?? attempt.start)
            var bucket = max(0, min(buckets - 1, Int((from - start) / step)))
            while bucket < buckets {
                let (low, high) = (start + Double(bucket) * step, start + Double(bucket + 1) * step)
                if low >= to { break }
                busy[bucket] += max(0, min(high, to) - max(low, from)) / step
                bucket += 1
            }
            if attempt.end != nil, attempt.outcome != nil {
                ended[max(0, min(buckets - 1, Int((to - start) / step)))] += 1 / step
            }
        }
        let available = run.history.workers.reduce(0) { $0 + $1.slots }
        let busyChart = chart(busy, id: "busy", unit: "slots", line: available > 0 ? Double(available) : nil,
                              start: start, end: end)
        return (busyChart, chart(ended, id: "throughput", unit: "tasks/s", line: nil, start: start, end: end))
    }

    private func chart(_ values: [Double], id: String, unit: String, line: Double?, start: Double, end: Double) -> String {
        let (left, width, height) = (170.0, 1000.0, 160.0)
        let top = max(line ?? 0, values.max() ?? 0, 1) * 1.1
        let y: (Double) -> Double = { height - $0 / top * height }
        var points = "\(left),\(height) "
        for (offset, value) in values.enumerated() {
            let x0 = left + width * Double(offset) / Double(values.count)
            let x1 = left + width * Double(offset + 1) / Double(values.count)
            points += String(format: "%.1f,%.1f %.1f,%.1f ", x0, y(value), x1, y(value))
        }
        points += "\(left + width),\(height)"
        var svg = "<svg id=\"\(id)\" class=\"chart\" viewBox=\"0 0 \(Int(left + width + 10)) \(Int(height + 24))\" "
            + "width=\"\(Int(left + width + 10))\" height=\"\(Int(height + 24))\">"
            + "<polygon class=\"area\" points=\"\(points)\"/>"
        if let line {
            svg += "<line class=\"limit\" x1=\(quoted(left)) y1=\(quoted(y(line))) x2=\(quoted(left + width)) y2=\(quoted(y(line)))/>"
                + "<text class=\"label\" x=\(quoted(left - 6)) y=\(quoted(y(line) + 4)) text-anchor=\"end\">\(Int(line)) available</text>"
        }
        svg += "<text class=\"label\" x=\(quoted(left - 6)) y=\"12\" text-anchor=\"end\">\(String(format: "%.1f", top)) \(unit)</text>"
        svg += axis(start: start, end: end, left: left, width: width, y: height)
        return svg + "</svg>"
    }

    // MARK: Tables

    private func failures() -> String {
        let failed = run.history.attempts.filter { $0.state != nil && $0.kind != "succeeded" && $0.kind != "interrupted" }
        let unrunnable = run.history.unrunnable.sorted { $0.key < $1.key }
        guard !failed.isEmpty || !unrunnable.isEmpty else { return "<p>None.</p>" }
        var rows = "<table><tr><th>index</th><th>attempt</th><th>ended</th><th>host (rank)</th><th>stdout</th><th>stderr</th><th>command</th></tr>"
        for attempt in failed.prefix(500) {
            let paths = attempt.worker >= 0 ? run.outputPaths(position: attempt.position, attempt: attempt.attempt, host: attempt.host) : (nil, nil)
            rows += "<tr><td>\(index(attempt.position))</td><td>\(attempt.neverRan ? "never ran" : String(attempt.attempt))</td>"
                + "<td><span class=\"chip k-\(attempt.kind)\"></span>\(escapeHTML(attempt.endDescription + (attempt.message.map { ": " + $0 } ?? "")))</td>"
                + "<td>\(attempt.worker >= 0 ? "\(escapeHTML(attempt.host)) (\(attempt.worker))" : "")</td><td><code>\(escapeHTML(paths.0 ?? ""))</code></td>"
                + "<td><code>\(escapeHTML(paths.1 ?? ""))</code></td><td><code>\(escapeHTML(command(attempt.position)))</code></td></tr>"
        }
        for (position, reason) in unrunnable.prefix(500) {
            rows += "<tr><td>\(index(position))</td><td>-</td><td>cannot run: \(escapeHTML(reason))</td><td></td><td></td><td></td>"
                + "<td><code>\(escapeHTML(command(position)))</code></td></tr>"
        }
        let hidden = max(0, failed.count - 500) + max(0, unrunnable.count - 500)
        return rows + "</table>" + (hidden > 0 ? "<p>… and \(hidden) more.</p>" : "")
    }

    private func slowest() -> String {
        let ranked = attempts.sorted { ($0.end ?? $0.start) - $0.start > ($1.end ?? $1.start) - $1.start }.prefix(10)
        guard !ranked.isEmpty else { return "<p>No attempt yet.</p>" }
        var rows = "<table><tr><th>index</th><th>attempt</th><th>seconds</th><th>ended</th><th>host (rank)</th><th>command</th></tr>"
        for attempt in ranked {
            rows += "<tr><td>\(index(attempt.position))</td><td>\(attempt.attempt)</td>"
                + "<td>\(String(format: "%.3f", (attempt.end ?? attempt.start) - attempt.start))</td>"
                + "<td>\(escapeHTML(attempt.endDescription))</td><td>\(escapeHTML(attempt.host)) (\(attempt.worker))</td>"
                + "<td><code>\(escapeHTML(command(attempt.position)))</code></td></tr>"
        }
        return rows + "</table>"
    }

    private func hosts(span: Double) -> String {
        struct Totals { var ranks = Set<Int>(); var slots = 0; var attempts = 0; var succeeded = 0; var failed = 0; var busy = 0.0 }
        var byHost: [String: Totals] = [:]
        for worker in run.history.workers {
            byHost[worker.host, default: Totals()].ranks.insert(worker.rank)
            byHost[worker.host, default: Totals()].slots += worker.slots
        }
        for attempt in attempts {
            var totals = byHost[attempt.host, default: Totals()]
            totals.ranks.insert(attempt.worker)
            totals.attempts += 1
            if attempt.kind == "succeeded" { totals.succeeded += 1 }
            if ["failed", "timedout"].contains(attempt.kind) { totals.failed += 1 }
            totals.busy += (attempt.end ?? attempt.start) - attempt.start
            byHost[attempt.host] = totals
        }
        guard !byHost.isEmpty else { return "<p>No worker yet.</p>" }
        var rows = "<table><tr><th>host</th><th>worker ranks</th><th>slots</th><th>attempts</th><th>succeeded</th>"
            + "<th>failed</th><th>busy seconds</th><th>busy share</th></tr>"
        for host in byHost.keys.sorted() {
            let totals = byHost[host]!
            let share = totals.slots > 0 && span > 0 ? String(format: "%.0f %%", 100 * totals.busy / (Double(totals.slots) * span)) : "-"
            rows += "<tr><td>\(escapeHTML(host))</td><td>\(totals.ranks.sorted().map(String.init).joined(separator: ", "))</td>"
                + "<td>\(totals.slots > 0 ? String(totals.slots) : "?")</td><td>\(totals.attempts)</td><td>\(totals.succeeded)</td>"
                + "<td>\(totals.failed)</td><td>\(String(format: "%.1f", totals.busy))</td><td>\(share)</td></tr>"
        }
        return rows + "</table>"
    }
}

/// `value` as a quoted SVG attribute value with one decimal.
private func quoted(_ value: Double) -> String { String(format: "\"%.1f\"", value) }
