import Foundation
import JobSpec
import XCTest

@testable import TaskFarm

/// Records what the scheduler reports, for the tests to check.
final class RecordingRecorder: RunRecorder {
    var started: [(position: Int, attempt: Int, worker: Int)] = []
    var ended: [Int: (state: TaskState, completion: TaskCompletion)] = [:]
    var endCount = 0
    var retries: [Int] = []

    func taskStarted(position: Int, attempt: Int, worker: WorkerAd, time: Double) { started.append((position, attempt, worker.rank)) }
    func taskEnded(position: Int, state: TaskState, completion: TaskCompletion, worker: WorkerAd?) {
        ended[position] = (state, completion)
        endCount += 1
    }
    func taskRetrying(position: Int, completion: TaskCompletion) { retries.append(position) }
}

/// A whole farm in one process, wired as `Farm.runRank` wires it for 3 ranks: rank 0
/// schedules, rank 1 serves names, rank 2 runs real commands.
final class InProcessFarmTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("farm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    struct Outcome {
        var scheduler: Scheduler
        var recorder: RecordingRecorder
        var joblog: String
    }

    func runFarm(_ job: any Job, retries: Int = 0, workerSlots: Int = 1, timeLimit: Double? = nil,
                 output: String? = nil,
                 whenStarted: ((Scheduler) throws -> Void)? = nil) throws -> Outcome {
        let ranks = InProcessRanks(size: 3)
        let layout = try RoleLayout(size: 3)
        XCTAssertEqual(layout.nameServerRank, 1)
        XCTAssertEqual(layout.workerRanks, [2])
        let clients = (0..<3).map { NameServerClient(transport: ranks.transport($0), serverRank: layout.nameServerRank) }

        let ad = WorkerAd(rank: 2, host: "testhost", cores: 1, memoryBytes: 1 << 30, slots: workerSlots)
        let worker = Worker(transport: ranks.transport(2), nameServer: clients[2], schedulerRank: 0, ad: ad,
                            environment: ProcessInfo.processInfo.environment)

        let recorder = RecordingRecorder()
        let joblogPath = folder.appendingPathComponent("joblog").path
        let joblog = try Joblog(path: joblogPath)
        let joblogRecorder = JoblogRecorder(joblog: joblog, job: job)
        let core = SchedulerCore(taskCount: job.taskCount, policy: SchedulerPolicy(retries: retries),
                                 placement: JobPlacement(job: job))
        let outputs = OutputDefaults(output: output, defaultOutput: folder.path + "/output/%a.out",
                                     defaultError: folder.path + "/output/%a.err")
        let settings = Scheduler.Settings(runID: 1_234_567, workerRanks: layout.workerRanks, allRanks: [0, 1, 2],
                                          taskDefaults: TaskDefaults(outputs: outputs, timeLimit: timeLimit), killGrace: 1,
                                          workingDirectory: folder.path, startupTimeout: 60)
        let scheduler = Scheduler(transport: ranks.transport(0), nameServer: clients[0], job: job, core: core,
                                  settings: settings, recorders: [recorder, joblogRecorder])

        ranks.add(RankLoop(transport: ranks.transport(0), roles: [clients[0], scheduler]))
        ranks.add(RankLoop(transport: ranks.transport(1), roles: [clients[1], NameServer(transport: ranks.transport(1))]))
        ranks.add(RankLoop(transport: ranks.transport(2), roles: [clients[2], worker]))
        try worker.register()
        try scheduler.start()
        if let whenStarted {
            try ranks.runUntil { !recorder.started.isEmpty }
            try whenStarted(scheduler)
        }
        try ranks.runToEnd()
        XCTAssertTrue(worker.isFinished)
        XCTAssertTrue(scheduler.isFinished)
        joblog.flush()
        return Outcome(scheduler: scheduler, recorder: recorder,
                       joblog: try String(contentsOfFile: joblogPath, encoding: .utf8))
    }

    func output(_ name: String) throws -> Data {
        try Data(contentsOf: folder.appendingPathComponent("output/\(name)"))
    }

    func testRealCommandsRunToCompletion() throws {
        let job = try TaskList(text: """
            /bin/echo hello world
            sh -c 'exit 3'
            # a comment
            /bin/echo "two  spaces" résumé
            printf 'a\\tb\\n' >&2
            sh -c 'echo "$TASKFARM_TASK_INDEX $TASKFARM_RUN_ID $TASKFARM_WORKER_RANK"'
            """, file: "tasks.txt")
        XCTAssertEqual(job.taskCount, 5)
        let run = try runFarm(job)

        XCTAssertEqual(try output("0.out"), Data("hello world\n".utf8))
        XCTAssertEqual(try output("0.err"), Data())
        XCTAssertEqual(try output("1.out"), Data())
        XCTAssertEqual(try output("2.out"), Data("two  spaces résumé\n".utf8))
        XCTAssertEqual(try output("3.out"), Data())
        XCTAssertEqual(try output("3.err"), Data("a\tb\n".utf8))
        XCTAssertEqual(try output("4.out"), Data("4 1234567 2\n".utf8))

        let recorder = run.recorder
        XCTAssertEqual(recorder.endCount, 5, "each task ends once")
        XCTAssertEqual(recorder.started.map(\.position).sorted(), [0, 1, 2, 3, 4])
        XCTAssertTrue(recorder.started.allSatisfy { $0.worker == 2 && $0.attempt == 1 })
        for position in [0, 2, 3, 4] {
            XCTAssertEqual(recorder.ended[position]?.state, .succeeded, "task \(position)")
            XCTAssertEqual(recorder.ended[position]?.completion.exitCode, 0)
        }
        let failed = try XCTUnwrap(recorder.ended[1])
        XCTAssertEqual(failed.state, .failed)
        XCTAssertEqual(failed.completion.outcome, .exited)
        XCTAssertEqual(failed.completion.exitCode, 3)
        XCTAssertEqual(failed.completion.workerRank, 2)
        XCTAssertLessThanOrEqual(failed.completion.startTime, failed.completion.endTime)

        let result = try XCTUnwrap(run.scheduler.result)
        XCTAssertNil(run.scheduler.failure)
        XCTAssertEqual(result.total, 5)
        XCTAssertEqual(result.succeeded, 4)
        XCTAssertEqual(result.failed, 1)
        XCTAssertEqual(result.unfinished, 0)
        XCTAssertEqual(result.firstFailures, [1])
        XCTAssertFalse(result.interrupted)
        XCTAssertEqual(result.exitStatus, .taskFailed)

        let rows = run.joblog.split(separator: "\n").dropFirst().map { $0.components(separatedBy: "\t") }
        XCTAssertEqual(rows.count, 5)
        XCTAssertEqual(rows.map { $0[0] }.sorted(), ["1", "2", "3", "4", "5"])
        let second = try XCTUnwrap(rows.first { $0[0] == "2" })
        XCTAssertEqual(second[1], "testhost")
        XCTAssertEqual(second[6], "3")
        XCTAssertEqual(second[8], "sh -c 'exit 3'")
    }

    func testRetriedTaskRunsAgainWithTheNextAttempt() throws {
        let job = try TaskList(text: "sh -c 'echo $TASKFARM_TASK_ATTEMPT; exit 1'\n")
        let run = try runFarm(job, retries: 2)
        XCTAssertEqual(run.recorder.started.map(\.attempt), [1, 2, 3])
        XCTAssertEqual(run.recorder.retries, [0, 0])
        XCTAssertEqual(run.recorder.ended[0]?.completion.attempt, 3)
        XCTAssertEqual(try output("0.out"), Data("3\n".utf8), "the last attempt's output replaces the earlier ones")
        XCTAssertEqual(run.scheduler.result?.exitStatus, .taskFailed)
    }

    func testAProgramThatCannotStartFailsWith127AndTheWorkerGoesOn() throws {
        let job = try TaskList(text: """
            /nonexistent/program --flag
            no-such-program-taskfarm-test arg
            /bin/echo after
            """)
        let run = try runFarm(job)
        for position in [0, 1] {
            let ended = try XCTUnwrap(run.recorder.ended[position], "task \(position)")
            XCTAssertEqual(ended.state, .failed)
            XCTAssertEqual(ended.completion.outcome, .failedToStart)
            XCTAssertEqual(ended.completion.exitCode, 127)
            XCTAssertNotNil(ended.completion.message)
        }
        XCTAssertEqual(run.recorder.ended[2]?.state, .succeeded)
        XCTAssertEqual(try output("2.out"), Data("after\n".utf8))
        let result = try XCTUnwrap(run.scheduler.result)
        XCTAssertEqual(result.succeeded, 1)
        XCTAssertEqual(result.failed, 2)
        XCTAssertEqual(result.firstFailures, [0, 1])
        XCTAssertEqual(result.exitStatus, .taskFailed)
        XCTAssertTrue(run.joblog.contains("\t127\t0\t/nonexistent/program --flag\n"), run.joblog)
    }

    func testAllSucceedingRunExitsZeroAndAnEmptyJobEndsAtOnce() throws {
        let job = try TaskList(text: (0..<20).map { "/bin/echo \($0)" }.joined(separator: "\n"))
        let run = try runFarm(job, workerSlots: 3)
        XCTAssertEqual(run.scheduler.result?.exitStatus, .success)
        XCTAssertEqual(run.scheduler.result?.succeeded, 20)
        for index in 0..<20 { XCTAssertEqual(try output("\(index).out"), Data("\(index)\n".utf8)) }

        let empty = try runFarm(try TaskList(text: "# nothing\n"))
        XCTAssertEqual(empty.scheduler.result?.total, 0)
        XCTAssertEqual(empty.scheduler.result?.exitStatus, .success)
        XCTAssertEqual(empty.recorder.endCount, 0)
    }

    func testTimeLimitKillsTheTaskAndItEndsTimedOut() throws {
        let job = try TaskList(text: "sleep 30\n/bin/echo next\n")
        let run = try runFarm(job, timeLimit: 0.2)
        let ended = try XCTUnwrap(run.recorder.ended[0])
        XCTAssertEqual(ended.state, .timedOut)
        XCTAssertEqual(ended.completion.outcome, .timedOut)
        XCTAssertEqual(ended.completion.signal, Int(SIGTERM))
        XCTAssertEqual(run.recorder.ended[1]?.state, .succeeded)
        XCTAssertEqual(run.scheduler.result?.failed, 0, "a timed-out task is counted apart")
        XCTAssertEqual(run.scheduler.result?.timedOut, 1)
        XCTAssertEqual(run.scheduler.result?.exitStatus, .taskFailed)
        XCTAssertTrue(run.joblog.contains("\t-1\t15\tsleep 30\n"), run.joblog)
    }

    func testInterruptStopsRunningAndQueuedTasksAndExits75() throws {
        let job = try TaskList(text: String(repeating: "sleep 30\n", count: 10))
        let run = try runFarm(job) { scheduler in try scheduler.signal(SIGTERM) }
        let result = try XCTUnwrap(run.scheduler.result)
        XCTAssertTrue(result.interrupted)
        XCTAssertEqual(result.succeeded, 0)
        XCTAssertEqual(result.unfinished, 10)
        XCTAssertEqual(result.exitStatus, .interrupted)
        XCTAssertEqual(run.recorder.started.count, 1,
                       "one started; the two prefetched waited in the worker's queue and never started")
        XCTAssertEqual(run.recorder.endCount, 1, "only the running task ended; the prefetched two were given back")
        XCTAssertTrue(run.recorder.ended.values.allSatisfy { $0.state == .interrupted })
        XCTAssertFalse(run.joblog.contains("sleep"), "interrupted tasks have no joblog row: they run again")
    }

    func testDrainFinishesWhatWasHandedOutAndStartsNothingNew() throws {
        let job = try TaskList(text: String(repeating: "/bin/echo drained\n", count: 10))
        let run = try runFarm(job) { scheduler in try scheduler.signal(SIGUSR1) }
        let result = try XCTUnwrap(run.scheduler.result)
        XCTAssertEqual(run.recorder.started.count, result.succeeded,
                       "every task that started finished; prefetched ones never started")
        // The running task finishes; prefetched ones that had not started are handed back.
        XCTAssertGreaterThanOrEqual(result.succeeded, 1)
        XCTAssertLessThanOrEqual(result.succeeded, 3)
        XCTAssertEqual(result.succeeded + result.unfinished, 10)
        XCTAssertTrue(result.interrupted)
        XCTAssertEqual(result.exitStatus, .interrupted)
    }

    /// `--output` alone sends both streams to one file (sbatch); opened once, so neither
    /// stream overwrites the other. The worker expands every letter, `%N` included.
    func testOneOutputPatternTakesBothStreamsInOrder() throws {
        let job = try TaskList(text: "sh -c 'echo out; echo err >&2; echo out2'\n", file: "tasks.txt")
        _ = try runFarm(job, output: folder.path + "/logs/%x_%N_%A_%4a_%s.log")
        let file = folder.appendingPathComponent("logs/tasks_testhost_1234567_0000_1.log")
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "out\nerr\nout2\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path + "/output/0.err"),
                       "the default stderr must not be used when --output is given")
    }
}
