import Foundation
import CTaskSpawn
import Glibc
import JobSpec

/// The scheduler role on rank 0: learns the worker pool from the name server, hands tasks
/// to free worker slots as they free up, records every change through its recorders, and
/// ends the run: at completion, on a drain (SIGUSR1), or on an interrupt (SIGTERM/SIGINT).
final class Scheduler: RankRole {
    struct Settings {
        var runID: Int
        var workerRanks: [Int]
        var allRanks: [Int]
        var outputs: OutputDefaults
        var defaultTimeLimit: Double?
        var killGrace: Double
        var workingDirectory: String
        /// Seconds to wait for every worker to register before giving up.
        var startupTimeout: Double
        /// When the allocation ends, in ``Clock/monotonicSeconds()``, or `nil`.
        var walltimeEnd: Double? = nil
        /// Expected seconds per task for walltime draining; `nil` learns it from the tasks.
        var taskTime: Double? = nil
        /// The pending tasks no worker can ever run, with why, once the workers are known
        /// (HTCondor matchmaking); `nil` when no task has requirements.
        var unmatchable: ((_ workers: [WorkerAd], _ isPending: (Int) -> Bool) -> [(position: Int, reason: String)])? = nil
        /// `taskfarm serve`: an empty queue does not end the run; only a shutdown, a
        /// signal or the walltime does.
        var serving = false
        /// Seconds of silence after which a worker is lost (``WorkerLiveness``).
        var workerTimeout: Double = WorkerLiveness.defaultTimeout
        /// Lost workers a task may have run on before it fails (HyperQueue's crash limit).
        var crashLimit: Int = 3
    }

    /// Seconds before the walltime at which running tasks are stopped, so that the journal
    /// is closed before the batch system's kill.
    var walltimeMargin: Double { settings.killGrace + 2 }

    private let transport: Transport
    private let nameServer: NameServerClient
    private let job: any Job
    private var core: SchedulerCore
    private let settings: Settings
    private let recorders: [RunRecorder]
    private var workers: [Int: WorkerAd] = [:]
    private var started = false
    private var interruptedAt: Double?
    private var draining = false
    private var stopSent = false
    private var firstFailures: [Int] = []
    /// The longest run time of a task that succeeded so far, in seconds.
    private var longestTask: Double = 0
    /// Why the run stopped early, for the log.
    private(set) var stopNote: String?
    private var lastFlush = Clock.monotonicSeconds()
    private(set) var isFinished = false
    private(set) var result: RunResult?
    /// A fatal problem found while running (no workers registered), for the caller to report.
    private(set) var failure: String?
    private var liveness: WorkerLiveness
    /// The workers declared lost, in the order found.
    private(set) var lostWorkers: [LostWorker] = []
    /// The time of the current loop round on the monotonic clock, set by ``step()``: the
    /// time a message was heard, without a clock call per message.
    private var roundTime = Clock.monotonicSeconds()
    private var lastLivenessCheck = Clock.monotonicSeconds()
    /// Called when a worker is lost, with the tasks it held, for the log.
    var onWorkerLost: ((_ worker: LostWorker, _ tasks: Int) -> Void)?
    /// Called at once when the run is interrupted, with why, before any waiting: mpirun may
    /// SIGKILL the rank one `odls_base_sigkill_timeout` (1 s) after its SIGTERM, so the
    /// caller makes the record true now (journal flushed, a resumable verdict).
    var onInterrupt: ((_ reason: String) -> Void)?

    init(transport: Transport, nameServer: NameServerClient, job: any Job, core: SchedulerCore, settings: Settings,
         recorders: [RunRecorder]) {
        self.transport = transport
        self.nameServer = nameServer
        self.job = job
        self.core = core
        self.settings = settings
        self.recorders = recorders
        self.liveness = WorkerLiveness(timeout: settings.workerTimeout)
    }

    var tags: Set<MessageTag> { [.completion] }

    /// Asks the name server for the worker pool; tasks start when every worker is there.
    func start() throws {
        try nameServer.request(.list, key: "worker/", minimum: settings.workerRanks.count,
                               timeout: settings.startupTimeout) { [self] reply in
            if let error = reply.error {
                failure = "the workers did not all register: \(error)"
                try finish(interrupted: true)
                return
            }
            for entry in reply.entries {
                let ad = try WorkerAd(decoding: entry.value)
                workers[ad.rank] = ad
                core.addWorker(ad)
            }
            let context = JobContext(runID: settings.runID, taskCount: job.taskCount, jobName: job.name,
                                     killGrace: settings.killGrace, workingDirectory: settings.workingDirectory)
            for rank in settings.workerRanks {
                try transport.send(context.encode(), to: rank, tag: .jobContext)
            }
            started = true
            let now = Clock.monotonicSeconds()
            roundTime = now
            for rank in settings.workerRanks { liveness.watch(rank, now: now) }
            if let unmatchable = settings.unmatchable {
                let states = core.states
                for (position, reason) in unmatchable(core.workerAds, { states[$0] == .pending }) {
                    if let decision = core.reject(position: position, reason: reason) { try apply([decision]) }
                }
            }
            try onStart?()
            try dispatch()
        }
    }

    func handle(_ envelope: Envelope) throws {
        switch envelope.tag {
        case .completion:
            // A lost worker's word is ignored: its tasks run elsewhere, recorded once.
            guard liveness.heard(from: envelope.source, now: roundTime) else { return }
            let report = try WorkerReport(decoding: envelope.payload)
            for start in report.starts { noteStarted(start, worker: envelope.source) }
            guard let completion = report.completion else { return }
            if completion.outcome != .revoked {
                // Started and ended before any report said it started.
                noteStarted(TaskStart(position: completion.position, attempt: completion.attempt,
                                      time: completion.startTime), worker: envelope.source)
            }
            if completion.succeeded { longestTask = max(longestTask, completion.endTime - completion.startTime) }
            try apply(core.complete(completion))
            try dispatch()
        case .stop:
            // Only the final stop this scheduler sent ends it; on a single rank it also
            // receives the interrupt it sent to its own rank's worker.
            if stopSent { isFinished = true }
        default:
            break
        }
    }

    func signal(_ number: Int32) throws {
        switch number {
        case SIGUSR1:
            try drain(because: "SIGUSR1: draining, running tasks finish and no new ones start")
        case SIGTERM, SIGINT:
            try interrupt(because: number == SIGTERM ? "SIGTERM: stopping running tasks" : "SIGINT: stopping running tasks")
        default:
            break
        }
    }

    /// Running tasks finish; tasks not started (prefetched ones included) are handed back.
    private func drain(because reason: String) throws {
        guard !draining, interruptedAt == nil else { return }
        draining = true
        stopNote = reason
        core.stopDispatching()
        for rank in settings.workerRanks where !liveness.isLost(rank) {
            try transport.send(StopMessage(reason: .drain).encode(), to: rank, tag: .stop)
        }
        if started, core.isDone() { try finish(interrupted: true) }
    }

    /// Running tasks get SIGTERM, then SIGKILL after the grace, and are recorded as
    /// interrupted.
    private func interrupt(because reason: String) throws {
        guard interruptedAt == nil else { return }
        interruptedAt = Clock.monotonicSeconds()
        stopNote = reason
        for recorder in recorders { recorder.flush() }
        onInterrupt?(reason)
        core.stopDispatching()
        for rank in settings.workerRanks where !liveness.isLost(rank) {
            try transport.send(StopMessage(reason: .interrupted).encode(), to: rank, tag: .stop)
        }
        if !started { try finish(interrupted: true) }
    }

    /// Stops starting tasks that cannot finish before the walltime.
    private func checkWalltime() throws {
        guard let end = settings.walltimeEnd, !draining, interruptedAt == nil else { return }
        let now = Clock.monotonicSeconds()
        let estimate = settings.taskTime ?? longestTask
        if now + estimate > end - walltimeMargin {
            let left = max(0, end - now)
            try drain(because: String(format: "walltime: %.0f s left and tasks take about %.0f s; not starting new tasks", left, estimate))
        }
    }

    private func dispatch() throws {
        guard started else { return }
        try checkWalltime()
        try apply(core.dispatch())
        if core.isDone(), !(settings.serving && core.isDispatching) {
            try finish(interrupted: draining || interruptedAt != nil)
        }
    }

    // MARK: The task queue (`taskfarm serve`); see QueueBroker

    /// Makes room for `count` tasks the (growing) job now holds, holding those `isHeld`
    /// says, and starts what it can.
    func appendTasks(count: Int, isHeld: (Int) -> Bool) throws -> Range<Int> {
        let positions = core.appendTasks(count: count)
        for position in positions where isHeld(position) { core.hold(position) }
        try dispatch()
        return positions
    }

    /// Whether tasks may still start: no drain, interrupt or end yet.
    var isAcceptingWork: Bool { !draining && interruptedAt == nil && !stopSent }

    /// Lets a held task start.
    func release(_ position: Int) throws {
        core.release(position)
        try dispatch()
    }

    /// Cancels a task: one not started ends at once; a running one is stopped by its worker.
    /// Returns whether the task was still unfinished.
    func cancel(_ position: Int, reason: String) throws -> Bool {
        if let worker = core.worker(running: position) {
            try transport.send(CancelMessage(position: position, reason: .cancelled).encode(), to: worker, tag: .cancel)
            return true
        }
        let decisions = core.cancel(position, reason: reason)
        try apply(decisions)
        return !decisions.isEmpty
    }

    /// The workers known, by rank.
    var workerAds: [WorkerAd] { core.workerAds }

    /// The state of the task at `position`.
    func state(of position: Int) -> TaskState { core.states[position] }

    /// Ends a served run: `drain` lets running tasks finish, otherwise they are interrupted.
    func shutdown(drain: Bool, because reason: String) throws {
        if drain { try self.drain(because: reason) } else { try interrupt(because: reason) }
    }

    private func apply(_ decisions: [SchedulerCore.Decision]) throws {
        for decision in decisions {
            switch decision {
            case .assign(let position, let attempt, let worker):
                var task = job.task(at: position)
                if task.timeLimit == nil { task.timeLimit = settings.defaultTimeLimit }
                let streams = settings.outputs.resolve(taskOutput: task.stdout, taskError: task.stderr)
                let assignment = TaskAssignment(task: task, attempt: attempt, stdout: streams.stdout, stderr: streams.stderr)
                // Recorded as started when the worker says it started (``noteStarted``).
                try transport.send(assignment.encode(), to: worker, tag: .assignment)
            case .finished(let position, let state, let completion):
                if state == .failed || state == .timedOut { noteFailure(position) }
                for recorder in recorders { recorder.taskEnded(position: position, state: state, completion: completion) }
            case .retrying(let position, let completion):
                for recorder in recorders { recorder.taskRetrying(position: position, completion: completion) }
            case .returned(let position, let attempt):
                for recorder in recorders { recorder.taskReturned(position: position, attempt: attempt) }
            case .revoke(let position, let worker):
                try transport.send(CancelMessage(position: position, reason: .revoke).encode(), to: worker, tag: .cancel)
            case .unrunnable(let position, let reason):
                noteFailure(position)
                for recorder in recorders { recorder.taskUnrunnable(position: position, reason: reason) }
            }
        }
    }

    // MARK: External feed (a DAG run; see DAGDriver)

    /// Called once every worker is known, before the first dispatch.
    var onStart: (() throws -> Void)?

    /// Queues positions to run (the core must use an external feed).
    func enqueue(positions: Range<Int>) { core.enqueue(positions: positions) }

    /// Takes back the queued positions of `positions` and asks workers to stop those in
    /// flight (they report back as cancelled). Returns the positions taken back, which never
    /// started and get no report.
    func cancel(positions: Range<Int>) throws -> [Int] {
        let withdrawn = core.withdraw(positions: positions)
        for (position, worker) in core.inFlightTasks where positions.contains(position) {
            try transport.send(CancelMessage(position: position, reason: .cancelled).encode(), to: worker, tag: .cancel)
        }
        return withdrawn
    }

    /// The feed will queue nothing more.
    func closeFeed() { core.closeFeed() }

    /// Whether new tasks may still start (no drain or interrupt).
    var isDispatching: Bool { core.isDispatching }

    /// Hands out what the feed queued, and ends the run when it is done.
    func feedChanged() throws { try dispatch() }

    private func noteFailure(_ position: Int) {
        let index = job.task(at: position).arrayIndex
        // A DAG node's retry fails the same task again: name it once.
        if firstFailures.count < 10, firstFailures.last != index { firstFailures.append(index) }
    }

    /// Records the real start of an attempt the worker reported, once.
    private func noteStarted(_ start: TaskStart, worker: Int) {
        guard core.markStarted(position: start.position, attempt: start.attempt, worker: worker),
              let ad = workers[worker] else { return }
        for recorder in recorders {
            recorder.taskStarted(position: start.position, attempt: start.attempt, worker: ad, time: start.time)
        }
    }

    /// Declares lost the workers silent for longer than the timeout; checked 4 times a second.
    private func checkLiveness(now: Double) throws -> Bool {
        guard started, !stopSent, now - lastLivenessCheck >= 0.25 else { return false }
        lastLivenessCheck = now
        var lostAny = false
        for rank in liveness.findSilent(now: now) {
            try lose(rank, reason: String(format: "no word from it for more than %.0f s", liveness.timeout))
            lostAny = true
        }
        return lostAny
    }

    /// Stops using a lost worker: nothing is sent to it again, its tasks go back to the queue
    /// (see ``SchedulerCore/loseWorker(_:crashLimit:reason:now:)``), and the run goes on with
    /// the others; with none left it ends resumable.
    private func lose(_ rank: Int, reason: String) throws {
        liveness.declareLost(rank)
        transport.abandonSends(to: rank)
        let lost = LostWorker(rank: rank, host: workers[rank]?.host ?? "an unknown host", reason: reason)
        lostWorkers.append(lost)
        let decisions = core.loseWorker(rank, crashLimit: settings.crashLimit, reason: "\(lost.name): \(reason)",
                                        now: Clock.epochSeconds())
        onWorkerLost?(lost, decisions.count)
        try apply(decisions)
        if liveness.aliveCount == 0 {
            stopNote = "every worker was lost; run again to resume"
            core.stopDispatching()
            try finish(interrupted: true)
        } else {
            try dispatch()
        }
    }

    func step() throws -> Bool {
        let now = Clock.monotonicSeconds()
        // A round normally takes well under a millisecond; a long one means this rank was
        // busy (or stopped), and the workers' messages waited unread meanwhile.
        if now - roundTime > 1 { liveness.excuse(seconds: now - roundTime) }
        roundTime = now
        if try checkLiveness(now: now) { return true }
        if now - lastFlush >= 0.1 {
            for recorder in recorders { recorder.flush() }
            lastFlush = now
        }
        if let end = settings.walltimeEnd, interruptedAt == nil, !stopSent, now >= end - walltimeMargin {
            try interrupt(because: "walltime: the allocation ends in \(Int(walltimeMargin)) s; stopping running tasks")
            return true
        }
        if started, !stopSent, !draining, interruptedAt == nil, settings.walltimeEnd != nil {
            try checkWalltime()
        }
        guard let interruptedAt, !stopSent else { return false }
        // Interrupted: wait for the workers' reports, but no longer than the kill grace
        // allows, since mpirun kills every rank about 2 s after forwarding SIGTERM.
        let grace = InterruptWindow.grace(killGrace: settings.killGrace, environment: ProcessInfo.processInfo.environment)
        if core.inFlightCount == 0 || now - interruptedAt > grace + 0.3 {
            try finish(interrupted: true)
            return true
        }
        return false
    }

    private func finish(interrupted: Bool) throws {
        guard !stopSent else { return }
        stopSent = true
        for (position, worker) in core.inFlightTasks {
            let now = Clock.epochSeconds()
            let completion = TaskCompletion(position: position, attempt: Int(core.attempts[position]), workerRank: worker,
                                            outcome: .interrupted, startTime: now, endTime: now,
                                            message: "no report from worker \(worker) before the run stopped")
            for recorder in recorders { recorder.taskEnded(position: position, state: .interrupted, completion: completion) }
        }
        for recorder in recorders { recorder.flush() }
        var counts = core.counts
        counts[.running] = nil
        result = RunResult(total: job.taskCount, counts: counts, firstFailures: firstFailures,
                           interrupted: interrupted)
        result?.lostWorkers = lostWorkers
        let reason: StopReason = interrupted ? .interrupted : lostWorkers.isEmpty ? .finished : .finishedAfterLoss
        if !lostWorkers.isEmpty { WorkerRecovery.peerLost = true }
        for rank in settings.allRanks where !liveness.isLost(rank) {
            try transport.send(StopMessage(reason: reason).encode(), to: rank, tag: .stop)
        }
    }
}
