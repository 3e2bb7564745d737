import Foundation
import JobSpec

/// The broker of a served farm, on rank 0: it takes clients' submit, wait, status, cancel
/// and shutdown requests, journals every submission before answering, and applies the
/// `--after` rule (``QueueDependencies``) as tasks end. It hears of every end as one of the
/// scheduler's recorders, and acts on them in ``step()``, outside the scheduler's calls.
final class QueueBroker: RunRecorder {
    /// The attribute that keeps a task's `--after` parents in its journaled ``TaskSpec``.
    static let afterAttribute = "queue.after"

    private let job: QueueJob
    private let journal: JournalWriter
    private let folder: StateFolder
    private var scheduler: Scheduler!
    private var dependencies = QueueDependencies()
    /// Final ends not yet acted on.
    private var unprocessedEnds: [(position: Int, state: TaskState)] = []
    /// How each ended task ended, for `wait`.
    private var lastEnds: [Int: TaskResult] = [:]
    private var waits: [(ids: [Int], call: ClientCall)] = []
    /// Held or cancelled-at-restart tasks found by ``restore(core:replay:)``.
    private var restoredCancels: [(position: Int, reason: String)] = []
    /// Whether a client asked the farm to end (its exit status is then 0).
    private(set) var shutdownRequested = false

    init(job: QueueJob, journal: JournalWriter, folder: StateFolder) {
        self.job = job
        self.journal = journal
        self.folder = folder
    }

    /// Applies `--after` to the tasks a restarted farm replayed: unfinished tasks whose
    /// parents have not all succeeded are held again (or cancelled, if a parent failed).
    func restore(core: inout SchedulerCore, replay: JournalReplay) {
        for (position, end) in replay.lastEnds where core.states[position].isFinal {
            lastEnds[position] = TaskResult(id: position, state: end.state.description, exitCode: end.exitCode,
                                            signal: end.signal, message: end.message)
        }
        for position in 0..<job.taskCount where core.states[position] == .pending {
            let states = core.states
            switch dependencies.admit(position, parents: Self.parents(of: job.task(at: position)), stateOf: { states[$0] }) {
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

    static func parents(of task: TaskSpec) -> [Int] {
        (task.attributes[afterAttribute] ?? "").split(separator: ",").compactMap { Int($0) }
    }

    // MARK: Requests

    /// Serves one request; answers at once except `wait`, which answers when its tasks end.
    func serve(_ call: ClientCall) throws {
        let request = call.request
        switch request.operation {
        case .submit:
            call.connection.respond(try submit(request.tasks ?? [], id: request.id))
        case .wait:
            let ids = request.ids ?? []
            if let bad = ids.first(where: { $0 < 0 || $0 >= job.taskCount }) {
                call.connection.respond(ClientResponse(id: request.id, error: "no task \(bad): the queue has tasks 0 to \(job.taskCount - 1)"))
            } else {
                waits.append((ids, call))
                answerWaits()
            }
        case .status:
            journal.flush()
            do {
                var report = try StatusReport(stateFolder: folder.path)
                report.workers = scheduler.workerAds
                call.connection.respond(ClientResponse(id: request.id, text: request.json == true ? report.json : report.text))
            } catch {
                call.connection.respond(ClientResponse(id: request.id, error: "\(error)"))
            }
        case .cancel:
            call.connection.respond(try cancel(request.ids ?? [], id: request.id))
        case .shutdown:
            shutdownRequested = true
            let drain = request.drain == true
            call.connection.respond(ClientResponse(id: request.id, text: drain ? "draining: running tasks finish, then the farm ends"
                                                                          : "shutting down: running tasks are stopped"))
            try scheduler.shutdown(drain: drain, because: "shutdown requested by a client\(drain ? " (drain)" : "")")
        case .call:
            call.connection.respond(ClientResponse(id: request.id, error: "this farm runs command tasks and offers no Swift services"))
        case .broker, .lookup, .list, .register, .unregister:
            call.connection.respond(ClientResponse(id: request.id, error: "this is the broker; ask the name server (the connection file's address) for names"))
        }
    }

    /// Queues `tasks` as one array: journaled (durably) before their ids are answered.
    private func submit(_ tasks: [SubmittedTask], id: Int) throws -> ClientResponse {
        guard !shutdownRequested, scheduler.isAcceptingWork else {
            return ClientResponse(id: id, error: "the farm is shutting down and takes no new tasks")
        }
        let first = job.taskCount
        for task in tasks {
            if let bad = task.after.first(where: { $0 < 0 || $0 >= first }) {
                return ClientResponse(id: id, error: "--after \(bad): no such task (the queue has \(first) task\(first == 1 ? "" : "s"))")
            }
        }
        var admissions: [QueueDependencies.Admission] = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for (offset, submitted) in tasks.enumerated() {
            var spec = submitted.spec
            if !submitted.after.isEmpty { spec.attributes[Self.afterAttribute] = submitted.after.map(String.init).joined(separator: ",") }
            if let name = submitted.name { spec.label = name }
            let position = job.append(spec)
            let json = String(decoding: try encoder.encode(job.task(at: position)), as: UTF8.self)
            journal.append(.submitted(position: position, task: json))
            admissions.append(dependencies.admit(first + offset, parents: submitted.after, stateOf: scheduler.state(of:)))
        }
        journal.flush()
        if let error = journal.writeError { return ClientResponse(id: id, error: error) }
        let positions = try scheduler.appendTasks(count: tasks.count) { admissions[$0 - first] != .ready }
        for (offset, admission) in admissions.enumerated() {
            if case .cancelled(let reason) = admission { _ = try scheduler.cancel(first + offset, reason: reason) }
        }
        return ClientResponse(id: id, ids: Array(positions))
    }

    private func cancel(_ ids: [Int], id: Int) throws -> ClientResponse {
        var cancelled: [Int] = []
        var notes: [String] = []
        for task in ids {
            guard task >= 0, task < job.taskCount else {
                notes.append("no task \(task)")
                continue
            }
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

    func taskEnded(position: Int, state: TaskState, completion: TaskCompletion) {
        guard state.isFinal else { return }
        lastEnds[position] = TaskResult(id: position, state: state.description, exitCode: completion.exitCode,
                                        signal: completion.signal, message: completion.message)
        unprocessedEnds.append((position, state))
    }

    func taskUnrunnable(position: Int, reason: String) {
        lastEnds[position] = TaskResult(id: position, state: TaskState.failed.description, message: reason)
        unprocessedEnds.append((position, .failed))
    }

    /// Releases and cancels the children of tasks that ended, and answers waits; returns
    /// whether anything happened.
    func step() throws -> Bool {
        guard !unprocessedEnds.isEmpty else { return false }
        while !unprocessedEnds.isEmpty {
            let ends = unprocessedEnds
            unprocessedEnds.removeAll()
            for end in ends {
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

    /// The farm stopped: waits still open are answered with why.
    func farmStopped() {
        for wait in waits {
            let open = wait.ids.filter { !scheduler.state(of: $0).isFinal }
            wait.call.connection.respond(ClientResponse(id: wait.call.request.id,
                error: "the farm stopped before task\(open.count == 1 ? "" : "s") \(open.map(String.init).joined(separator: ", ")) ended; they run when it is served again from the same state folder"))
        }
        waits.removeAll()
    }
}
