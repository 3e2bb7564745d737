import JobSpec
import XCTest

@testable import TaskFarm

final class WorkerMatcherTests: XCTestCase {
    private let small = WorkerAd(rank: 2, host: "small", cores: 4, memoryBytes: 2048 << 20, slots: 1,
                                 diskKiB: 1000, arch: "X86_64")
    private let big = WorkerAd(rank: 3, host: "big", cores: 64, memoryBytes: 65536 << 20, slots: 8,
                               diskKiB: 1_000_000, arch: "aarch64")

    private func job(_ tasks: [TaskSpec]) -> ExpandedJob {
        ExpandedJob(name: "j", file: "j.sub", tasks: tasks.enumerated().map { index, task in
            var task = task
            task.position = index
            return task
        })
    }

    private func task(requirements: String? = nil, rank: String? = nil, memory: Int? = nil, disk: Int? = nil,
                      attributes: [String: String] = [:]) -> TaskSpec {
        TaskSpec(position: 0, arrayIndex: 0, command: .argv(["/bin/true"]), memoryMiB: memory, diskKiB: disk,
                 requirements: requirements, rank: rank, source: SourceLocation(file: "j.sub", line: 1),
                 attributes: attributes)
    }

    func testWorkerClassAdUsesHTCondorNamesAndUnits() {
        let ad = big.classAd
        XCTAssertEqual(ad["Memory"], .integer(65536))
        XCTAssertEqual(ad["Cpus"], .integer(8))
        XCTAssertEqual(ad["Disk"], .integer(1_000_000))
        XCTAssertEqual(ad["Arch"], .string("aarch64"))
        XCTAssertEqual(ad["OpSys"], .string("LINUX"))
        XCTAssertEqual(ad["Machine"], .string("big"))
        XCTAssertEqual(ad["TotalCpus"], .integer(big.cores))
        XCTAssertNil(ad["GPUs"], "undefined on a host without GPUs, as HTCondor advertises it")
        var withGPUs = big
        withGPUs.gpuIDs = ["0", "1"]
        XCTAssertEqual(withGPUs.classAd["GPUs"], .integer(2))
    }

    func testJobsAskingNothingGetNoMatcher() {
        XCTAssertNil(WorkerMatcher.make(for: job([task(), task()])))
    }

    func testRequirementsMemoryAndDiskDecideTheMatch() throws {
        let matcher = try XCTUnwrap(WorkerMatcher.make(for: job([
            task(requirements: "Target.Memory >= 4096 && Arch == \"AARCH64\""),
            task(memory: 4096),
            task(disk: 5000),
            task(),
            task(requirements: "My.Project == \"astro\" && Cpus > 2", attributes: ["classad.Project": "\"astro\""]),
        ])))
        for position in 0..<3 {
            XCTAssertFalse(matcher.matches(position, small), "task \(position)")
            XCTAssertTrue(matcher.matches(position, big), "task \(position)")
        }
        XCTAssertTrue(matcher.matches(3, small), "a task asking nothing matches every worker")
        XCTAssertTrue(matcher.matches(4, big), "the task's own +attributes are its My ad")
        XCTAssertFalse(matcher.matches(4, small))
    }

    /// A served queue grows while it runs: tasks submitted after the scheduler started are
    /// matched as they come, and through the scheduler's core, an unmatchable one never
    /// reaches a worker.
    func testAServedQueueMatchesTasksSubmittedLater() throws {
        let queue = QueueJob(name: "queue")
        let placement = JobPlacement(job: queue)
        XCTAssertFalse(placement.ranksWorkers)
        _ = queue.append(task())
        _ = queue.append(task(memory: 4096))
        _ = queue.append(task(rank: "Memory / 1024"))
        XCTAssertTrue(placement.matches(0, small))
        XCTAssertFalse(placement.matches(1, small))
        XCTAssertTrue(placement.matches(1, big))
        XCTAssertTrue(placement.ranksWorkers, "a rank expression submitted later turns ranking on")
        XCTAssertEqual(placement.rank(2, big), 64)

        var core = SchedulerCore(taskCount: 0, policy: SchedulerPolicy(), placement: JobPlacement(job: queue))
        core.addWorker(small)
        let positions = core.appendTasks(count: 3)
        XCTAssertEqual(positions, 0..<3)
        let decisions = core.dispatch()
        let reasons = decisions.compactMap { decision -> String? in
            if case .unrunnable(1, let reason) = decision { return reason }
            return nil
        }
        XCTAssertEqual(reasons.count, 1)
        XCTAssertTrue(reasons.first?.contains("request_memory 4096 MiB > Memory 2048 MiB") ?? false, "\(reasons)")
        XCTAssertFalse(decisions.contains { if case .assign(1, _, _) = $0 { true } else { false } },
                       "a task asking for more memory than any worker has is never assigned")
    }

    func testRankValuesFollowTheExpression() throws {
        let matcher = try XCTUnwrap(WorkerMatcher.make(for: job([task(rank: "Memory / 1024"), task(memory: 1)])))
        XCTAssertTrue(matcher.hasRank)
        XCTAssertEqual(matcher.rank(0, big), 64)
        XCTAssertEqual(matcher.rank(0, small), 2)
        XCTAssertEqual(matcher.rank(1, big), 0)
    }

    func testUnmatchedReasonNamesEachFailingConditionAndHowManyWorkersFailIt() throws {
        let matcher = try XCTUnwrap(WorkerMatcher.make(for: job([
            task(requirements: "Memory >= 100000 && OpSys == \"LINUX\" && Gpus >= 1", memory: 3000),
            task(requirements: "Cpus >= 1"),
        ])))
        let reason = matcher.whyUnmatched(0, workers: [small, big])
        XCTAssertTrue(reason.contains("Memory >= 100000 is false on 2 of 2 worker(s)"), reason)
        XCTAssertTrue(reason.contains("Gpus >= 1 is undefined on 2 of 2 worker(s)"), reason)
        XCTAssertTrue(reason.contains("request_memory 3000 MiB > Memory 2048 MiB on 1 of 2 worker(s)"), reason)
        XCTAssertFalse(reason.contains("OpSys == \"LINUX\" is"), "a clause every worker meets is not a reason: \(reason)")
        var wide = task(requirements: "Arch == \"X86_64\"")
        wide.slots = 4
        let slotsReason = try XCTUnwrap(WorkerMatcher.make(for: job([wide]))).whyUnmatched(0, workers: [small, big])
        XCTAssertTrue(slotsReason.contains("request_cpus 4 > Cpus 1 on 1 of 2 worker(s)"), slotsReason)
        XCTAssertTrue(slotsReason.contains("Arch == \"X86_64\" is false on 1 of 2 worker(s)"), slotsReason)
        let hopeless = matcher.unmatchable(workers: [small, big], taskCount: 2, isPending: { _ in true })
        XCTAssertEqual(hopeless.map(\.position), [0])
    }
}
