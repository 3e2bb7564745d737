import JobSpec
@testable import TaskFarm

/// A placement whose answers the test gives as closures, to drive ``SchedulerCore`` through
/// each kind of need without a job.
struct ClosurePlacement: Placement {
    var slotsOf: (Int) -> Int = { _ in 1 }
    var retriesOf: (Int) -> Int? = { _ in nil }
    var prerequisitesOf: (Int) -> [Int] = { _ in [] }
    /// Which workers a task matches; `nil`: every one.
    var matchesWorker: ((Int, WorkerAd) -> Bool)?
    var rankOf: ((Int, WorkerAd) -> Double)?
    /// The whole request; `nil` asks ``slotsOf`` for cores only.
    var requestOf: ((Int) -> ResourceRequest)?

    func slots(of position: Int) -> Int { requestOf.map { $0(position).cores } ?? slotsOf(position) }
    func request(of position: Int) -> ResourceRequest { requestOf?(position) ?? ResourceRequest(cores: slotsOf(position)) }
    func retries(of position: Int) -> Int? { retriesOf(position) }
    func prerequisites(of position: Int) -> [Int] { prerequisitesOf(position) }
    func matches(_ position: Int, _ worker: WorkerAd) -> Bool { matchesWorker?(position, worker) ?? true }
    var matchesEveryWorker: Bool { matchesWorker == nil }
    var ranksWorkers: Bool { rankOf != nil }
    func rank(_ position: Int, _ worker: WorkerAd) -> Double { rankOf?(position, worker) ?? 0 }
}
