import CTaskSpawn
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JobSpec

/// The worker role: registers its ad with the name server, runs the tasks the scheduler
/// hands it (each on the CPUs and GPUs it was granted, holding prefetched ones in a local
/// queue until those are free), and reports each end. A task that fails or crashes is a report, never the worker's end.
final class Worker: RankRole {
    private let transport: Transport
    private let nameServer: NameServerClient
    private let schedulerRank: Int
    private let ad: WorkerAd
    private let environment: TaskEnvironmentBuilder
    private let user: String
    /// Seconds between SIGTERM and SIGKILL for tasks when the run is interrupted; set from
    /// the job context and mpirun's window (``InterruptWindow``).
    private var interruptGrace: Double?
    private let rankEnvironment: [String: String]
    private var executor: TaskExecutor?
    private var queue: [TaskAssignment] = []
    private var queueHead = 0
    /// What the worker does with assignments.
    private enum Intake: Equatable {
        /// Queues and runs them.
        case accepting
        /// A drain: gives them straight back; running tasks finish.
        case returning
        /// An interrupt: gives them straight back; running tasks are being stopped.
        case interrupted
    }

    /// Where the worker is in its life.
    private enum Phase: Equatable {
        /// In the farm.
        case serving
        /// The final stop came: it leaves once its running tasks have ended.
        case leaving
        /// It has told the name server it left; the loop may end.
        case left
    }

    private var intake = Intake.accepting
    private var phase = Phase.serving
    private var acceptsWork: Bool { intake == .accepting }
    var isFinished: Bool { phase == .left }
    /// Tasks started and not yet reported: they ride on the next report (see ``WorkerReport``).
    private var unreportedStarts: [TaskStart] = []
    /// Seconds of silence after which the worker sends a heartbeat.
    private let heartbeatInterval: Double
    /// When the worker last sent the scheduler anything, on the monotonic clock.
    private var lastReport = Clock.monotonicSeconds()

    /// `heartbeatInterval` is in seconds (see ``WorkerLiveness/heartbeatInterval(timeout:)``).
    init(transport: Transport, nameServer: NameServerClient, schedulerRank: Int, ad: WorkerAd,
         environment: [String: String],
         heartbeatInterval: Double = WorkerLiveness.heartbeatInterval(timeout: WorkerLiveness.defaultTimeout)) {
        self.heartbeatInterval = heartbeatInterval
        self.transport = transport
        self.nameServer = nameServer
        self.schedulerRank = schedulerRank
        self.ad = ad
        self.environment = TaskEnvironmentBuilder(environment: environment)
        self.user = RunContext.user(in: environment)
        self.rankEnvironment = environment
    }

    /// Announces the worker to the name server.
    func register() throws {
        try nameServer.registerWorker(ad)
    }

    var tags: Set<MessageTag> { [.jobContext, .assignment, .cancel] }

    func handle(_ envelope: Envelope) throws {
        switch envelope.tag {
        case .jobContext:
            let context = try JobContext(decoding: envelope.payload)
            interruptGrace = InterruptWindow.grace(killGrace: context.killGrace, environment: rankEnvironment)
            executor = TaskExecutor(context: context, workerRank: ad.rank, host: ad.host, user: user,
                                    environment: environment)
        case .assignment:
            let assignment = try TaskAssignment(decoding: envelope.payload)
            if !acceptsWork {
                try report(givenBack(assignment))
            } else {
                queue.append(assignment)
                try startQueued()
                prepareNext()
            }
        case .cancel:
            let message = try CancelMessage(decoding: envelope.payload)
            let queued = queue[queueHead...].firstIndex(where: { $0.task.position == message.position })
            if message.reason == .revoke {
                // Only a task that has not started can be given back; a started one runs on.
                if let queued {
                    executor?.discardPrepared(position: message.position)
                    try report(givenBack(queue.remove(at: queued)))
                }
                return
            }
            let outcome: TaskOutcome = message.reason == .interrupted ? .interrupted : .cancelled
            if executor?.stop(position: message.position, reason: outcome) != true, let queued {
                executor?.discardPrepared(position: message.position)
                var completion = interruptedBeforeStart(queue.remove(at: queued))
                completion.outcome = outcome
                try report(completion)
            }
        case .stop:
            let message = try StopMessage(decoding: envelope.payload)
            switch message.reason {
            case .drain:
                try returnQueued()
            case .interrupted:
                if phase == .serving { phase = .leaving }
                try interrupt()
            case .finished, .finishedAfterLoss, .cancelled, .revoke:
                if phase == .serving { phase = .leaving }
            }
        default:
            break
        }
    }

    func signal(_ number: Int32) throws {
        if number == SIGTERM || number == SIGINT { try interrupt() }
    }

    /// Kills running tasks (SIGTERM, SIGKILL after the grace) and returns queued ones,
    /// all reported as interrupted so that a resume runs them again.
    private func interrupt() throws {
        guard intake != .interrupted else { return }
        intake = .interrupted
        executor?.stopAll(reason: .interrupted, grace: interruptGrace)
        try returnQueued()
    }

    /// Hands every queued, unstarted task back as interrupted, and takes no more.
    private func returnQueued() throws {
        if intake == .accepting { intake = .returning }
        executor?.discardPrepared()
        while queueHead < queue.count {
            try report(givenBack(queue[queueHead]))
            queueHead += 1
        }
        queue.removeAll(keepingCapacity: true)
        queueHead = 0
    }

    /// The report of a task handed back without starting: not an attempt.
    private func givenBack(_ assignment: TaskAssignment) -> TaskCompletion {
        var completion = interruptedBeforeStart(assignment)
        completion.outcome = .revoked
        completion.message = "given back before it started"
        return completion
    }

    private func interruptedBeforeStart(_ assignment: TaskAssignment) -> TaskCompletion {
        let now = Clock.epochSeconds()
        return TaskCompletion(position: assignment.task.position, attempt: assignment.attempt, workerRank: ad.rank,
                              outcome: .interrupted, startTime: now, endTime: now, message: "not started: the run stopped")
    }

    /// Starts every queued task whose CPUs and GPUs are free here: none held by a running
    /// task, nor by a task queued ahead of it (which takes over a running task's grant when
    /// it ends). The scheduler hands out grants so that what is free here is free on the host.
    private func startQueued() throws {
        guard let executor, queueHead < queue.count else { return }
        var heldCPUs = Set<Int>()
        var heldGPUs = Set<String>()
        for running in executor.running {
            heldCPUs.formUnion(running.assignment.cpus)
            heldGPUs.formUnion(running.assignment.gpus)
        }
        var waiting: [TaskAssignment] = []
        for index in queueHead..<queue.count {
            let assignment = queue[index]
            let free = heldCPUs.isDisjoint(with: assignment.cpus) && heldGPUs.isDisjoint(with: assignment.gpus)
            heldCPUs.formUnion(assignment.cpus)
            heldGPUs.formUnion(assignment.gpus)
            guard free else {
                waiting.append(assignment)
                continue
            }
            if let failed = executor.start(assignment) {
                // It holds nothing: a task queued behind it may have its CPUs and GPUs now
                // (they were free, so no running task holds them).
                heldCPUs.subtract(assignment.cpus)
                heldGPUs.subtract(assignment.gpus)
                try report(failed)
            } else {
                let task = assignment.task
                unreportedStarts.append(TaskStart(position: task.position, attempt: assignment.attempt,
                                                  time: executor.running.last?.startTime ?? Clock.epochSeconds()))
            }
        }
        queue = waiting
        queueHead = 0
    }

    /// Opens the next queued task's output files while the running ones run, so that its
    /// start does not wait for the file system.
    private func prepareNext() {
        guard acceptsWork, queueHead < queue.count else { return }
        executor?.prepare(queue[queueHead])
    }

    /// Leaves the farm: the name server forgets this worker's names.
    private func finish() throws {
        guard phase != .left else { return }
        try nameServer.leave()
        phase = .left
    }

    /// Sends a completion, or with `nil` a heartbeat, with the starts not yet reported.
    private func report(_ completion: TaskCompletion?) throws {
        try transport.send(WorkerReport(starts: unreportedStarts, completion: completion).encode(),
                           to: schedulerRank, tag: .completion)
        unreportedStarts.removeAll(keepingCapacity: true)
        lastReport = Clock.monotonicSeconds()
    }

    func step() throws -> Bool {
        let progress = try collect(waitingUpTo: 0)
        // Starts no completion carried (a task began on an idle slot) go out at once, so the
        // scheduler knows what runs; a worker that said nothing for a while says it lives.
        // After the final stop the scheduler's rank may be gone: send it nothing more.
        if executor != nil, phase == .serving,
           !unreportedStarts.isEmpty || Clock.monotonicSeconds() - lastReport >= heartbeatInterval {
            try report(nil)
        }
        return progress
    }

    /// Tasks run and others wait here for their CPUs: the next thing to do is to reap one,
    /// and `idle` wakes on that at once (pidfds).
    var waitsForItsOwnEvent: Bool {
        guard let executor, !executor.running.isEmpty else { return false }
        return queueHead < queue.count
    }

    func idle(microseconds: Int) throws -> Bool {
        guard executor != nil else { return false }
        _ = try collect(waitingUpTo: microseconds)
        return true
    }

    private func collect(waitingUpTo microseconds: Int) throws -> Bool {
        guard let executor else {
            if phase == .leaving { try finish() }
            return false
        }
        let completions = executor.reap(waitingUpTo: microseconds)
        // Start the next task before reporting, so the slot is idle as briefly as possible.
        if !completions.isEmpty, acceptsWork { try startQueued() }
        for completion in completions { try report(completion) }
        if !completions.isEmpty { prepareNext() }
        if phase == .leaving, executor.running.isEmpty { try finish() }
        return !completions.isEmpty
    }
}
