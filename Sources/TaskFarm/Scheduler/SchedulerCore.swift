import JobSpec

/// The scheduler's decisions, free of MPI, processes and files: which task goes to which
/// worker, what a completion means (success, retry, final failure), when the run is over.
///
/// The caller feeds it workers and completions and carries out the ``Decision``s it
/// returns. Everything it does per task is O(1) amortised or O(log workers): placement
/// takes the best candidates from indexes of the pools, workers and queued tasks (see
/// ``IndexedHeap``) rather than scanning every worker, unless tasks rank workers (HTCondor
/// `rank`) or some task does not match every worker; those jobs are placed by a scan.
public struct SchedulerCore {
    /// A decision for the caller to carry out.
    public enum Decision: Equatable {
        /// Send attempt `attempt` of the task at `position` to worker `worker`.
        case assign(position: Int, attempt: Int, worker: Int)
        /// The task reached a final state with this completion (its last attempt).
        case finished(position: Int, state: TaskState, completion: TaskCompletion)
        /// The attempt failed and the task is queued again.
        case retrying(position: Int, completion: TaskCompletion)
        /// The task can never run: no worker can give it what it asks for.
        case unrunnable(position: Int, reason: String)
        /// Ask `worker` to give back the task at `position` if it has not started: another
        /// worker is idle and nothing else is ready (tail rebalancing of prefetched tasks).
        case revoke(position: Int, worker: Int)
        /// A worker gave the task back before it started: attempt `attempt` did not happen,
        /// and the task is pending again.
        case returned(position: Int, attempt: Int)
    }

    /// A worker as the core sees it.
    struct WorkerSlots {
        /// The ad with its host's pool filled in (`slots` the pool's cores, the pool's GPUs
        /// and memory): what matchmaking and the recorders see.
        var ad: WorkerAd
        /// The ad as the worker registered it, for merging its host's pool.
        var registered: WorkerAd
        /// Its host's pool, as an index into `pools`.
        var pool: Int
        /// When it was first added, counting from 0: its place in `workerOrder`, which breaks
        /// ties between workers as the scans in that order did.
        var sequence: Int
        /// Positions handed to the worker and not ended, oldest first.
        var positions: [Int] = []
    }

    struct InFlight {
        var worker: Int
        var attempt: Int
        /// When it was handed out, counting from 0: its place among its worker's `positions`.
        var order: Int
        /// Whether the worker reported that it started (a prefetched task waits in its queue).
        var started = false
        /// What the task asked for, and the CPUs, GPUs and memory it holds or will hold.
        var request: ResourceRequest
        var grant: ResourceGrant
        /// The task on the same worker whose grant this one takes over when it ends (a
        /// prefetched task), or `nil` when it holds its grant from the pool itself.
        var follows: Int?
        /// The task that takes over this one's grant when it ends.
        var followedBy: Int?
        /// Tasks ahead of it in its chain (0: it holds its grant itself).
        var depth = 0
    }

    /// The task that could not start when it reached the head of the queue, and the host
    /// kept for it: no other task starts there (or queues there behind a running one) until
    /// it has started, so a stream of small tasks cannot starve it (see docs/resources.md).
    struct Reservation: Equatable {
        var position: Int
        var host: String
    }

    /// Tasks known: the job's, plus any appended at run time (``appendTasks(count:)``).
    public private(set) var taskCount: Int
    /// The retries, prefetch and throttle the scheduler was made with.
    public private(set) var policy: SchedulerPolicy
    /// What each task needs of a worker, and which workers it prefers.
    private let placement: any Placement

    /// One byte per task.
    public internal(set) var states: [TaskState]
    /// Attempts made so far, per task (see ``AttemptCount``).
    public private(set) var attempts: [AttemptCount]
    /// Attempts made before this run (a resume), so the retry budget counts this run's only.
    private let earlierAttempts: [AttemptCount]
    private var workers = RankTable<WorkerSlots>()
    private var workerOrder: [Int] = []
    /// The `sequence` of the next worker added.
    private var nextWorkerSequence = 0
    /// The ranks of each pool's workers, by `sequence`.
    private var poolWorkers: [[Int]] = []
    /// The `order` of the next task handed out.
    private var nextHandOut = 0
    /// The indexes that spare placement a scan of every worker (issue 18), kept in step with
    /// `workers`, `pools` and `inFlight` wherever a task is handed out, starts or ends. The
    /// pools that have workers, by (most free cores, then their worker with the fewest tasks,
    /// then the earliest added worker): ``pickStartingWorker(for:_:avoiding:)``'s order.
    private var poolsByRoom = IndexedHeap<TripleKey>()
    /// Each pool's workers by (fewest tasks, earliest added).
    private var workersByLoad: [IndexedHeap<TripleKey>] = []
    /// The tasks in flight that another may queue behind (last of their chain, fewer than
    /// `prefetchPerSlot` ahead of them), by (shallowest, earliest added worker, oldest):
    /// ``pickFollowedTask(for:_:avoiding:)``'s order.
    private var followable = IndexedHeap<TripleKey>()
    /// The queued tasks that may be asked back (not started, not asked back already), by
    /// (earliest added worker, newest): ``rebalance()``'s order.
    private var revocable = IndexedHeap<TripleKey>()
    /// Set by tests: place by scanning every worker, as the indexes replace, so that a test
    /// can check that both choose alike.
    var scansEveryWorker = false
    /// Ranks that run no task but whose CPUs belong to their host's pool (rank 0), by host.
    private var cpuContributors: [String: [WorkerAd]] = [:]
    /// Each host's pool of cores, GPUs and memory, in the order hosts were first seen.
    private(set) var pools: [HostPool] = []
    /// The index into `pools` of each host's pool, by host name.
    private var poolIndex: [String: Int] = [:]
    var inFlight: [Int: InFlight] = [:]
    /// The head of the queue that waits for room, with its host (anti-starvation).
    private(set) var reservation: Reservation?
    private var cursor = 0
    private var retryQueue: [Int] = []
    private var retryHead = 0
    private var dispatching = true
    private var runningTasks = 0
    /// Positions asked back from a worker and not yet answered.
    private var revoking = Set<Int>()
    /// Set by ``useExternalFeed()``: positions come from ``enqueue(positions:)``, not the cursor.
    var feed: ExternalFeed?
    /// Appended tasks waiting for ``release(_:)`` (a queue's `--after`); empty for fixed jobs.
    private var heldTasks = Set<Int>()
    /// Started attempts lost with their worker, by position: not failed attempts, so they
    /// do not use up retries; see ``loseWorker(_:crashLimit:reason:)``.
    private var lostAttempts: [Int: Int] = [:]

    /// - Parameters:
    ///   - taskCount: tasks in the job.
    ///   - policy: retries, prefetch and throttle.
    ///   - placement: each task's slots, retries, prerequisites and worker requirements.
    ///   - initialStates: states carried over from a journal (resume), or `nil` for a new run.
    ///   - initialAttempts: attempts carried over likewise, or `nil`.
    public init(taskCount: Int, policy: SchedulerPolicy, placement: any Placement = AnyWorkerPlacement(),
                initialStates: [TaskState]? = nil, initialAttempts: [AttemptCount]? = nil) {
        self.taskCount = taskCount
        self.policy = policy
        self.placement = placement
        self.states = initialStates ?? Array(repeating: .pending, count: taskCount)
        self.attempts = initialAttempts ?? Array(repeating: 0, count: taskCount)
        for index in states.indices where states[index] == .running || states[index] == .interrupted {
            states[index] = .pending
        }
        earlierAttempts = initialAttempts ?? []
    }

    // MARK: Workers

    /// Adds the CPUs of a rank that runs no task (the scheduler's) to its host's pool, once
    /// that host's workers are added: cores the ranks were given are the host's, whichever
    /// rank holds them. Only an ad that lists CPUs counts; call it before ``addWorker(_:)``.
    public mutating func addCPUs(of ad: WorkerAd) {
        guard !ad.cpuIDs.isEmpty else { return }
        var contribution = ad
        contribution.gpuIDs = []
        cpuContributors[ad.host, default: []].append(contribution)
    }

    /// Adds a worker with its ad; it draws on its host's pool, which is merged anew from
    /// the ads of every worker on that host (``HostPool/merging(_:)``) while nothing runs
    /// there.
    public mutating func addWorker(_ ad: WorkerAd) {
        let index = poolIndex[ad.host] ?? pools.count
        if index == pools.count {
            poolIndex[ad.host] = index
            pools.append(HostPool.merging([ad]))
            poolWorkers.append([])
            workersByLoad.append(IndexedHeap())
        }
        let sequence: Int
        if let known = workers[ad.rank] {
            sequence = known.sequence
            if known.pool != index { leavePool(ad.rank, known.pool) }
        } else {
            workerOrder.append(ad.rank)
            sequence = nextWorkerSequence
            nextWorkerSequence += 1
        }
        workers[ad.rank] = WorkerSlots(ad: ad, registered: ad, pool: index, sequence: sequence)
        if !poolWorkers[index].contains(ad.rank) {
            let at = poolWorkers[index].firstIndex { workers[$0]!.sequence > sequence } ?? poolWorkers[index].count
            poolWorkers[index].insert(ad.rank, at: at)
        }
        reindex(worker: ad.rank)
        guard pools[index].free == pools[index].capacity else { return }  // tasks hold some of it
        let onHost = poolWorkers[index]
        let pool = HostPool.merging(onHost.map { workers[$0]!.registered } + cpuContributors[ad.host, default: []])
        pools[index] = pool
        for rank in onHost {
            workers[rank]!.ad.slots = pool.cpus.count
            workers[rank]!.ad.gpuIDs = pool.gpus
            workers[rank]!.ad.memoryBytes = pool.memoryMiB * 1024 * 1024
        }
        reindex(pool: index)
    }

    /// Takes the worker at `rank` out of the pool at `index` (it is lost, or moved host).
    private mutating func leavePool(_ rank: Int, _ index: Int) {
        poolWorkers[index].removeAll { $0 == rank }
        workersByLoad[index].remove(rank)
        reindex(pool: index)
    }

    /// The workers' ads for the records (journal, report, progress), each with `slots` its
    /// share of its host's cores, so that the shares of a host's workers add up to the host's
    /// cores (the first workers get one more where they do not divide evenly).
    public var workerShares: [WorkerAd] {
        var seen: [String: Int] = [:]
        return workerAds.map { ad in
            var share = ad
            let onHost = poolWorkers[workers[ad.rank]!.pool].count
            let index = seen[ad.host, default: 0]
            seen[ad.host] = index + 1
            share.slots = ad.slots / onHost + (index < ad.slots % onHost ? 1 : 0)
            return share
        }
    }

    /// The pool of the host `worker` runs on.
    public func pool(ofWorker worker: Int) -> HostPool? { workers[worker].map { pools[$0.pool] } }

    /// The CPUs, GPUs and memory the task at `position` holds (or will hold once the task
    /// ahead of it on its worker ends), or `nil` when it is not in flight.
    public func grant(of position: Int) -> ResourceGrant? { inFlight[position]?.grant }

    /// The largest amounts each host offers, for refusing requests no host can meet.
    public var hostCapacities: [HostCapacity] {
        pools.sorted { $0.host < $1.host }.map { HostCapacity(host: $0.host, pool: $0.capacity) }
    }

    /// The workers known, in the order they were added: the one home of the worker facts
    /// on rank 0.
    public var workerAds: [WorkerAd] { workerOrder.compactMap { workers[$0]?.ad } }

    /// The ad of the worker at `rank`, or `nil` when no such worker is known.
    public func worker(at rank: Int) -> WorkerAd? { workers[rank]?.ad }

    /// Ends, as never runnable, every pending task that no known worker can run (HTCondor
    /// matchmaking); called once the workers are known.
    public mutating func rejectUnmatchable() -> [Decision] {
        let states = self.states
        return placement.unmatchable(workers: workerAds, taskCount: taskCount, isPending: { states[$0] == .pending })
            .compactMap { reject(position: $0.position, reason: $0.reason) }
    }

    // MARK: Progress

    /// Tasks handed out and not yet ended.
    public var inFlightCount: Int { inFlight.count }

    /// Whether every task has ended (or will not start because dispatch stopped) and
    /// nothing is in flight.
    public mutating func isDone() -> Bool {
        guard inFlight.isEmpty else { return false }
        if !dispatching { return true }
        if let held = reservation, states[held.position] == .pending { return false }
        if let feed, !feed.closed { return false }
        return nextReadyPosition(peekOnly: true) == nil
    }

    /// Stops handing out tasks; running ones finish (drain) or are killed by the caller.
    public mutating func stopDispatching() { dispatching = false }

    /// Whether tasks are still being handed out.
    public var isDispatching: Bool { dispatching }

    /// The positions in flight with their worker ranks.
    public var inFlightTasks: [(position: Int, worker: Int)] { inFlight.map { ($0.key, $0.value.worker) } }

    // MARK: Dispatch

    /// Hands out as many ready tasks as the hosts' pools allow, in queue order:
    /// - a task starts on a worker whose host has its whole request free (cores, memory and
    ///   GPUs), preferring the host with the most free cores;
    /// - otherwise it may wait queued on a worker behind a running task whose grant covers
    ///   it, up to `prefetchPerSlot` deep (prefetch), and takes that grant over when it ends;
    /// - otherwise it takes the reservation: the host with the most free cores among those
    ///   that could ever hold it is kept for it, and tasks behind it start only elsewhere,
    ///   so it starts as soon as that host's running tasks have freed enough (within one
    ///   task length), however many smaller tasks follow it. A task that some task in flight
    ///   holds enough for (the queue is merely full) waits without one: that task's end
    ///   frees enough. One task holds the reservation at a time; behind a task that waits,
    ///   dispatch stops.
    public mutating func dispatch() -> [Decision] {
        var decisions: [Decision] = []
        guard dispatching, !workers.isEmpty else { return decisions }
        if let held = reservation {
            let request = placement.request(of: held.position)
            if states[held.position] != .pending {
                reservation = nil
            } else if !isThrottled, let (worker, grant) = pickStartingWorker(for: held.position, request, avoiding: -1) {
                reservation = nil
                decisions.append(assign(held.position, request, to: worker, grant: grant, follows: nil))
            } else if !canEverRun(held.position, request) {
                reservation = nil
                states[held.position] = .failed
                decisions.append(.unrunnable(position: held.position, reason: whyNeverRuns(held.position, request)))
            } else if poolIndex[held.host].map({ poolWorkers[$0].isEmpty }) ?? true,
                      let host = hostToReserve(for: held.position, request) {
                // The reserved host lost its workers: keep another.
                reservation = Reservation(position: held.position, host: host)
                decisions += revokeQueued(onHost: host)
            }
        }
        while let position = nextReadyPosition(peekOnly: true) {
            if isThrottled { break }
            let request = placement.request(of: position)
            let avoided = reservation.map { poolIndex[$0.host] ?? -1 } ?? -1
            if let (worker, grant) = pickStartingWorker(for: position, request, avoiding: avoided) {
                _ = nextReadyPosition(peekOnly: false)
                decisions.append(assign(position, request, to: worker, grant: grant, follows: nil))
            } else if let (worker, ahead) = pickFollowedTask(for: position, request, avoiding: avoided) {
                _ = nextReadyPosition(peekOnly: false)
                let grant = inFlight[ahead]!.grant.prefix(for: request)
                decisions.append(assign(position, request, to: worker, grant: grant, follows: ahead))
            } else if !canEverRun(position, request) {
                _ = nextReadyPosition(peekOnly: false)
                states[position] = .failed
                decisions.append(.unrunnable(position: position, reason: whyNeverRuns(position, request)))
            } else if reservation == nil, !isCoveredByAGrant(position, request),
                      let host = hostToReserve(for: position, request) {
                _ = nextReadyPosition(peekOnly: false)
                reservation = Reservation(position: position, host: host)
                decisions += revokeQueued(onHost: host)
            } else {
                break
            }
        }
        if reservation == nil, nextReadyPosition(peekOnly: true) == nil { decisions += rebalance() }
        return decisions
    }

    /// Whether `--max-concurrent` (Slurm's `%N`) stops another start.
    private var isThrottled: Bool {
        if let limit = policy.maxConcurrent, runningTasks >= limit { return true }
        return false
    }

    /// Whether a worker that matches the task has a host that could ever hold `request`.
    private func canEverRun(_ position: Int, _ request: ResourceRequest) -> Bool {
        workerOrder.contains { rank in
            let worker = workers[rank]!
            return pools[worker.pool].canEverHold(request) && placement.matches(position, worker.ad)
        }
    }

    /// Why the task can never run: HTCondor's matchmaking explanation when no worker
    /// matches it, otherwise its request against the largest host.
    private func whyNeverRuns(_ position: Int, _ request: ResourceRequest) -> String {
        let matchesSome = workerOrder.contains { placement.matches(position, workers[$0]!.ad) }
        if matchesSome {
            let largest = pools.max { ($0.capacity.cores, $0.capacity.gpus) < ($1.capacity.cores, $1.capacity.gpus) }
            let offer = largest.map { "the largest host, \($0.host), has \($0.capacity.summary)" } ?? "no host is known"
            return "it asks for \(request.summary) on one host and \(offer)"
        }
        return placement.whyUnmatched(position, workers: workerAds)
    }

    /// Records the hand-out of `position` to `worker` with `grant`, taken from the pool or,
    /// with `follows`, from the task it waits behind.
    private mutating func assign(_ position: Int, _ request: ResourceRequest, to worker: Int, grant: ResourceGrant,
                                 follows: Int?) -> Decision {
        let attempt = Int(attempts[position]) + 1
        attempts[position] = AttemptCount(clamping: attempt)
        states[position] = .running
        workers[worker]!.positions.append(position)
        var flight = InFlight(worker: worker, attempt: attempt, order: nextHandOut, request: request, grant: grant)
        nextHandOut += 1
        if let follows {
            flight.follows = follows
            flight.depth = inFlight[follows]!.depth + 1
            inFlight[follows]!.followedBy = position
            reindex(flight: follows)
        }
        inFlight[position] = flight
        reindex(flight: position)
        reindex(worker: worker)
        runningTasks += 1
        return .assign(position: position, attempt: attempt, worker: worker)
    }

    /// The worker whose host can start the task now, its grant taken from that host's
    /// pool: the one the task ranks highest (HTCondor `rank`), then on the host with the
    /// most free cores, then holding the fewest tasks. `avoiding` is the reserved host's
    /// pool (-1: none).
    private mutating func pickStartingWorker(for position: Int, _ request: ResourceRequest,
                                             avoiding avoided: Int) -> (Int, ResourceGrant)? {
        if placesByIndex {
            // The pools in the scan's order; one with fewer free cores than asked for ends the
            // search, with every pool below it (none has more).
            let search = poolsByRoom.first(where: { index, _ in index != avoided && pools[index].fitsNow(request) },
                                           prunes: { -$0.first < request.cores })
            switch search {
            case .found(let index):
                let best = workersByLoad[index].min!.id
                return pools[index].take(request).map { (best, $0) }
            case .none:
                return nil
            case .gaveUp:
                break
            }
        }
        let ranked = placement.ranksWorkers
        var best: Int?
        var bestKey = (rank: -Double.infinity, free: Int.min, load: Int.min)
        for rank in workerOrder {
            let worker = workers[rank]!
            guard worker.pool != avoided, pools[worker.pool].fitsNow(request) else { continue }
            let key = (rank: ranked ? placement.rank(position, worker.ad) : 0, free: pools[worker.pool].free.cores,
                       load: -worker.positions.count)
            guard best == nil || key > bestKey, placement.matches(position, worker.ad) else { continue }
            best = rank
            bestKey = key
        }
        guard let best, let grant = pools[workers[best]!.pool].take(request) else { return nil }
        return (best, grant)
    }

    /// A task in flight that the task may wait behind on its worker (prefetch): the last of
    /// its chain, holding a grant that covers the request, fewer than `prefetchPerSlot`
    /// tasks behind the chain's head; the worker the task ranks highest, then the shortest
    /// such chain, wins. `avoiding` is the reserved host's pool (-1: none).
    private func pickFollowedTask(for position: Int, _ request: ResourceRequest,
                                  avoiding avoided: Int) -> (worker: Int, ahead: Int)? {
        let limit = policy.prefetchPerSlot
        guard limit > 0 else { return nil }
        if placesByIndex {
            let search = followable.first(where: { ahead, _ in
                let flight = inFlight[ahead]!
                return workers[flight.worker]!.pool != avoided && request.fits(in: flight.grant.amounts)
            })
            switch search {
            case .found(let ahead): return (inFlight[ahead]!.worker, ahead)
            case .none: return nil
            case .gaveUp: break
            }
        }
        let ranked = placement.ranksWorkers
        var best: (worker: Int, ahead: Int, key: (rank: Double, shallow: Int))?
        for rank in workerOrder {
            let worker = workers[rank]!
            guard worker.pool != avoided else { continue }
            for ahead in worker.positions {
                let flight = inFlight[ahead]!
                guard flight.followedBy == nil, flight.depth < limit, request.fits(in: flight.grant.amounts) else { continue }
                guard placement.matches(position, worker.ad) else { break }
                let key = (rank: ranked ? placement.rank(position, worker.ad) : 0, shallow: -flight.depth)
                if best.map({ key > $0.key }) ?? true { best = (rank, ahead, key) }
                if !ranked, flight.depth == 0 { return (rank, ahead) }  // nothing shallower exists
            }
        }
        return best.map { ($0.worker, $0.ahead) }
    }

    /// Whether a task in flight on a matching worker holds a grant that covers `request`, so
    /// that its end frees enough: such a task is not starved by smaller ones.
    private func isCoveredByAGrant(_ position: Int, _ request: ResourceRequest) -> Bool {
        for rank in workerOrder {
            let worker = workers[rank]!
            guard worker.positions.contains(where: { request.fits(in: inFlight[$0]!.grant.amounts) }) else { continue }
            if placement.matches(position, worker.ad) { return true }
        }
        return false
    }

    /// The host kept for a task that cannot start now: among those with a matching worker
    /// that could ever hold `request`, the one with the most free cores (then GPUs).
    private func hostToReserve(for position: Int, _ request: ResourceRequest) -> String? {
        var best: HostPool?
        for rank in workerOrder {
            let worker = workers[rank]!
            let pool = pools[worker.pool]
            guard pool.canEverHold(request), best.map({ (pool.free.cores, pool.free.gpus) > ($0.free.cores, $0.free.gpus) }) ?? true,
                  placement.matches(position, worker.ad) else { continue }
            best = pool
        }
        return best?.host
    }

    /// Asks back every task queued (not started) on the workers of `host`, so that the
    /// grants they would take over go back to the pool for the reserved task.
    private mutating func revokeQueued(onHost host: String) -> [Decision] {
        var decisions: [Decision] = []
        for rank in poolIndex[host].map({ poolWorkers[$0] }) ?? [] {
            for position in workers[rank]!.positions.reversed() {
                let flight = inFlight[position]!
                guard flight.follows != nil, !flight.started, !revoking.contains(position) else { continue }
                revoking.insert(position)
                reindex(flight: position)
                decisions.append(.revoke(position: position, worker: rank))
            }
        }
        return decisions
    }

    /// With nothing left to hand out, a host may have room while tasks wait queued on a
    /// worker behind running ones: ask back the newest such tasks that could start now
    /// somewhere (their request fits a matching worker's free pool), so they run at once.
    private mutating func rebalance() -> [Decision] {
        guard policy.prefetchPerSlot > 0, !isThrottled else { return [] }
        // Every request takes a core: a worker whose host has none free can take nothing, and
        // free room only shrinks below. Most calls (every host full) end here, at the index's
        // roomiest pool.
        guard let roomiest = poolsByRoom.min, -roomiest.key.first > 0 else { return [] }
        if placesByIndex { return rebalanceByIndex() }
        let targets = workerOrder.filter { pools[workers[$0]!.pool].free.cores > 0 }
        var free = pools
        var decisions: [Decision] = []
        for loadedRank in workerOrder {
            for position in workers[loadedRank]!.positions.reversed() {
                let flight = inFlight[position]!
                guard flight.follows != nil, !flight.started, !revoking.contains(position) else { continue }
                let request = flight.request
                let target = targets.first { rank in
                    let worker = workers[rank]!
                    return free[worker.pool].fitsNow(request) && placement.matches(position, worker.ad)
                }
                guard let target else { continue }
                _ = free[workers[target]!.pool].take(request)
                revoking.insert(position)
                reindex(flight: position)
                decisions.append(.revoke(position: position, worker: loadedRank))
            }
        }
        return decisions
    }

    /// ``rebalance()`` by the indexes, choosing as its scan does: the queued tasks in the
    /// scan's order (`revocable`), each asked back when a pool with free cores at the start
    /// fits it, the first such pool by its earliest added worker taking it. It stops once no
    /// such pool has a core left, so a call costs the tasks it asks back, not every worker.
    private mutating func rebalanceByIndex() -> [Decision] {
        var free = pools
        var targets = poolWorkers.indices.filter { !poolWorkers[$0].isEmpty && pools[$0].free.cores > 0 }
        targets.sort { workers[poolWorkers[$0][0]]!.sequence < workers[poolWorkers[$1][0]]!.sequence }
        var decisions: [Decision] = []
        var passedOver: [(Int, TripleKey)] = []
        while !targets.isEmpty, let (position, key) = revocable.popMin() {
            let flight = inFlight[position]!
            guard let target = targets.firstIndex(where: { free[$0].fitsNow(flight.request) }) else {
                passedOver.append((position, key))
                continue
            }
            _ = free[targets[target]].take(flight.request)
            if free[targets[target]].free.cores == 0 { targets.remove(at: target) }
            revoking.insert(position)
            decisions.append(.revoke(position: position, worker: flight.worker))
        }
        for (position, key) in passedOver { revocable.set(position, key) }
        return decisions
    }

    /// Ends the hold of the task at `position` on its grant: the task behind it on its
    /// worker takes the grant over (the rest goes back to the pool), or the pool gets it
    /// all back. Returns the flight removed.
    @discardableResult
    private mutating func releaseGrant(of position: Int) -> InFlight? {
        guard let flight = inFlight.removeValue(forKey: position) else { return nil }
        runningTasks -= 1
        revoking.remove(position)
        // In place: a copy of the worker's record would copy its positions too, once per task.
        if let index = workers[flight.worker]?.positions.firstIndex(of: position) {
            workers[flight.worker]!.positions.remove(at: index)
        }
        let pool = workers[flight.worker]?.pool
        if let next = flight.followedBy {
            inFlight[next]!.follows = flight.follows
            if let ahead = flight.follows {
                inFlight[ahead]!.followedBy = next
            } else if let pool {
                pools[pool].give(flight.grant.removing(inFlight[next]!.grant))
            }
            var behind: Int? = next
            while let current = behind {
                inFlight[current]!.depth -= 1
                reindex(flight: current)
                behind = inFlight[current]!.followedBy
            }
        } else if let ahead = flight.follows {
            inFlight[ahead]!.followedBy = nil
        } else if let pool {
            pools[pool].give(flight.grant)
        }
        if let ahead = flight.follows { reindex(flight: ahead) }
        reindex(flight: position)
        reindex(worker: flight.worker)
        return flight
    }

    // MARK: Indexes

    /// Whether placement may use the indexes: they order workers as the scans do when no
    /// task prefers some workers (HTCondor `rank`) and every task matches every worker.
    private var placesByIndex: Bool {
        !scansEveryWorker && placement.matchesEveryWorker && !placement.ranksWorkers
    }

    /// Files the worker at `rank` anew in its pool's `workersByLoad` (its tasks changed), and
    /// the pool in `poolsByRoom`.
    private mutating func reindex(worker rank: Int) {
        guard let worker = workers[rank] else { return }
        workersByLoad[worker.pool].set(rank, TripleKey(worker.positions.count, worker.sequence, 0))
        reindex(pool: worker.pool)
    }

    /// Files the pool at `index` anew in `poolsByRoom` (its free cores or its best worker
    /// changed); a pool without workers leaves it.
    private mutating func reindex(pool index: Int) {
        guard let best = workersByLoad[index].min else { return poolsByRoom.remove(index) }
        poolsByRoom.set(index, TripleKey(-pools[index].free.cores, best.key.first, best.key.second))
    }

    /// Files the task at `position` anew in `followable` and `revocable`, or takes it out of
    /// them (it ended, started, or is being asked back).
    private mutating func reindex(flight position: Int) {
        guard let flight = inFlight[position], let sequence = workers[flight.worker]?.sequence else {
            followable.remove(position)
            revocable.remove(position)
            return
        }
        if flight.followedBy == nil, flight.depth < policy.prefetchPerSlot {
            followable.set(position, TripleKey(flight.depth, sequence, flight.order))
        } else {
            followable.remove(position)
        }
        if flight.follows != nil, !flight.started, !revoking.contains(position) {
            revocable.set(position, TripleKey(sequence, -flight.order, 0))
        } else {
            revocable.remove(position)
        }
    }

    /// Marks a pending task as never runnable (no worker can match it), before it reaches
    /// the head of the queue. Returns the decision to report, or `nil` if it is not pending.
    public mutating func reject(position: Int, reason: String) -> Decision? {
        guard states[position] == .pending, inFlight[position] == nil else { return nil }
        states[position] = .failed
        return .unrunnable(position: position, reason: reason)
    }

    /// The next task to hand out: retries first, then fresh tasks in order. A fresh task
    /// whose prerequisites are not all final waits, and so does everything after it.
    private mutating func nextReadyPosition(peekOnly: Bool) -> Int? {
        while retryHead < retryQueue.count, states[retryQueue[retryHead]] != .pending {
            retryHead += 1  // cancelled while queued for a retry or a release
        }
        if retryHead < retryQueue.count {
            let position = retryQueue[retryHead]
            if !peekOnly { retryHead += 1 }
            if retryHead == retryQueue.count {
                retryQueue.removeAll(keepingCapacity: true)
                retryHead = 0
            }
            return position
        }
        if retryHead > 0 {
            retryQueue.removeAll(keepingCapacity: true)
            retryHead = 0
        }
        if feed != nil { return nextFedPosition(peekOnly: peekOnly) }
        while cursor < taskCount, states[cursor] != .pending || (!heldTasks.isEmpty && heldTasks.contains(cursor)) { cursor += 1 }
        guard cursor < taskCount else { return nil }
        for prerequisite in placement.prerequisites(of: cursor) where !states[prerequisite].isFinal {
            return nil
        }
        let position = cursor
        if !peekOnly { cursor += 1 }
        return position
    }

    // MARK: Tasks appended at run time (the task queue)

    /// Appends `count` pending tasks after the last one; they start like the job's own
    /// unless ``hold(_:)`` is called before the next ``dispatch()``.
    ///
    /// - Returns: the new tasks' positions.
    @discardableResult
    public mutating func appendTasks(count: Int) -> Range<Int> {
        let first = taskCount
        taskCount += count
        states += repeatElement(.pending, count: count)
        attempts += repeatElement(0, count: count)
        return first..<taskCount
    }

    /// Keeps a pending task from starting until ``release(_:)`` (PBS `afterok`). Call it
    /// before the task could have been dispatched: right after appending, or before the first
    /// ``dispatch()``.
    public mutating func hold(_ position: Int) {
        if states[position] == .pending { heldTasks.insert(position) }
    }

    /// Whether the task at `position` waits for ``release(_:)``.
    public func isHeld(_ position: Int) -> Bool { heldTasks.contains(position) }

    /// Lets a held task start.
    public mutating func release(_ position: Int) {
        guard heldTasks.remove(position) != nil, states[position] == .pending else { return }
        if position < cursor { retryQueue.append(position) }
    }

    /// Cancels a task that has not started (queued, held or waiting for a retry): it ends
    /// `cancelled` with `reason` as its message. A task in flight is not touched; the caller
    /// stops it on ``worker(running:)`` and its report ends it.
    public mutating func cancel(_ position: Int, reason: String) -> [Decision] {
        guard position >= 0, position < taskCount, states[position] == .pending else { return [] }
        heldTasks.remove(position)
        states[position] = .cancelled
        let now = Clock.epochSeconds()
        let completion = TaskCompletion(position: position, attempt: Int(attempts[position]), workerRank: -1,
                                        outcome: .cancelled, startTime: now, endTime: now, message: reason)
        return [.finished(position: position, state: .cancelled, completion: completion)]
    }

    /// The worker running the task at `position`, or `nil` when it is not in flight.
    public func worker(running position: Int) -> Int? { inFlight[position]?.worker }

    // MARK: Completion

    /// Records how an attempt ended and decides what follows.
    public mutating func complete(_ completion: TaskCompletion) -> [Decision] {
        let position = completion.position
        guard let flight = inFlight[position], flight.attempt == completion.attempt,
              flight.worker == completion.workerRank else { return [] }
        releaseGrant(of: position)
        if completion.outcome == .revoked {
            // Never started: not an attempt. It goes first in line for the next free slot.
            attempts[position] = AttemptCount(clamping: completion.attempt - 1)
            states[position] = .pending
            retryQueue.insert(position, at: retryHead)
            return [.returned(position: position, attempt: completion.attempt)]
        }
        if completion.succeeded {
            states[position] = .succeeded
            return [.finished(position: position, state: .succeeded, completion: completion)]
        }
        switch completion.outcome {
        case .interrupted:
            states[position] = .interrupted
            return [.finished(position: position, state: .interrupted, completion: completion)]
        case .cancelled:
            states[position] = .cancelled
            return [.finished(position: position, state: .cancelled, completion: completion)]
        default:
            break
        }
        let allowed = placement.retries(of: position) ?? policy.retries
        let unless = policy.retryUnlessExit.map { completion.outcome == .exited && completion.exitCode == $0 } ?? false
        let attemptsThisRun = flight.attempt - (position < earlierAttempts.count ? Int(earlierAttempts[position]) : 0)
            - (lostAttempts[position] ?? 0)
        if dispatching, !unless, attemptsThisRun <= allowed, flight.attempt < Int(AttemptCount.max) {
            states[position] = .pending
            retryQueue.append(position)
            return [.retrying(position: position, completion: completion)]
        }
        let state: TaskState = completion.outcome == .timedOut ? .timedOut
            : completion.outcome == .memoryExceeded ? .memoryExceeded : .failed
        states[position] = state
        return [.finished(position: position, state: state, completion: completion)]
    }

    /// Counts of tasks by state.
    public var counts: [TaskState: Int] {
        var result: [TaskState: Int] = [:]
        for state in states { result[state, default: 0] += 1 }
        return result
    }

    // MARK: Starts and lost workers (see WorkerLiveness)

    /// The worker reported that attempt `attempt` of the task at `position` started. Returns
    /// whether this is news: the attempt is in flight there and was not known to run.
    public mutating func markStarted(position: Int, attempt: Int, worker: Int) -> Bool {
        guard let flight = inFlight[position], flight.attempt == attempt, flight.worker == worker,
              !flight.started else { return false }
        inFlight[position]!.started = true
        reindex(flight: position)
        return true
    }

    /// Whether the attempt of the task at `position` in flight was reported started.
    public func hasStarted(_ position: Int) -> Bool { inFlight[position]?.started ?? false }

    /// Removes a lost worker (dead, or its host silent): no task goes to it again, and every
    /// task it held returns to the front of the queue. A prefetched task that never started
    /// is ``Decision/returned(position:attempt:)``, as if given back. A started one is
    /// ``Decision/retrying(position:completion:)`` with outcome ``TaskOutcome/workerLost``;
    /// that does not use up a retry, but once a task has lost `crashLimit` workers it fails
    /// (HyperQueue's crash limit), so a task that kills its node cannot take the farm down.
    ///
    /// - Parameters:
    ///   - reason: why the worker is lost, for the completion's message ("rank 2 on tfnode3:
    ///     silent for 10 s").
    ///   - now: the time of the loss, in seconds since the Unix epoch.
    public mutating func loseWorker(_ rank: Int, crashLimit: Int, reason: String,
                                    now: Double) -> [Decision] {
        guard let worker = workers[rank] else { return [] }
        var decisions: [Decision] = []
        var requeued: [Int] = []
        // Newest first, so each release hands nothing over to a task about to be released too.
        var flights: [(Int, InFlight)] = []
        for position in worker.positions.reversed() {
            if let flight = releaseGrant(of: position) { flights.append((position, flight)) }
        }
        workers.removeValue(forKey: rank)
        workerOrder.removeAll { $0 == rank }
        leavePool(rank, worker.pool)
        for (position, flight) in flights.reversed() {
            guard flight.started else {
                attempts[position] -= 1
                states[position] = .pending
                requeued.append(position)
                decisions.append(.returned(position: position, attempt: flight.attempt))
                continue
            }
            let lost = (lostAttempts[position] ?? 0) + 1
            lostAttempts[position] = lost
            var completion = TaskCompletion(position: position, attempt: flight.attempt, workerRank: rank,
                                            outcome: .workerLost, startTime: now, endTime: now,
                                            message: "its worker was lost: \(reason)")
            if lost >= crashLimit {
                states[position] = .failed
                completion.message = "lost its worker \(lost) time\(lost == 1 ? "" : "s"); the last: \(reason)"
                decisions.append(.finished(position: position, state: .failed, completion: completion))
            } else {
                states[position] = .pending
                requeued.append(position)
                decisions.append(.retrying(position: position, completion: completion))
            }
        }
        retryQueue.insert(contentsOf: requeued, at: retryHead)
        return decisions
    }

    /// How many started attempts of the task at `position` were lost with their worker.
    public func lostWorkerCount(_ position: Int) -> Int { lostAttempts[position] ?? 0 }
}
