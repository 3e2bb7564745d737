import Foundation
import JobSpec

/// The broker of a served farm, on rank 0: it takes clients' submit, wait, status, cancel
/// and shutdown requests, journals every submission before answering, and applies the
/// `--after` rule (``QueueDependencies``) as tasks end. It drives the scheduler and is never
/// called by it: it reads the ends from its ``TaskEndInbox`` (one of the scheduler's
/// recorders) in ``step()``.
final class QueueBroker {
    /// The attribute that keeps a task's `--after` (`afterok`) parents in its journaled ``TaskSpec``.
    static let afterAttribute = "queue.after"
    /// The attribute of each dependency condition: `queue.after` (`afterok`),
    /// `queue.afterany`, `queue.afternotok`.
    static func attribute(of condition: QueueDependencies.Condition) -> String {
        condition == .ok ? afterAttribute : "queue.\(condition.rawValue)"
    }
    /// Attributes under this prefix are the broker's own; a submission may not set them.
    static let reservedAttributePrefix = "queue."

    private let job: QueueJob
    private let journal: JournalWriter
    private let folder: StateFolder
    private let status: QueueStatus
    private var scheduler: Scheduler!
    private var dependencies = QueueDependencies()
    /// The tasks' ends, written by the scheduler; hand it to the scheduler as a recorder.
    let inbox = TaskEndInbox()
    /// How each ended task ended, for `wait`.
    private var lastEnds: [Int: TaskResult] = [:]
    private var waits: [(ids: [Int], call: ClientCall)] = []
    /// Held or cancelled-at-restart tasks found by ``restore(core:replay:)``.
    private var restoredCancels: [(position: Int, reason: String)] = []
    /// Whether a client asked the farm to end (its exit status is then 0).
    private(set) var shutdownRequested = false

    init(job: QueueJob, journal: JournalWriter, folder: StateFolder, status: QueueStatus) {
        self.job = job
        self.journal = journal
        self.folder = folder
        self.status = status
    }

    /// Applies `--after` to the tasks a restarted farm replayed: unfinished tasks whose
    /// parents have not all succeeded are held again (or cancelled, if a parent failed). A
    /// journaled task whose parents are not earlier tasks (written before submissions were
    /// checked) is cancelled with the reason, and `warn` is told, naming the record.
    func restore(core: inout SchedulerCore, replay: JournalReplay, warn: (String) -> Void = { _ in }) {
        for (position, end) in replay.lastEnds where core.states.indices.contains(position) && core.states[position].isFinal {
            lastEnds[position] = TaskResult(id: position, state: end.state.description, exitCode: end.exitCode,
                                            signal: end.signal, message: end.message)
        }
        for position in 0..<job.taskCount where core.states[position] == .pending {
            // Journaled before submissions were range-checked: it is never handed to a worker.
            if let problem = FarmLimits.problem(in: job.task(at: position)) {
                warn("\(folder.journalFile): the task submitted at position \(position) is not run: it has \(problem)")
                restoredCancels.append((position, "not run: the journaled task has \(problem)"))
                continue
            }
            if let problem = Self.parentsProblem(of: job.task(at: position), at: position) {
                warn("\(folder.journalFile): the task submitted at position \(position) is not run: \(problem)")
                restoredCancels.append((position, "not run: the journaled task's \(problem)"))
                continue
            }
            let states = core.states
            switch dependencies.admit(position, requiring: Self.parents(of: job.task(at: position)), stateOf: { states[$0] }) {
            case .ready: break
            case .held: core.hold(position)
            case .cancelled(let reason): restoredCancels.append((position, reason))
            }
        }
    }

    /// Connects the scheduler, once it exists, and cancels what the restore found cancelled.
    func attach(_ scheduler: Scheduler) throws {
        self.scheduler = scheduler
        for (position, reason) in restoredCancels { _ = try scheduler.cancel(position, reason: reason) }
        restoredCancels = []
    }

    static func parents(of task: TaskSpec) -> [QueueDependencies.Parent] {
        QueueDependencies.Condition.allCases.flatMap { condition in
            (task.attributes[attribute(of: condition)] ?? "").split(separator: ",").compactMap { Int($0) }
                .map { QueueDependencies.Parent(id: $0, condition: condition) }
        }
    }

    /// Why a submitted task cannot be queued, in words, or `nil`: it sets an attribute the
    /// broker keeps for itself (`queue.*`: a `queue.after` of a task that does not exist
    /// crashed every later serve), or its requirements or rank is not a ClassAd expression
    /// (it would be ignored, not applied).
    static func submissionProblem(_ spec: TaskSpec) -> String? {
        if let key = spec.attributes.keys.sorted().first(where: { $0.hasPrefix(reservedAttributePrefix) }) {
            return "attribute '\(key.prefix(100))' is reserved for the farm (\(reservedAttributePrefix)*); use --after for dependencies"
        }
        for (name, text) in [("requirements", spec.requirements), ("rank", spec.rank)] {
            guard let text else { continue }
            do {
                _ = try ClassAdExpression(parsing: text, location: spec.source)
            } catch {
                return "\(name) is not a ClassAd expression: \(error)"
            }
        }
        return nil
    }

    /// Why the `--after` parents journaled with `task`, at `position`, cannot be applied
    /// (one is not a task id, or not an earlier task), in words naming the attribute; `nil`
    /// when they can.
    static func parentsProblem(of task: TaskSpec, at position: Int) -> String? {
        for condition in QueueDependencies.Condition.allCases {
            let name = attribute(of: condition)
            guard let text = task.attributes[name] else { continue }
            for field in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let parent = Int(field), parent >= 0, parent < position else {
                    return "\(name) '\(text.prefix(100))' names '\(field.prefix(40))', which is not an earlier task (0 to \(position - 1))"
                }
            }
        }
        return nil
    }

    // MARK: Requests

    /// Serves one request; answers at once except `wait`, which answers when its tasks end.
    func serve(_ call: ClientCall) throws {
        let request = call.request
        switch request.operation {
        case .submit:
            call.connection.respond(try submit(request.tasks ?? [], expectedFirst: request.expectedFirst, id: request.id))
        case .wait:
            let ids = request.ids ?? []
            if let refusal = unknownIDs(ids, request: request.id) {
                call.connection.respond(refusal)
            } else {
                waits.append((ids, call))
                answerWaits()
            }
        case .status:
            // Kept up to date as tasks change: answering costs what it lists, not the queue.
            let report = status.report(workers: scheduler.workerAds)
            call.connection.respond(ClientResponse(id: request.id, text: request.json == true ? report.json : report.text))
        case .cancel:
            call.connection.respond(try cancel(request.ids ?? [], id: request.id))
        case .shutdown:
            shutdownRequested = true
            let drain = request.drain == true
            call.connection.respond(ClientResponse(id: request.id, text: drain ? "draining: running tasks finish, then the farm ends"
                                                                          : "shutting down: running tasks are stopped"))
            try scheduler.shutdown(drain: drain, because: "shutdown requested by a client\(drain ? " (drain)" : "")")
        case .tasks:
            call.connection.respond(tasks(request))
        case .stateFolder:
            journal.flush()
            call.connection.respond(ClientResponse(id: request.id, text: folder.path))
        case .call:
            call.connection.respond(ClientResponse(id: request.id, error: "this farm runs command tasks and offers no Swift services",
                                                   errorKind: .unavailable))
        case .broker, .lookup, .list, .register, .unregister:
            call.connection.respond(ClientResponse(id: request.id, error: "this is the broker; ask the name server (the connection file's address) for names"))
        }
    }

    /// Queues `tasks` as one array: journaled (durably) before their ids are answered.
    private func submit(_ tasks: [SubmittedTask], expectedFirst: Int?, id: Int) throws -> ClientResponse {
        guard !shutdownRequested, scheduler.isAcceptingWork else {
            return ClientResponse(id: id, error: "the farm is shutting down and takes no new tasks", errorKind: .unavailable)
        }
        let first = job.taskCount
        if let expected = expectedFirst, expected != first {
            return ClientResponse(id: id, error: "the queue moved on: the next task is \(first), not \(expected); submit again",
                                  errorKind: .tryLater, nextID: first)
        }
        for (offset, task) in tasks.enumerated() {
            if let problem = FarmLimits.problem(in: task.spec) {
                return ClientResponse(id: id, error: "task \(offset + 1) of the submission: \(problem)",
                                      errorKind: .invalid)
            }
            // A parent is a task already queued, or an earlier task of this submission (a DAG's).
            if let bad = task.parents.map(\.id).first(where: { $0 < 0 || $0 >= first + offset }) {
                return ClientResponse(id: id, error: "--after \(bad): no such task (the queue has \(first) task\(first == 1 ? "" : "s"))",
                                      errorKind: .invalid)
            }
            if let problem = Self.submissionProblem(task.spec) {
                return ClientResponse(id: id, error: "task \(offset + 1) of the submission: \(problem)", errorKind: .invalid)
            }
        }
        var admissions: [QueueDependencies.Admission] = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for (offset, submitted) in tasks.enumerated() {
            var spec = submitted.spec
            for condition in QueueDependencies.Condition.allCases {
                let ids = submitted.parents.filter { $0.condition == condition }.map { String($0.id) }
                if !ids.isEmpty { spec.attributes[Self.attribute(of: condition)] = ids.joined(separator: ",") }
            }
            if let name = submitted.name { spec.label = name }
            let position = job.append(spec)
            let json = String(decoding: try encoder.encode(job.task(at: position)), as: UTF8.self)
            journal.append(.submitted(position: position, task: json))
            let scheduler = scheduler!
            admissions.append(dependencies.admit(first + offset, requiring: submitted.parents,
                                                 stateOf: { $0 >= first ? .pending : scheduler.state(of: $0) }))
        }
        journal.flush()
        if let error = journal.writeError { return ClientResponse(id: id, error: error) }
        status.appended(count: tasks.count)
        let positions = try scheduler.appendTasks(count: tasks.count) { admissions[$0 - first] != .ready }
        for (offset, admission) in admissions.enumerated() {
            if case .cancelled(let reason) = admission { _ = try scheduler.cancel(first + offset, reason: reason) }
        }
        return ClientResponse(id: id, ids: Array(positions))
    }

    /// The tasks asked for (every task without ids), with the next id and the workers' ads.
    private func tasks(_ request: ClientRequest) -> ClientResponse {
        let ids = request.ids ?? Array(0..<job.taskCount)
        if let refusal = unknownIDs(ids, request: request.id) { return refusal }
        let workers = scheduler.workerAds
        let now = Clock.epochSeconds()
        let listed = ids.map { position in
            var task = QueuedTask(id: position, spec: job.task(at: position), state: scheduler.state(of: position),
                                  worker: scheduler.worker(running: position), end: lastEnds[position])
            if scheduler.isHeld(position) { task.state = "held" }
            if let start = status.startTime(of: position) { task.runSeconds = max(0, now - start) }
            if task.state == "held" || task.state == "pending" {
                task.waitingFor = dependencies.openParents(of: position)
                if request.analyze == true {
                    task.analysis = QueuedTask.analysis(of: job.task(at: position), held: task.state == "held",
                                                        waitingFor: task.waitingFor ?? [], workers: workers)
                }
            }
            return task
        }
        return ClientResponse(id: request.id, tasks: listed, nextID: job.taskCount,
                              machines: workers.map { ad in ad.classAd.mapValues { "\($0)" } })
    }

    /// The refusal (``ClientError/Kind/invalid``, 65) of a request naming ids the queue does
    /// not have, all of them in ranges; `nil` when every id is known. A request with an
    /// unknown id does nothing at all, so that nothing is left half-done.
    private func unknownIDs(_ ids: [Int], request: Int) -> ClientResponse? {
        let unknown = ids.filter { $0 < 0 || $0 >= job.taskCount }
        guard !unknown.isEmpty else { return nil }
        let known = job.taskCount == 0 ? "the queue has no tasks yet" : "the queue has tasks 0 to \(job.taskCount - 1)"
        let names = IDRanges.format(Array(Set(unknown)).sorted())
        return ClientResponse(id: request, error: "no task \(names): \(known)", errorKind: .invalid)
    }

    private func cancel(_ ids: [Int], id: Int) throws -> ClientResponse {
        if let refusal = unknownIDs(ids, request: id) { return refusal }
        var cancelled: [Int] = []
        var notes: [String] = []
        for task in ids {
            dependencies.forget(task)
            if try scheduler.cancel(task, reason: "cancelled by a client (taskfarm cancel)") {
                cancelled.append(task)
            } else {
                notes.append("task \(task) already \(scheduler.state(of: task))")
            }
        }
        return ClientResponse(id: id, text: notes.isEmpty ? nil : notes.joined(separator: "; "), ids: cancelled)
    }

    // MARK: Ends

    /// Releases and cancels the children of tasks that ended, and answers waits; returns
    /// whether anything happened.
    func step() throws -> Bool {
        guard !inbox.isEmpty else { return false }
        while !inbox.isEmpty {
            for end in inbox.take() where end.state.isFinal {
                record(end)
                let (released, cancelled) = dependencies.ended(end.position, state: end.state)
                for child in released { try scheduler.release(child) }
                for (child, reason) in cancelled { _ = try scheduler.cancel(child, reason: reason) }
            }
        }
        answerWaits()
        return true
    }

    private func answerWaits() {
        waits.removeAll { wait in
            guard wait.ids.allSatisfy({ scheduler.state(of: $0).isFinal }) else { return false }
            let results = wait.ids.map { lastEnds[$0] ?? TaskResult(id: $0, state: scheduler.state(of: $0).description) }
            wait.call.connection.respond(ClientResponse(id: wait.call.request.id, results: results))
            return true
        }
    }

    /// Keeps `end` as its task's result, for `wait`.
    private func record(_ end: TaskEndInbox.End) {
        let completion = end.completion
        lastEnds[end.position] = TaskResult(id: end.position, state: end.state.description,
                                            exitCode: completion?.exitCode, signal: completion?.signal,
                                            message: completion?.message ?? end.unrunnable)
    }

    /// The farm stopped: waits on tasks that all ended (a drain lets running tasks finish,
    /// and their ends may not have been stepped through yet) get their results; the others
    /// are answered with why.
    func farmStopped() {
        for end in inbox.take() where end.state.isFinal { record(end) }
        answerWaits()
        for wait in waits {
            let open = wait.ids.filter { !scheduler.state(of: $0).isFinal }
            wait.call.connection.respond(ClientResponse(id: wait.call.request.id,
                error: "the farm stopped before task\(open.count == 1 ? "" : "s") \(open.map(String.init).joined(separator: ", ")) ended; they run when it is served again from the same state folder",
                errorKind: .unavailable))
        }
        waits.removeAll()
    }
}
