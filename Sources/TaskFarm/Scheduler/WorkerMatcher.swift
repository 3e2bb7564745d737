import JobSpec

/// Matchmaking between tasks and workers, HTCondor's way: a task goes only to a worker
/// whose ad (``WorkerAd/classAd``) satisfies the task's `requirements`, has the memory the
/// task requests (`request_memory` ≤ `Memory`) and the disk (`request_disk` ≤ `Disk`, when
/// the worker knows its disk); among those the highest `rank` wins.
///
/// Tasks that ask for nothing are never looked at again: a job is reduced to its distinct
/// sets of needs (an HTCondor cluster usually has one), each expression is parsed once,
/// and each (needs, worker) answer and rank is computed once, since worker ads do not change.
///
/// Source: HTCondor manual, "Matchmaking with ClassAds", `condor_q -better-analyze`.
final class WorkerMatcher {
    /// What a task asks of a worker.
    struct Needs: Hashable {
        var requirements: String?
        var rank: String?
        var memoryMiB: Int?
        var diskKiB: Int?
        var slots: Int
        var gpus: Int?
        /// The task's own ad (`My.`): `RequestCpus`, `RequestMemory`, `RequestDisk`, `RequestGPUs` and `+Name` attributes.
        var my: [String: String]

        init?(_ task: TaskSpec) {
            guard task.requirements != nil || task.rank != nil || task.memoryMiB != nil || task.diskKiB != nil else {
                return nil
            }
            requirements = task.requirements
            rank = task.rank
            memoryMiB = task.memoryMiB
            diskKiB = task.diskKiB
            slots = task.slots
            gpus = task.gpus
            my = task.attributes.filter { $0.key.hasPrefix("classad.") }
        }
    }

    /// One distinct set of needs, compiled.
    final class Compiled {
        let needs: Needs
        let requirements: ClassAdExpression?
        let rank: ClassAdExpression?
        let my: ClassAd
        var answers: [Int: Bool] = [:]
        var ranks: [Int: Double] = [:]

        init(_ needs: Needs, file: String) {
            self.needs = needs
            let location = SourceLocation(file: file, line: 0)
            requirements = needs.requirements.flatMap { try? ClassAdExpression(parsing: $0, location: location) }
            rank = needs.rank.flatMap { try? ClassAdExpression(parsing: $0, location: location) }
            var my: ClassAd = ["RequestCpus": .integer(needs.slots)]
            if let memory = needs.memoryMiB { my["RequestMemory"] = .integer(memory) }
            if let disk = needs.diskKiB { my["RequestDisk"] = .integer(disk) }
            if let gpus = needs.gpus { my["RequestGPUs"] = .integer(gpus) }
            for (key, text) in needs.my {
                let value = (try? ClassAdExpression(parsing: text, location: location))?.evaluate([:]) ?? .string(text)
                my[String(key.dropFirst("classad.".count))] = value
            }
            self.my = my
        }

        /// Why `worker` does not suit these needs; empty when it does.
        func unmet(_ worker: WorkerAd) -> [String] {
            let ad = worker.classAd
            var reasons = requirements?.unmetClauses(ad, my: my) ?? []
            let memory = worker.memoryBytes / (1024 * 1024)
            if let wanted = needs.memoryMiB, wanted > memory {
                reasons.append("request_memory \(wanted) MiB > Memory \(memory) MiB")
            }
            if needs.slots > worker.slots {
                reasons.append("request_cpus \(needs.slots) > Cpus \(worker.slots)")
            }
            if let wanted = needs.diskKiB, worker.diskKiB > 0, wanted > worker.diskKiB {
                reasons.append("request_disk \(wanted) KiB > Disk \(worker.diskKiB) KiB")
            }
            return reasons
        }

        func rankValue(_ worker: WorkerAd) -> Double {
            if let known = ranks[worker.rank] { return known }
            let value = rank?.rankValue(worker.classAd, my: my) ?? 0
            ranks[worker.rank] = value
            return value
        }

        func matches(_ worker: WorkerAd) -> Bool {
            if let known = answers[worker.rank] { return known }
            let answer = unmet(worker).isEmpty
            answers[worker.rank] = answer
            return answer
        }
    }

    private let job: any Job
    /// The index into `compiled` of each task's needs (-1: asks nothing), filled as far as
    /// tasks have been looked at; `nil` when every task shares `compiled[0]` (an array script).
    private var perTask: [Int32]?
    private var indexByNeeds: [Needs: Int] = [:]
    private var compiled: [Compiled] = []
    private var anyRank = false

    /// Whether any task has a `rank` expression; otherwise placement ignores ranks. Tasks
    /// a growing job gained since the last question are looked at first.
    var hasRank: Bool {
        if perTask != nil, job.taskCount > 0 { _ = needsIndex(job.taskCount - 1) }
        return anyRank
    }

    private init(job: any Job) {
        self.job = job
    }

    /// A matcher for `job`, or `nil` when no task asks anything of a worker (then the
    /// scheduler's plain path runs untouched). Task lists never ask; an array script's
    /// elements all share one script's requests; a served queue's tasks are looked at as
    /// they come; a submit description knows from its first expansion; other jobs are
    /// scanned once.
    static func make(for job: any Job) -> WorkerMatcher? {
        if job is TaskList { return nil }
        if job is QueueJob { return WorkerMatcher(job: job).growing() }
        if job.taskCount == 0 { return nil }
        if let submit = job as? SubmitJob, !submit.asksOfWorkers { return nil }
        let matcher = WorkerMatcher(job: job)
        if job is ArrayJob {
            guard let needs = Needs(job.task(at: 0)) else { return nil }
            matcher.compile(needs)
            return matcher
        }
        _ = matcher.growing().needsIndex(job.taskCount - 1)
        return matcher.compiled.isEmpty ? nil : matcher
    }

    private func growing() -> WorkerMatcher {
        perTask = []
        return self
    }

    @discardableResult
    private func compile(_ needs: Needs) -> Int {
        if let known = indexByNeeds[needs] { return known }
        let entry = Compiled(needs, file: job.file)
        compiled.append(entry)
        anyRank = anyRank || entry.rank != nil
        indexByNeeds[needs] = compiled.count - 1
        return compiled.count - 1
    }

    /// The index of the task's needs in `compiled`, or -1 when it asks nothing.
    private func needsIndex(_ position: Int) -> Int {
        guard var known = perTask else { return 0 }
        if position < known.count { return Int(known[position]) }
        perTask = nil  // no copy while it grows
        while known.count <= position {
            known.append(Needs(job.task(at: known.count)).map { Int32(compile($0)) } ?? -1)
        }
        perTask = known
        return Int(known[position])
    }

    /// Whether `worker` suits the task at `position`.
    func matches(_ position: Int, _ worker: WorkerAd) -> Bool {
        let index = needsIndex(position)
        return index < 0 || compiled[index].matches(worker)
    }

    /// The task's `rank` of `worker` (0 without a rank expression), as the negotiator ranks.
    func rank(_ position: Int, _ worker: WorkerAd) -> Double {
        let index = needsIndex(position)
        return index < 0 ? 0 : compiled[index].rankValue(worker)
    }

    /// Why no worker of `workers` can run the task, the way `condor_q -better-analyze`
    /// explains it: each unmet condition with how many workers fail it.
    func whyUnmatched(_ position: Int, workers: [WorkerAd]) -> String {
        let index = needsIndex(position)
        guard index >= 0 else { return "no worker has its slots" }
        let entry = compiled[index]
        var order: [String] = []
        var failing: [String: Int] = [:]
        for worker in workers {
            for reason in entry.unmet(worker) {
                if failing[reason] == nil { order.append(reason) }
                failing[reason, default: 0] += 1
            }
        }
        let conditions = order.map { "\($0) on \(failing[$0]!) of \(workers.count) worker(s)" }
        var text = "no worker matches it"
        if let requirements = entry.needs.requirements { text += " (requirements: \(requirements))" }
        if !conditions.isEmpty { text += "; " + conditions.joined(separator: "; ") }
        if let worker = workers.first {
            let ad = worker.classAd
            let facts = ["Machine", "Cpus", "Memory", "Disk", "Arch", "OpSys"].map { "\($0) = \(ad[$0]!)" }
            text += "; worker \(worker.rank) offers " + facts.joined(separator: ", ")
        }
        return text
    }

    /// The positions of pending tasks that no worker of `workers` can ever run, with why.
    /// Checked once when the workers are known, so such tasks are reported at once
    /// instead of when they reach the head of the queue.
    func unmatchable(workers: [WorkerAd], taskCount: Int, isPending: (Int) -> Bool) -> [(position: Int, reason: String)] {
        if taskCount > 0 { _ = needsIndex(taskCount - 1) }  // every task's needs compiled
        let hopeless = compiled.indices.filter { index in !workers.contains { compiled[index].matches($0) } }
        guard !hopeless.isEmpty else { return [] }
        let set = Set(hopeless)
        var result: [(position: Int, reason: String)] = []
        for position in 0..<taskCount where set.contains(needsIndex(position)) && isPending(position) {
            result.append((position, whyUnmatched(position, workers: workers)))
        }
        return result
    }
}
