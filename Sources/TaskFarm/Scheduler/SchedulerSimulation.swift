#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JobSpec

/// Rank 0 at any size, on one thread: the real ``Scheduler`` and name server roles over an
/// ``InMemoryNetwork``, with virtual workers that end each task they are handed one loop
/// round later, so that what is measured is rank 0's own cost per task as the worker count
/// grows (issue 18: flat within 2× from 10 to 10,000 workers).
///
/// The virtual workers run nothing: each registers its ad with the name server, keeps the
/// assignments it gets in order, and each round reports the oldest as started and
/// succeeded, in one ``WorkerReport`` as a real worker does. Only rank 0's loop rounds are
/// timed, with the thread's CPU clock (`CLOCK_THREAD_CPUTIME_ID`), so the simulation's own
/// work (the other ranks, the driving loop) is not counted.
public enum SchedulerSimulation {
    /// What one simulated run measured.
    public struct Measurement: Sendable {
        /// Virtual workers.
        public var workers: Int
        /// Slots per worker.
        public var slots: Int
        /// Tasks run.
        public var tasks: Int
        /// CPU seconds of rank 0's loop rounds (scheduler and its name-server client),
        /// from the first dispatch to the final stop.
        public var rankZeroCPUSeconds: Double
        /// Rank 0's CPU per task, in microseconds.
        public var microsecondsPerTask: Double { tasks == 0 ? 0 : rankZeroCPUSeconds * 1e6 / Double(tasks) }
        /// Round-robin rounds over every rank that the run took.
        public var rounds: Int
        /// Whether every task ended succeeded.
        public var allSucceeded: Bool
    }

    /// Runs `tasks` tasks of `true` (a task list, parsed as a user's is) on `workers`
    /// virtual workers of `slots` slots each, with the default prefetch (2 per slot).
    ///
    /// - Throws: what the roles throw (a wire or name-server error: a bug).
    public static func run(workers: Int, tasks: Int, slots: Int = 1) throws -> Measurement {
        precondition(workers > 0 && tasks > 0 && slots > 0)
        let size = workers + 2
        let network = InMemoryNetwork(size: size)
        let layout = try RoleLayout(size: size)
        let job = try TaskList(text: String(repeating: "true\n", count: tasks), file: "simulation.txt")
        let core = SchedulerCore(taskCount: tasks, policy: SchedulerPolicy(), placement: JobPlacement(job: job))
        let settings = Scheduler.Settings(runID: 1, workerRanks: layout.workerRanks, allRanks: Array(0..<size),
                                          taskDefaults: TaskDefaults(outputs: OutputDefaults(output: "/dev/null",
                                                                                             error: "/dev/null")),
                                          killGrace: 1, workingDirectory: "/", startupTimeout: 3600,
                                          workerTimeout: 1e9)
        let counter = EndCounter()
        let clients = (0..<size).map { NameServerClient(transport: network.transport(rank: $0), serverRank: layout.nameServerRank) }
        let scheduler = Scheduler(transport: network.transport(rank: 0), nameServer: clients[0], job: job, core: core,
                                  settings: settings, recorders: [counter])
        let rankZero = RankLoop(transport: network.transport(rank: 0), roles: [clients[0], scheduler])
        let nameServer = RankLoop(transport: network.transport(rank: layout.nameServerRank),
                                  roles: [clients[layout.nameServerRank], NameServer(transport: network.transport(rank: layout.nameServerRank))])
        var virtual: [VirtualWorker] = []
        for rank in layout.workerRanks {
            let ad = WorkerAd(rank: rank, host: "node\(rank / 64)", cores: slots, memoryBytes: 1 << 34, slots: slots)
            let worker = VirtualWorker(transport: network.transport(rank: rank), schedulerRank: 0, slots: slots)
            try clients[rank].registerWorker(ad)
            virtual.append(worker)
        }
        // Registration and the worker list: not per-task work, so not timed.
        while try nameServer.runOnce() {}
        try scheduler.start()
        while !scheduler.knowsWorkers {
            try nameServer.runOnce()
            try rankZero.runOnce()
        }
        var cpu = 0.0
        var rounds = 0
        while !scheduler.isFinished {
            rounds += 1
            let before = threadCPUSeconds()
            try rankZero.runOnce()
            cpu += threadCPUSeconds() - before
            try nameServer.runOnce()
            for worker in virtual { try worker.round() }
        }
        return Measurement(workers: workers, slots: slots, tasks: counter.ended, rankZeroCPUSeconds: cpu,
                           rounds: rounds, allSucceeded: counter.succeeded == tasks)
    }

    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Counts ends, as the cheapest recorder does.
    private final class EndCounter: RunRecorder {
        var ended = 0
        var succeeded = 0
        func taskEnded(position: Int, state: TaskState, completion: TaskCompletion, worker: WorkerAd?) {
            ended += 1
            if state == .succeeded { succeeded += 1 }
        }
    }

    /// A worker that runs nothing: each round it ends one task per slot, oldest first.
    private final class VirtualWorker {
        private let transport: Transport
        private let schedulerRank: Int
        private let slots: Int
        private var queue: [TaskAssignment] = []

        init(transport: Transport, schedulerRank: Int, slots: Int) {
            self.transport = transport
            self.schedulerRank = schedulerRank
            self.slots = slots
        }

        func round() throws {
            while let envelope = try transport.receive() {
                if envelope.tag == .assignment { queue.append(try TaskAssignment(decoding: envelope.payload)) }
            }
            let ending = min(slots, queue.count)
            guard ending > 0 else { return }
            let time = Clock.epochSeconds()
            for assignment in queue.prefix(ending) {
                let position = assignment.task.position
                let start = TaskStart(position: position, attempt: assignment.attempt, time: time)
                let completion = TaskCompletion(position: position, attempt: assignment.attempt, workerRank: transport.rank,
                                                outcome: .exited, exitCode: 0, startTime: time, endTime: time)
                try transport.send(WorkerReport(starts: [start], completion: completion).encode(), to: schedulerRank,
                                   tag: .completion)
            }
            queue.removeFirst(ending)
        }
    }
}
