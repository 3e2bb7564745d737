import Foundation
import JobSpec

/// Runs DAG nodes' PRE and POST scripts on rank 0, as DAGMan runs them on the submit host:
/// as child processes of a ``TaskExecutor``, never waiting for them, with `DEFER` reruns
/// started once their delay has passed. At most one script runs per node, so a script's
/// task position is its node index.
///
/// Each script's standard output and error go to `FOLDER/NODE.pre.out` (or `.post.out`),
/// replaced by each run. A script named by a relative path that exists in the node's
/// directory runs from there; any other name is looked up in `PATH`.
///
/// Source: HTCondor manual, DAGMan "Scripts" (scripts run on the access point, from the
/// node's directory; `DEFER status time`).
final class DAGScriptRunner {
    /// A script, or a local-universe proc, that ended.
    struct Ended {
        var node: Int
        var kind: DAGScript.Kind
        var outcome: DAGProcOutcome
        /// The proc's task position when a local-universe proc ended, else `nil`.
        var procPosition: Int? = nil
    }

    private struct Delayed {
        var due: Double
        var node: Int
        var kind: DAGScript.Kind
        var argv: [String]
        var directory: String?
    }

    private let executor: TaskExecutor
    private let outputFolder: String
    private let workingDirectory: String
    private var kinds: [Int: DAGScript.Kind] = [:]
    private var delayed: [Delayed] = []
    private var attempts = 0
    private let nodeName: (Int) -> String
    /// Local-universe procs running, by executor key (`procKeyBase` + position).
    private var localProcs: [Int: Int] = [:]
    /// Executor keys of local-universe procs start here, past every node index.
    private let procKeyBase: Int

    /// - Parameters:
    ///   - context: the run's context; `workingDirectory` is where nodes' `DIR`s start from.
    ///   - outputFolder: where the scripts' output files go (created with the first script).
    ///   - nodeName: a node's name, for its output files.
    ///   - nodeCount: the DAG's nodes (scripts' keys are node indices; local procs' come after).
    init(context: JobContext, outputFolder: String, environment: [String: String], nodeCount: Int = 1 << 40,
         nodeName: @escaping (Int) -> String) {
        self.nodeName = nodeName
        self.procKeyBase = nodeCount
        let user = environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
        executor = TaskExecutor(context: context, workerRank: 0, host: HostFacts.hostName, user: user,
                                environment: TaskEnvironmentBuilder(environment: environment))
        self.outputFolder = outputFolder
        self.workingDirectory = context.workingDirectory
    }

    /// Scripts running or waiting for their delay.
    var isIdle: Bool { executor.running.isEmpty && delayed.isEmpty }

    /// Starts `node`'s script now, or after `delaySeconds` (monotonic clock). Returns the
    /// script's end at once when it could not start.
    func start(node: Int, kind: DAGScript.Kind, argv: [String], directory: String?, delaySeconds: Int) -> Ended? {
        if delaySeconds > 0 {
            delayed.append(Delayed(due: Clock.monotonicSeconds() + Double(delaySeconds), node: node, kind: kind,
                                   argv: argv, directory: directory))
            return nil
        }
        return launch(node: node, kind: kind, argv: argv, directory: directory)
    }

    /// Starts the delayed scripts that are due; returns those that could not start.
    func startDue() -> [Ended] {
        guard !delayed.isEmpty else { return [] }
        let now = Clock.monotonicSeconds()
        let due = delayed.filter { $0.due <= now }
        guard !due.isEmpty else { return [] }
        delayed.removeAll { $0.due <= now }
        return due.compactMap { launch(node: $0.node, kind: $0.kind, argv: $0.argv, directory: $0.directory) }
    }

    /// Scripts that ended since the last call.
    func reap() -> [Ended] {
        guard !executor.running.isEmpty else { return [] }
        return executor.reap(waitingUpTo: 0).compactMap { completion in
            if let position = localProcs.removeValue(forKey: completion.position) {
                return Ended(node: -1, kind: .pre, outcome: DAGProcOutcome(completion), procPosition: position)
            }
            guard let kind = kinds.removeValue(forKey: completion.position) else { return nil }
            return Ended(node: completion.position, kind: kind, outcome: DAGProcOutcome(completion))
        }
    }

    /// Starts a local- or scheduler-universe proc of a DAG node here on rank 0, as DAGMan
    /// runs such jobs on the access point. Returns its end at once when it could not start.
    func startLocal(_ proc: TaskSpec, attempt: Int) -> Ended? {
        var task = proc
        let position = proc.position
        task.position = procKeyBase + position
        let assignment = TaskAssignment(task: task, attempt: attempt)
        if let failed = executor.start(assignment) {
            return Ended(node: -1, kind: .pre, outcome: DAGProcOutcome(failed), procPosition: position)
        }
        localProcs[procKeyBase + position] = position
        return nil
    }

    /// Stops the local-universe procs at `positions` that run here; their ends come from
    /// ``reap()``. Returns the positions stopped.
    func stopLocal(_ positions: Range<Int>) -> [Int] {
        positions.filter { executor.stop(position: procKeyBase + $0, reason: .cancelled) }
    }

    /// Stops every running script (SIGTERM, SIGKILL after the kill grace) and forgets
    /// delayed ones. Their ends are still reported by ``reap()``.
    func stopAll() {
        delayed.removeAll()
        executor.stopAll(reason: .cancelled)
    }

    private func launch(node: Int, kind: DAGScript.Kind, argv: [String], directory: String?) -> Ended? {
        var argv = argv
        guard let program = argv.first else {
            return Ended(node: node, kind: kind, outcome: .exited(127))
        }
        let folder = directory.map { $0.hasPrefix("/") ? $0 : workingDirectory + "/" + $0 } ?? workingDirectory
        if !program.hasPrefix("/"), FileManager.default.fileExists(atPath: folder + "/" + program) {
            argv[0] = folder + "/" + program
        }
        let output = (outputFolder + "/" + Self.fileName(nodeName: nodeName(node), kind: kind))
            .replacingOccurrences(of: "%", with: "%%")
        if attempts == 0 { try? FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true) }
        attempts += 1
        let task = TaskSpec(position: node, arrayIndex: node, command: .argv(argv), workingDirectory: directory,
                            stdout: output, stderr: output, source: SourceLocation(file: "SCRIPT", line: 0),
                            label: argv.joined(separator: " "))
        let assignment = TaskAssignment(task: task, attempt: attempts)
        if let failed = executor.start(assignment) {
            return Ended(node: node, kind: kind, outcome: DAGProcOutcome(failed))
        }
        kinds[node] = kind
        return nil
    }

    /// `NODE.pre.out` or `NODE.post.out`, with any `/` in the node name (a splice's prefix
    /// never has one, but a name may) made `_`.
    static func fileName(nodeName: String, kind: DAGScript.Kind) -> String {
        nodeName.replacingOccurrences(of: "/", with: "_") + (kind == .pre ? ".pre.out" : ".post.out")
    }
}

extension DAGProcOutcome {
    /// How DAGMan sees an attempt's end: a timeout counts as its kill signal, a program that
    /// could not start as its exit status (127 or 126).
    init(_ completion: TaskCompletion) {
        switch completion.outcome {
        // A proc that exits with its submit file's success_exit_code succeeded.
        case .exited, .failedToStart: self = completion.succeeded ? .exited(0) : .exited(completion.exitCode ?? 127)
        case .signaled, .timedOut, .memoryExceeded: self = .signaled(completion.signal ?? 15)
        case .workerLost: self = .signaled(completion.signal ?? 9)
        case .cancelled, .interrupted, .revoked: self = .cancelled
        }
    }
}
