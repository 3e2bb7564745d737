import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JobSpec
import Logging

/// Runs a DAG on rank 0 beside the ``Scheduler``: it feeds the scheduler's external queue
/// with the procs of the nodes ``DAGRunState`` starts (so PRIORITY order, CATEGORY/MAXJOBS
/// limits, RETRY and futile descendants all come from the state machine), runs PRE and POST
/// scripts with a ``DAGScriptRunner``, cancels procs when a node fails or the DAG aborts,
/// keeps the status files current, and at the end writes the rescue DAG.
///
/// It drives the scheduler and is never called by it: it reads the procs' ends from its
/// ``TaskEndInbox`` (one of the scheduler's recorders) in ``step()``, and starts the DAG
/// there once the scheduler knows its workers.
///
/// Source: HTCondor manual, DAGMan ("Node Success/Failure", "Scripts", "Retrying Failed
/// Nodes", "Resubmitting a Failed DAG").
final class DAGDriver: RankRole {
    /// Where the DAG's files live.
    struct Settings {
        /// The state folder: `dag-status` and the scripts' output go there.
        var stateFolder: String
        /// Where relative paths of the DAG file start (rescue, DOT, status file).
        var dagDirectory: String
        /// The job's context, for the scripts.
        var context: JobContext
        var environment: [String: String]
    }

    private let job: DAGJob
    private let settings: Settings
    private let logger: Logger
    private var state: DAGRunState
    private var scripts: DAGScriptRunner
    private var statusFiles: DAGStatusFiles
    private weak var scheduler: Scheduler?
    /// The procs' ends, written by the scheduler; hand it to the scheduler as a recorder.
    let inbox = TaskEndInbox()
    private var started = false
    private var actions: [DAGAction] = []
    private var performing = false
    private var interrupted = false
    private var stoppedScripts = false
    /// ABORT-DAG-ON's RETURN value, once it fired.
    private var abortReturn: Int?
    private var statusFileFailed = false
    /// The rescue file written when the FINAL node started after a failure, if any.
    private var rescueBeforeFinal: String?
    private var failure: Error?

    init(job: DAGJob, settings: Settings, logger: Logger) {
        self.job = job
        self.settings = settings
        self.logger = logger
        state = DAGRunState(job: job)
        state.dagID = settings.context.runID
        scripts = DAGScriptRunner(context: settings.context, outputFolder: settings.stateFolder + "/dag-scripts",
                                  environment: settings.environment, nodeCount: job.dag.nodes.count,
                                  nodeName: { job.dag.nodes[$0].name })
        statusFiles = DAGStatusFiles(dag: job.dag, stateFolder: settings.stateFolder, baseDirectory: settings.dagDirectory)
    }

    /// Drives `scheduler`, whose core must use an external feed; the DAG starts when the
    /// scheduler has its workers.
    func attach(to scheduler: Scheduler) {
        self.scheduler = scheduler
    }

    /// Starts the DAG: the DOT file, the first nodes, the status files.
    private func startDAG(_ scheduler: Scheduler) throws {
        started = true
        do {
            try DAGStatusFiles.writeDot(job.dag, baseDirectory: settings.dagDirectory)
        } catch {
            logger.error("\(error)")
        }
        perform(state.start())
        updateStatusFiles()
        try scheduler.feedChanged()
    }

    // MARK: RankRole

    var tags: Set<MessageTag> { [] }

    func handle(_ envelope: Envelope) throws {}

    var isFinished: Bool { scheduler?.result != nil && scripts.isIdle }

    func signal(_ number: Int32) throws {
        guard number == SIGTERM || number == SIGINT, !interrupted else { return }
        interrupted = true
        scripts.stopAll()
    }

    func step() throws -> Bool {
        if let failure { throw failure }
        guard let scheduler else { return false }
        if scheduler.result != nil, !stoppedScripts {
            // The run is over (or was cut short): no script outlives it.
            stoppedScripts = true
            scripts.stopAll()
        }
        var progress = false
        if !started, scheduler.knowsWorkers, scheduler.result == nil {
            try startDAG(scheduler)
            progress = true
        }
        if !inbox.isEmpty {
            for end in inbox.take() where end.state != .interrupted {
                let outcome = end.completion.map(DAGProcOutcome.init) ?? .exited(1)
                perform(state.procFinished(position: end.position, outcome: outcome))
            }
            progress = true
        }
        for script in scripts.reap() + scripts.startDue() {
            if let position = script.procPosition {
                perform(state.procFinished(position: position, outcome: script.outcome))
            } else {
                perform(state.scriptFinished(node: script.node, kind: script.kind, outcome: script.outcome))
            }
            progress = true
        }
        if progress {
            statusFiles.noteChange()
            if scheduler.result == nil { try scheduler.feedChanged() }
        }
        if scheduler.result == nil { updateStatusFiles() }
        return progress
    }

    /// Rewrites the status files when due. They only show the run: a file that cannot be
    /// written is reported once and the DAG goes on.
    private func updateStatusFiles(final: Bool = false, interrupted: Bool = false) {
        do {
            try statusFiles.update(state, final: final, interrupted: interrupted)
        } catch {
            if !statusFileFailed { logger.error("\(error)") }
            statusFileFailed = true
        }
    }

    // MARK: Actions

    /// Carries out actions in order; actions caused while doing so wait their turn.
    private func perform(_ new: [DAGAction]) {
        actions += new
        guard !performing else { return }
        performing = true
        defer { performing = false }
        var index = 0
        while index < actions.count {
            let action = actions[index]
            index += 1
            do {
                try carryOut(action)
            } catch {
                if failure == nil { failure = error }
            }
        }
        actions.removeAll(keepingCapacity: true)
    }

    private func carryOut(_ action: DAGAction) throws {
        guard let scheduler else { return }
        switch action {
        case .runScript(let node, _, _, _, _) where job.dag.nodes[node].isFinal,
             .startProcs(let node, _, _) where job.dag.nodes[node].isFinal:
            writeRescueBeforeFinal()
        default: break
        }
        switch action {
        case .runScript(let node, let kind, let argv, let directory, let delay):
            guard !interrupted, scheduler.isDispatching else { return }
            if delay > 0 { logger.info("DAG node \(job.dag.nodes[node].name): \(kind.rawValue) script deferred \(delay) s") }
            if let failed = scripts.start(node: node, kind: kind, argv: argv, directory: directory, delaySeconds: delay) {
                logger.error("DAG node \(job.dag.nodes[node].name): \(kind.rawValue) script \(argv.first ?? "") could not start")
                perform(state.scriptFinished(node: failed.node, kind: failed.kind, outcome: failed.outcome))
            }
        case .startProcs(let node, let positions, let retry):
            job.prepareToStart(node: node, dagStatus: state.dagStatus, failedCount: state.failedCount)
            if !positions.isEmpty, job.task(at: positions.lowerBound).attributes[SubmitDescription.universeAttribute] != nil {
                // Local- and scheduler-universe jobs run here, beside the scheduler, as SCRIPTs do.
                guard !interrupted, scheduler.isDispatching else { return }
                for position in positions {
                    if let failed = scripts.startLocal(job.task(at: position), attempt: retry + 1) {
                        perform(state.procFinished(position: position, outcome: failed.outcome))
                    }
                }
            } else {
                scheduler.enqueue(positions: positions)
            }
        case .cancelProcs(_, let positions):
            _ = scripts.stopLocal(positions)
            for position in try scheduler.cancel(positions: positions) {
                perform(state.procFinished(position: position, outcome: .cancelled))
            }
        case .abortDAG(let exitCode):
            abortReturn = exitCode
            if !interrupted { logger.warning("DAG aborted (ABORT-DAG-ON, RETURN \(exitCode)): stopping every running node") }
            scripts.stopAll()
            _ = try scheduler.cancel(positions: 0..<job.taskCount)
        case .finished:
            scheduler.closeFeed()
        }
    }

    /// As DAGMan does, the rescue file is written when the FINAL node starts after a node
    /// failed or the DAG was aborted, so it exists whatever the FINAL node does.
    private func writeRescueBeforeFinal() {
        guard rescueBeforeFinal == nil, state.dagStatus != 0 else { return }
        do {
            rescueBeforeFinal = try DAGRescue.write(state, workingDirectory: settings.dagDirectory)
        } catch {
            logger.error("\(error)")
        }
    }

    // MARK: The end

    /// What the run's end means for the DAG: writes the status files and, unless the DAG
    /// succeeded, the next rescue file. Returns the exit status (0 the DAG succeeded, 1 it
    /// failed or was aborted with a non-zero RETURN, 75 interrupted) and the summary line.
    func conclude(_ result: RunResult) -> (status: ExitStatus, summary: String) {
        let outcome = state.outcome
        let wasInterrupted = outcome == nil
        var notes: [String] = []
        updateStatusFiles(final: true, interrupted: wasInterrupted)
        if let rescue = rescueBeforeFinal {
            notes.append("rescue DAG \(rescue) (written before the FINAL node ran)")
        } else if outcome?.succeeded != true {
            do {
                let rescue = try DAGRescue.write(state, workingDirectory: settings.dagDirectory)
                notes.append("rescue DAG \(rescue)")
            } catch {
                logger.error("\(error)")
            }
        }
        if let abortReturn { notes.append("aborted by ABORT-DAG-ON with RETURN \(abortReturn)") }
        var summary = "taskfarm: " + DAGStatusSnapshot(state, interrupted: wasInterrupted).summaryLine
        if !notes.isEmpty { summary += "; " + notes.joined(separator: "; ") }
        if wasInterrupted { summary += "; interrupted: run again to resume" }
        let status: ExitStatus = wasInterrupted ? .interrupted : outcome!.succeeded ? .success : .taskFailed
        return (status, summary)
    }
}

extension DAGDriver {
    /// A driver when `job` is a DAG, else `nil`.
    static func make(for job: any Job, prepared: PreparedRun, options: FarmOptions, workingDirectory: String,
                     environment: [String: String], logger: Logger) -> DAGDriver? {
        guard let dag = job as? DAGJob else { return nil }
        let context = JobContext(runID: prepared.runID, taskCount: job.taskCount, jobName: job.name,
                                 killGrace: options.killGrace, workingDirectory: workingDirectory)
        // The DAG file's paths (rescue, DOT, status file) are relative to where taskfarm
        // started, as when it was loaded (JobFiles).
        let settings = Settings(stateFolder: prepared.folder.path, dagDirectory: FileManager.default.currentDirectoryPath,
                                context: context, environment: environment)
        if options.retries > 0 || options.retryUnlessExit != nil {
            logger.warning("\(dag.file): --retries and --retry-unless-exit do not apply to a DAG; use RETRY lines")
        }
        let done = dag.dag.nodes.count { $0.done }
        if done > 0 {
            logger.notice("\(dag.file): \(done) of \(dag.dag.nodes.count) nodes already done (DONE lines or the rescue DAG)")
        }
        return DAGDriver(job: dag, settings: settings, logger: logger)
    }
}
