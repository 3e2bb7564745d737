/// The broker's routing of service calls, free of MPI: which workers offer which service,
/// how many calls each has outstanding, and which queued call goes where next. A call goes
/// to the offering worker with the fewest calls outstanding (round robin among equals),
/// and no worker holds more than ``perWorkerLimit`` at once; the rest wait, first in first out.
/// A nested call (made by a service while it runs) is urgent: it goes out at once, past the
/// limit, since its caller holds a slot until it is answered and waiting could deadlock.
public struct ServiceRouter: Sendable {
    /// Calls a worker may hold at once (one running, the next ones ready to start).
    public let perWorkerLimit: Int

    /// The broker's limit: with 4, a worker that answers short calls as fast as they come
    /// still has three queued while its answer travels back and the broker's next call
    /// comes (at chunk size 1 on 2 cores, 1.4× the calls a second of a limit of 2; 8 gave
    /// no more). The price: a call may wait behind three others at a busy worker.
    public static let defaultPerWorkerLimit = 4
    private var offers: [String: [Int]] = [:]
    private var outstanding: [Int: Int] = [:]
    private var queues: [String: (ids: [Int], head: Int)] = [:]
    private var turn: [String: Int] = [:]

    /// A router with no offers yet.
    public init(perWorkerLimit: Int = ServiceRouter.defaultPerWorkerLimit) {
        self.perWorkerLimit = max(1, perWorkerLimit)
    }

    /// Records that `worker` offers `service`.
    public mutating func addOffer(_ service: String, worker: Int) {
        if offers[service, default: []].contains(worker) { return }
        offers[service, default: []].append(worker)
        outstanding[worker, default: 0] += 0
    }

    /// Whether any worker offers `service`.
    public func isOffered(_ service: String) -> Bool { !(offers[service] ?? []).isEmpty }

    /// Queues the call `id` to `service`.
    public mutating func enqueue(_ id: Int, service: String) {
        queues[service, default: ([], 0)].ids.append(id)
    }

    /// Assigns the urgent call `id` at once to the least-loaded worker offering `service`,
    /// whatever its load; `nil` when none offers it.
    public mutating func assignUrgent(_ id: Int, service: String) -> Int? {
        guard let workers = offers[service], !workers.isEmpty else { return nil }
        let worker = workers.min { outstanding[$0, default: 0] < outstanding[$1, default: 0] }!
        outstanding[worker, default: 0] += 1
        return worker
    }

    /// Calls queued and not yet assigned.
    public var queuedCount: Int { queues.values.reduce(0) { $0 + $1.ids.count - $1.head } }

    /// Assigns queued calls to workers with room, and returns the assignments.
    public mutating func assignments() -> [(id: Int, worker: Int)] {
        var result: [(id: Int, worker: Int)] = []
        for service in queues.keys {
            guard var queue = queues[service], queue.head < queue.ids.count, let workers = offers[service] else { continue }
            while queue.head < queue.ids.count, let worker = pick(among: workers, service: service) {
                result.append((queue.ids[queue.head], worker))
                outstanding[worker, default: 0] += 1
                queue.head += 1
            }
            if queue.head == queue.ids.count { queue = ([], 0) }
            queues[service] = queue
        }
        return result
    }

    private mutating func pick(among workers: [Int], service: String) -> Int? {
        let start = turn[service, default: 0]
        var best: Int?
        var bestLoad = perWorkerLimit
        for offset in 0..<workers.count {
            let worker = workers[(start + offset) % workers.count]
            let load = outstanding[worker, default: 0]
            if load < bestLoad {
                best = worker
                bestLoad = load
            }
        }
        if best != nil { turn[service] = (start + 1) % workers.count }
        return best
    }

    /// A call assigned to `worker` was answered.
    public mutating func completed(worker: Int) {
        outstanding[worker] = max(0, outstanding[worker, default: 0] - 1)
    }

    /// Calls outstanding on `worker`.
    public func load(of worker: Int) -> Int { outstanding[worker, default: 0] }
}
