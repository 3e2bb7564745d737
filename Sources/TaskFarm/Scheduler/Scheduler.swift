import Foundation
import CTaskSpawn
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JobSpec

/// The scheduler role on rank 0: learns the worker pool from the name server, hands tasks
/// to free worker slots as they free up, records every change through its recorders, and
/// ends the run: at completion, on a drain (SIGUSR1), or on an interrupt (SIGTERM/SIGINT).
final class Scheduler: RankRole {
    struct Settings {
        var runID: Int
        var workerRanks: [Int]
        var allRanks: [Int]
        /// What the command line adds to every task before it is shipped.
        var taskDefaults: TaskDefaults
        var killGrace: Double
        var workingDirectory: String
        /// Seconds to wait for every worker to register before giving up.
        var startupTimeout: Double
        /// When the allocation ends, in ``Clock/monotonicSeconds()``, or `nil`.
        var walltimeEnd: Double? = nil
        /// Expected seconds per task for walltime draining; `nil` learns it from the tasks.
        var taskTime: Double? = nil
        /// `taskfarm serve`: an empty queue does not end the run; only a shutdown, a
        /// signal or the walltime does.
        var serving = false
        /// `--max-failures`: after this many tasks of this run failed, timed out or could not
        /// run, no new task starts and the run ends failed; `nil` for no limit.
        var maxFailures: Int? = nil
        /// Seconds of silence after which a worker is lost (``WorkerLiveness``).
        var workerTimeout: Double = WorkerLiveness.defaultTimeout
        /// Lost workers a task may have run on before it fails (HyperQueue's crash limit).
        var crashLimit: Int = 3
        /// `--bind`: pin each task to the CPUs it holds, where the host's CPU numbers are real.
        var bindTasks = true
        /// `--enforce-memory`: workers stop a task whose resident set passes its request.
        var enforceMemory = false
        /// What rank 0 finds of its host when it is not a worker itself: its CPUs join its
        /// host's pool, since the scheduler takes no cores (``SchedulerCore/addCPUs(of:)``).
        var schedulerCPUs: WorkerAd?
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
    /// Where the run is in its life.
    private enum Lifecycle: Equatable {
        /// Tasks are handed out (once the workers are known).
        case running
        /// Running tasks finish; no new ones start (SIGUSR1, the walltime, a shutdown with drain).
        case draining
        /// Running tasks are being stopped since this monotonic time (SIGTERM, SIGINT).
        case interrupted(since: Double)
        /// The final stop went to every rank; the run waits for its own.
        case stopSent
        /// The final stop came back: the loop may end.
        case finished
    }

    private var lifecycle = Lifecycle.running
    /// Whether the name server's list of workers has come: tasks start only then.
    private(set) var knowsWorkers = false
    /// Tasks of this run that ended failed, timed out or unrunnable, for `--max-failures`.
    private var failuresThisRun = 0
    /// `--max-failures` once it stopped the run.
    private var haltedAtFailures: Int?
    /// The longest run time of a task that succeeded so far, in seconds.
    private var longestTask: Double = 0
    /// Why the run stopped early, for the log.
    private(set) var stopNote: String?
    private var lastFlush = Clock.monotonicSeconds()
    var isFinished: Bool { lifecycle == .finished }
    /// Whether the final stop has gone out.
    private var stopSent: Bool { lifecycle == .stopSent || lifecycle == .finished }
    /// Whether a drain or an interrupt stopped the handing out of tasks.
    private var wasStopped: Bool { lifecycle != .running }
    private(set) var result: RunResult?
    /// A fatal problem found while running (no workers registered), for the caller to report.
    private(set) var failure: String?
    /// Why the run was refused before any task started: a task asks for more than any
    /// host has (exit 65, naming the directive's line and the largest host).
    private(set) var refusal: String?
    private var liveness: WorkerLiveness
    /// The workers declared lost, in the order found.
    private(set) var lostWorkers: [LostWorker] = []
    /// The time of the current loop round on the monotonic clock, set by ``step()``: the
    /// time a message was heard, without a clock call per message.
    private var roundTime = Clock.monotonicSeconds()
    private var lastLivenessCheck = Clock.monotonicSeconds()
    /// Called when a worker is lost, with the tasks it held, for the log.
    var onWorkerLost: ((_ worker: LostWorker, _ tasks: Int) -> Void)?

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
            if let own = settings.schedulerCPUs { core.addCPUs(of: own) }
            for entry in reply.entries {
                core.addWorker(try WorkerAd(decoding: entry.value))
            }
            let context = JobContext(runID: settings.runID, taskCount: job.taskCount, jobName: job.name,
                                     killGrace: settings.killGrace, workingDirectory: settings.workingDirectory,
                                     enforceMemory: settings.enforceMemory)
            for rank in settings.workerRanks {
                try transport.send(context.encode(), to: rank, tag: .jobContext)
            }
            knowsWorkers = true
            let now = Clock.monotonicSeconds()
            roundTime = now
            for rank in settings.workerRanks { liveness.watch(rank, now: now) }
            let shares = core.workerShares
            for recorder in recorders { recorder.workersKnown(shares) }
            if let refused = HostCapacity.firstRefusal(in: job, hosts: core.hostCapacities) {
                refusal = refused.description
                core.stopDispatching()
                try finish(interrupted: false)
                return
            }
            try apply(core.rejectUnmatchable())
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
            if lifecycle == .stopSent { lifecycle = .finished }
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
        guard lifecycle == .running else { return }
        lifecycle = .draining
        stopNote = reason
        core.stopDispatching()
        for rank in settings.workerRanks where !liveness.isLost(rank) {
            try transport.send(StopMessage(reason: .drain).encode(), to: rank, tag: .stop)
        }
        if knowsWorkers, core.isDone() { try finish(interrupted: true) }
    }

    /// Running tasks get SIGTERM, then SIGKILL after the grace, and are recorded as
    /// interrupted.
    private func interrupt(because reason: String) throws {
        guard lifecycle == .running || lifecycle == .draining else { return }
        lifecycle = .interrupted(since: Clock.monotonicSeconds())
        stopNote = reason
        core.stopDispatching()
        if knowsWorkers {
            // The rank may not live to the end of the interrupt: mpirun exits at a second
            // signal, and without recovery it ends every rank about a second after one died
            // (a send to that rank may then fail). What ended so far is made durable first,
            // and the caller writes a verdict that the final one replaces.
            for recorder in recorders { recorder.flush() }
            onInterrupt?(currentResult(interrupted: true))
        }
        for rank in settings.workerRanks where !liveness.isLost(rank) {
            try transport.send(StopMessage(reason: .interrupted).encode(), to: rank, tag: .stop)
        }
        if !knowsWorkers { try finish(interrupted: true) }
    }

    /// Called when an interrupt begins, once the recorders are flushed, with the result as
    /// it stands (tasks in flight count as not finished).
    var onInterrupt: ((RunResult) -> Void)?

    private func currentResult(interrupted: Bool) -> RunResult {
        var counts = core.counts
        counts[.running] = nil
        var result = RunResult(total: job.taskCount, counts: counts, firstFailures: lowestFailures(),
                               interrupted: interrupted, haltedAtFailures: haltedAtFailures)
        result.lostWorkers = lostWorkers
        return result
    }

    /// Stops the run at a recorder's first failure (the journal's disk is full): no more
    /// work is handed out, running tasks are interrupted, and the run ends resumable, so that
    /// no task runs without a durable record of its end.
    private func stopIfRecordingFailed() throws {
        guard lifecycle == .running || lifecycle == .draining,
              let problem = recorders.lazy.compactMap(\.recordingFailure).first else { return }
        try interrupt(because: "\(problem): stopping running tasks and starting no more; run again to resume once it can be written")
    }

    /// Stops starting tasks that cannot finish before the walltime.
    private func checkWalltime() throws {
        guard let end = settings.walltimeEnd, lifecycle == .running else { return }
        let now = Clock.monotonicSeconds()
        let estimate = settings.taskTime ?? longestTask
        if now + estimate > end - walltimeMargin {
            let left = max(0, end - now)
            try drain(because: String(format: "walltime: %.0f s left and tasks take about %.0f s; not starting new tasks", left, estimate))
        }
    }

    private func dispatch() throws {
        guard knowsWorkers else { return }
        try stopIfRecordingFailed()
        try checkWalltime()
        try apply(core.dispatch())
        if core.isDone(), !(settings.serving && core.isDispatching) {
            try finish(interrupted: wasStopped)
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
    var isAcceptingWork: Bool { lifecycle == .running }

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

    /// The workers known, by rank, each with its share of its host's cores as `slots`.
    var workerAds: [WorkerAd] { core.workerShares }

    /// The state of the task at `position`.
    func state(of position: Int) -> TaskState { core.states[position] }

    /// Whether the task at `position` is pending but held (its dependencies not met).
    func isHeld(_ position: Int) -> Bool { core.isHeld(position) }

    /// The ad of the worker running the task at `position`, or `nil` when it is not running.
    func worker(running position: Int) -> WorkerAd? { core.worker(running: position).flatMap(core.worker(at:)) }

    /// Ends a served run: `drain` lets running tasks finish, otherwise they are interrupted.
    func shutdown(drain: Bool, because reason: String) throws {
        if drain { try self.drain(because: reason) } else { try interrupt(because: reason) }
    }

    private func apply(_ decisions: [SchedulerCore.Decision]) throws {
        for decision in decisions {
            switch decision {
            case .assign(let position, let attempt, let worker):
                var task = settings.taskDefaults.finalForm(of: job.task(at: position))
                // `$$(...)` macros take their values from the machine the task lands on, as
                // HTCondor's dynamic slot carved for it: `Cpus`, `Memory` and `GPUs` are the
                // task's own. Most tasks have none: no ad is built for them.
                if MachinePlacement.wantsMachine(task), let ad = core.worker(at: worker) {
                    var slot = ad.classAd
                    slot["Cpus"] = .integer(task.slots)
                    if let memory = task.memoryMiB { slot["Memory"] = .integer(memory) }
                    if let gpus = task.gpus { slot["GPUs"] = .integer(gpus) }
                    task = MachinePlacement.place(task, on: slot)
                }
                var assignment = TaskAssignment(task: task, attempt: attempt)
                if let grant = core.grant(of: position), let pool = core.pool(ofWorker: worker) {
                    assignment.cpus = grant.cpus
                    assignment.gpus = grant.gpus
                    assignment.hostHasGPUs = !pool.gpus.isEmpty
                    assignment.bind = settings.bindTasks && pool.bindable
                }
                // Recorded as started when the worker says it started (``noteStarted``).
                try transport.send(assignment.encode(), to: worker, tag: .assignment)
            case .finished(let position, let state, let completion):
                if state == .failed || state == .timedOut || state == .memoryExceeded { try noteFailure() }
                let worker = core.worker(at: completion.workerRank)
                for recorder in recorders {
                    recorder.taskEnded(position: position, state: state, completion: completion, worker: worker)
                }
            case .retrying(let position, let completion):
                for recorder in recorders { recorder.taskRetrying(position: position, completion: completion) }
            case .returned(let position, let attempt):
                for recorder in recorders { recorder.taskReturned(position: position, attempt: attempt) }
            case .revoke(let position, let worker):
                try transport.send(CancelMessage(position: position, reason: .revoke).encode(), to: worker, tag: .cancel)
            case .unrunnable(let position, let reason):
                try noteFailure()
                for recorder in recorders { recorder.taskUnrunnable(position: position, reason: reason) }
            }
        }
    }

    // MARK: External feed (a DAG run; see DAGDriver)

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

    /// Counts a final failure of this run and, at `--max-failures`, stops handing out
    /// tasks: running ones finish, prefetched ones are given back (GNU parallel's `--halt
    /// soon,fail=N`).
    private func noteFailure() throws {
        failuresThisRun += 1
        guard let limit = settings.maxFailures, failuresThisRun >= limit, haltedAtFailures == nil,
              lifecycle == .running else { return }
        haltedAtFailures = limit
        try drain(because: "--max-failures \(limit): \(failuresThisRun) task\(failuresThisRun == 1 ? "" : "s") failed; running tasks finish and no new ones start")
    }

    /// The numbers (``Job/taskNumber(ofPosition:)``: array indexes, a DAG's positions) of the
    /// lowest positions that failed, timed out or could not run.
    private func lowestFailures() -> [Int] {
        var indices: [Int] = []
        for (position, state) in core.states.enumerated() where state == .failed || state == .timedOut || state == .memoryExceeded {
            let index = job.taskNumber(ofPosition: position)
            if indices.last != index { indices.append(index) }
            if indices.count == RunResult.shownFailures { break }
        }
        return indices
    }

    /// Records the real start of an attempt the worker reported, once.
    private func noteStarted(_ start: TaskStart, worker: Int) {
        guard core.markStarted(position: start.position, attempt: start.attempt, worker: worker),
              let ad = core.worker(at: worker) else { return }
        for recorder in recorders {
            recorder.taskStarted(position: start.position, attempt: start.attempt, worker: ad, time: start.time)
        }
    }

    /// Declares lost the workers silent for longer than the timeout; checked 4 times a second.
    private func checkLiveness(now: Double) throws -> Bool {
        guard knowsWorkers, !stopSent, now - lastLivenessCheck >= 0.25 else { return false }
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
        let lost = LostWorker(rank: rank, host: core.worker(at: rank)?.host ?? "an unknown host", reason: reason)
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
            if knowsWorkers { try stopIfRecordingFailed() }
        }
        if let end = settings.walltimeEnd, lifecycle == .running || lifecycle == .draining, now >= end - walltimeMargin {
            try interrupt(because: "walltime: the allocation ends in \(Int(walltimeMargin)) s; stopping running tasks")
            return true
        }
        if knowsWorkers, lifecycle == .running, settings.walltimeEnd != nil {
            try checkWalltime()
        }
        guard case .interrupted(let interruptedAt) = lifecycle else { return false }
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
        lifecycle = .stopSent
        for (position, worker) in core.inFlightTasks {
            let now = Clock.epochSeconds()
            let completion = TaskCompletion(position: position, attempt: Int(core.attempts[position]), workerRank: worker,
                                            outcome: .interrupted, startTime: now, endTime: now,
                                            message: "no report from worker \(worker) before the run stopped")
            let ad = core.worker(at: worker)
            for recorder in recorders {
                recorder.taskEnded(position: position, state: .interrupted, completion: completion, worker: ad)
            }
        }
        for recorder in recorders { recorder.flush() }
        result = currentResult(interrupted: interrupted)
        let reason: StopReason = interrupted ? .interrupted : lostWorkers.isEmpty ? .finished : .finishedAfterLoss
        if !lostWorkers.isEmpty { WorkerRecovery.peerLost = true }
        for rank in settings.allRanks where !liveness.isLost(rank) {
            try transport.send(StopMessage(reason: reason).encode(), to: rank, tag: .stop)
        }
    }
}
