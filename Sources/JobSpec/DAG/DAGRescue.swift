import Foundation

/// Rescue DAGs in DAGMan's partial format: `FILE.dag.rescue001`, `002`, ... each holding
/// `DONE name` for every finished node, read together with the original DAG file. The
/// header is DAGMan's (`# Rescue DAG version: 2.0.1 (partial)`, the node counts and the
/// failed nodes' list).
///
/// Retries are counted again from zero on rescue, matching DAGMan's default
/// (`DAGMAN_RESET_RETRIES_UPON_RESCUE = True`), so no `RETRY` lines are written; a rescue
/// file holding them (written with the setting off) is still read. The FINAL node is never marked DONE. Without `--rescue-from`, the newest rescue file
/// is used, like DAGMan's default `-autorescue`.
///
/// Source: HTCondor manual, "Resubmitting a Failed DAG" (Rescue DAG naming, partial rescue
/// DAGs, `-dorescuefrom`), configuration macros `DAGMAN_RESET_RETRIES_UPON_RESCUE`,
/// `DAGMAN_MAX_RESCUE_NUM` (default 100).
public enum DAGRescue {
    /// The highest rescue number written; past it the last rescue file is overwritten.
    public static let maximumNumber = 100

    /// `FILE.dag.rescueNNN`, NNN zero-padded to three digits.
    public static func path(for dagFile: String, number: Int) -> String {
        dagFile + ".rescue" + String(repeating: "0", count: max(0, 3 - String(number).count)) + String(number)
    }

    /// The numbers of the rescue files that exist next to `dagFile`, ascending.
    public static func existingNumbers(for dagFile: String, workingDirectory: String? = nil) -> [Int] {
        let full = DAGPaths.join(workingDirectory, dagFile)
        let folder = (full as NSString).deletingLastPathComponent
        let prefix = (full as NSString).lastPathComponent + ".rescue"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix(prefix) else { return nil }
            let digits = name.dropFirst(prefix.count)
            guard digits.count == 3, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
            return Int(digits)
        }.sorted()
    }

    /// The newest rescue file's number, or `nil` when there is none.
    public static func newestNumber(for dagFile: String, workingDirectory: String? = nil) -> Int? {
        existingNumbers(for: dagFile, workingDirectory: workingDirectory).last
    }

    /// The newest rescue file's number among those last modified before `time` (epoch
    /// seconds), or `nil` when there is none: the one a run that began at `time` read, after
    /// it (and later runs) wrote newer ones.
    public static func newestNumber(for dagFile: String, workingDirectory: String? = nil, writtenBefore time: Double) -> Int? {
        existingNumbers(for: dagFile, workingDirectory: workingDirectory).last { number in
            let file = DAGPaths.join(workingDirectory, path(for: dagFile, number: number))
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date else { return false }
            return modified.timeIntervalSince1970 < time
        }
    }

    /// The number the next rescue file gets: one past the newest, at most ``maximumNumber``.
    public static func nextNumber(for dagFile: String, workingDirectory: String? = nil) -> Int {
        min((newestNumber(for: dagFile, workingDirectory: workingDirectory) ?? 0) + 1, maximumNumber)
    }

    /// The rescue file's text for `dag` after a run.
    ///
    /// - Parameters:
    ///   - isDone: whether a node finished successfully (it gets a `DONE` line).
    ///   - isFailed: whether a node failed (listed in the header).
    ///   - retriesUsed: retries a node used (for the note on retries cut short by UNLESS-EXIT).
    ///   - lastReturn: a node's last deciding value, or `nil`.
    ///   - created: the time written in the header.
    public static func render(dag: DAG, isDone: (Int) -> Bool, isFailed: (Int) -> Bool,
                              retriesUsed: (Int) -> Int = { _ in 0 }, lastReturn: (Int) -> Int? = { _ in nil },
                              created: Date = Date()) -> String {
        var text = "# Rescue DAG file, created after running\n#   the \(dag.file) DAG file\n"
        text += "# Created \(timestamp(created)) UTC\n# Rescue DAG version: 2.0.1 (partial)\n#\n"
        let failed = dag.nodes.indices.filter(isFailed)
        let done = dag.nodes.indices.filter { isDone($0) && !dag.nodes[$0].isFinal }
        text += "# Total number of Nodes: \(dag.nodes.count)\n# Nodes premarked DONE: \(done.count)\n"
        text += "# Nodes that failed: \(failed.count)\n#   "
        text += failed.map { dag.nodes[$0].name + "," }.joined() + "<ENDLIST>\n\n"
        for node in dag.nodes.indices {
            let spec = dag.nodes[node]
            if isDone(node) && !spec.isFinal { text += "DONE \(spec.name)\n" }
            guard spec.retries > 0 else { continue }
            if isFailed(node), let value = lastReturn(node), value == spec.unlessExit, retriesUsed(node) < spec.retries {
                text += "# \(retriesUsed(node)) of \(spec.retries) retries performed; remaining attempts aborted after node returned \(value)\n"
            }
            // Under DAGMan's default DAGMAN_RESET_RETRIES_UPON_RESCUE = True the retries start
            // again from the DAG file's own RETRY lines, so the rescue file repeats none.
        }
        return text
    }

    /// The rescue file's text after a run driven by `state`.
    public static func render(_ state: DAGRunState, created: Date = Date()) -> String {
        render(dag: state.dag, isDone: { state.state(of: $0) == .done }, isFailed: { state.state(of: $0) == .failed },
               retriesUsed: { state.records[$0].retry }, lastReturn: { state.records[$0].lastReturn }, created: created)
    }

    /// Writes the next rescue file for `state`'s DAG and returns its path.
    ///
    /// - Throws: ``JobSpecError`` naming the rescue file when it cannot be written.
    public static func write(_ state: DAGRunState, workingDirectory: String? = nil, created: Date = Date()) throws(JobSpecError) -> String {
        let path = self.path(for: state.dag.file, number: nextNumber(for: state.dag.file, workingDirectory: workingDirectory))
        do {
            try Data(render(state, created: created).utf8).write(to: URL(fileURLWithPath: DAGPaths.join(workingDirectory, path)),
                                                                 options: .atomic)
        } catch {
            throw JobSpecError("cannot write the rescue DAG: \(error.fileErrorReason)", file: path)
        }
        return path
    }

    /// Applies a partial rescue DAG (`DONE` and `RETRY` lines, comments) to `dag`.
    ///
    /// - Throws: ``JobSpecError`` at the line of an unknown node, a FINAL node marked DONE, or
    ///   any other statement (a full rescue DAG is not supported).
    public static func apply(rescueText: String, file: String, to dag: inout DAG) throws(JobSpecError) {
        for line in DAGLine.statements(of: rescueText, file: file) {
            // The keyword first: a line that is not DONE or RETRY is not a rescue line at all,
            // whatever its second word happens to be.
            guard line.keyword == "DONE" || line.keyword == "RETRY" else {
                throw line.error("expected DONE NodeName or RETRY NodeName N (a rescue DAG holds only these lines), "
                                 + "not '\(line.words.first?.text ?? "")'", atWord: 0)
            }
            guard line.words.count >= 2 else {
                throw line.error(line.keyword == "DONE" ? "expected DONE NodeName" : "expected RETRY NodeName N", atWord: 1)
            }
            guard let node = dag.node(named: line.words[1].text) else {
                throw line.error("the rescue DAG names node \(line.words[1].text), which \(dag.file) does not declare", atWord: 1)
            }
            switch line.keyword {
            case "DONE" where line.words.count == 2:
                if dag.nodes[node].isFinal { throw line.error("the FINAL node cannot be marked DONE", atWord: 1) }
                dag.nodes[node].done = true
            case "RETRY" where line.words.count == 3 || line.words.count == 5:
                guard let retries = Int(line.words[2].text), retries >= 0 else {
                    throw line.error("expected a number of retries", atWord: 2)
                }
                dag.nodes[node].retries = retries
                if line.words.count == 5 {
                    guard line.word(3, is: "UNLESS-EXIT"), let value = Int(line.words[4].text) else {
                        throw line.error("expected UNLESS-EXIT value", atWord: 3)
                    }
                    dag.nodes[node].unlessExit = value
                }
            case "DONE":
                throw line.error("expected DONE NodeName and nothing after it", atWord: 2)
            default:
                throw line.error("expected RETRY NodeName N [UNLESS-EXIT value]", atWord: 2)
            }
        }
    }

    /// Parses `dagFile` and applies a rescue file: number `rescueFrom` when given, else the
    /// newest one when `autorescue` is on. Returns the DAG and the rescue file used, if any.
    ///
    /// - Throws: ``JobSpecError`` from parsing either file, or when rescue file `rescueFrom`
    ///   does not exist.
    public static func load(dagFile: String, workingDirectory: String? = nil, rescueFrom: Int? = nil,
                            autorescue: Bool = true, checkSubmitFiles: Bool = true) throws(JobSpecError) -> (dag: DAG, rescueFile: String?) {
        var dag = try DAGParser.parse(file: dagFile, workingDirectory: workingDirectory, checkSubmitFiles: checkSubmitFiles)
        let number = rescueFrom ?? (autorescue ? newestNumber(for: dagFile, workingDirectory: workingDirectory) : nil)
        guard let number else { return (dag, nil) }
        let rescue = path(for: dagFile, number: number)
        let text = try DAGPaths.read(DAGPaths.join(workingDirectory, rescue), displayName: rescue,
                                     what: "a rescue DAG (--rescue-from \(number))", referencedAt: nil)
        try apply(rescueText: text, file: rescue, to: &dag)
        dag.rescueNumber = number
        return (dag, rescue)
    }

    /// Renames rescue files newer than `number` to `NAME.old`, as DAGMan does for
    /// `-dorescuefrom`, so the next rescue file follows `number`. Returns the new names.
    public static func retireNewer(than number: Int, for dagFile: String, workingDirectory: String? = nil) -> [String] {
        existingNumbers(for: dagFile, workingDirectory: workingDirectory).filter { $0 > number }.compactMap { newer in
            let from = DAGPaths.join(workingDirectory, path(for: dagFile, number: newer))
            return (try? FileManager.default.moveItem(atPath: from, toPath: from + ".old")).map { from + ".old" }
        }
    }

    private static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.month ?? 0)/\(c.day ?? 0)/\(c.year ?? 0) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }
}
