import Foundation
import JobSpec
import XCTest

@testable import DRMAA
@testable import TaskFarm

/// The scheduler front ends without a farm: job ids, what qstat, squeue, condor_q and
/// condor_status print, the queue's afterany/afternotok rule, and DRMAA job templates.
final class FrontEndUnitTests: XCTestCase {
    private func task(_ id: Int, _ state: TaskState, job: Int, index: Int?, scheduler: String, name: String = "sweep",
                      held: Bool = false, exitCode: Int? = nil, host: String? = nil) -> QueuedTask {
        var spec = TaskSpec(position: id, arrayIndex: index ?? 0, command: .argv(["true"]),
                            source: SourceLocation(file: "t", line: 1), label: name)
        spec.attributes = [FrontEndJob.Key.scheduler: scheduler, FrontEndJob.Key.job: String(job),
                           FrontEndJob.Key.name: name, FrontEndJob.Key.user: "ann", FrontEndJob.Key.server: "head"]
        if let index { spec.attributes[FrontEndJob.Key.index] = String(index) }
        var listed = QueuedTask(id: id, spec: spec, state: state,
                                worker: host.map { WorkerAd(rank: 2, host: $0, cores: 4, memoryBytes: 1 << 30, slots: 1) },
                                end: state.isFinal ? TaskResult(id: id, state: state.description, exitCode: exitCode) : nil)
        if held { listed.state = "held" }
        return listed
    }

    func testJobIDsAsEachSchedulerWritesThem() throws {
        XCTAssertEqual(try FrontEndJobID(parsing: "12.head", scheduler: .pbs), FrontEndJobID(job: 12))
        XCTAssertEqual(try FrontEndJobID(parsing: "12[].head.example.org", scheduler: .pbs), FrontEndJobID(job: 12))
        XCTAssertEqual(try FrontEndJobID(parsing: "12[3]", scheduler: .pbs), FrontEndJobID(job: 12, element: 3))
        XCTAssertEqual(try FrontEndJobID(parsing: "12_3", scheduler: .slurm), FrontEndJobID(job: 12, element: 3))
        XCTAssertEqual(try FrontEndJobID(parsing: "12.3", scheduler: .condor), FrontEndJobID(job: 12, element: 3))
        for (text, scheduler) in [("x12", FrontEndJob.Scheduler.pbs), ("12[", .pbs), ("12.3", .slurm), ("12_x", .slurm),
                                  ("12_3", .condor), ("", .condor)] {
            XCTAssertThrowsError(try FrontEndJobID(parsing: text, scheduler: scheduler), text)
        }
    }

    func testStampingFixesTheJobsOwnIdsIntoOutputNames() {
        var spec = TaskSpec(position: 0, arrayIndex: 3, command: .argv(["true"]), source: SourceLocation(file: "t", line: 1))
        spec.stdout = "/w/slurm-%A_%a.out"
        spec.stderr = "/w/%x-%N.err"
        let stamped = FrontEndJob.stamp([spec], scheduler: .slurm, first: 40, name: "wrap", isArray: true, now: 5)[0]
        XCTAssertEqual(stamped.stdout, "/w/slurm-41_3.out", "job number 41: queue id 40 + 1")
        XCTAssertEqual(stamped.stderr, "/w/wrap-%N.err")
        XCTAssertEqual(stamped.attributes[FrontEndJob.Key.job], "40")
        XCTAssertEqual(stamped.attributes[FrontEndJob.Key.index], "3")
        XCTAssertEqual(stamped.attributes[FrontEndJob.Key.count], "1")
    }

    func testQstatShowsJobsArraysAndTheirStates() {
        let tasks = [task(0, .running, job: 0, index: nil, scheduler: "pbs", name: "A", host: "n1"),
                     task(1, .pending, job: 1, index: nil, scheduler: "pbs", name: "B", held: true),
                     task(2, .succeeded, job: 2, index: nil, scheduler: "pbs", name: "C", exitCode: 0),
                     task(3, .succeeded, job: 3, index: 1, scheduler: "pbs", name: "arr", exitCode: 0),
                     task(4, .pending, job: 3, index: 2, scheduler: "pbs", name: "arr")]
        let jobs = FrontEndJob.jobs(in: tasks)
        XCTAssertEqual(jobs.map(\.first), [0, 1, 2, 3])
        XCTAssertEqual(jobs.map(\.number), [1, 2, 3, 4], "job numbers start at 1, as PBS's")
        XCTAssertEqual(PBSReports.jobID(jobs[3]), "4[].head")
        let table = PBSReports.table(jobs, finished: false, subjobs: true).split(separator: "\n").map(String.init)
        XCTAssertEqual(table[0], "Job id            Name             User              Time Use S Queue")
        XCTAssertTrue(table[2].hasPrefix("1.head ") && table[2].contains(" R workq"), table[2])
        XCTAssertTrue(table[3].hasPrefix("2.head ") && table[3].contains(" H workq"), table[3])
        XCTAssertFalse(table.contains { $0.hasPrefix("3.head") }, "a finished job leaves qstat's list")
        XCTAssertTrue(table[4].hasPrefix("4[].head ") && table[4].contains(" B workq"), table[4])
        XCTAssertTrue(table[5].hasPrefix("4[2].head ") && table[5].contains(" Q workq"), table[5])
        XCTAssertEqual(table.count, 6)
        XCTAssertTrue(PBSReports.table(jobs, finished: true, subjobs: false).contains("3.head            C"))
        // qdel, qstat and dependencies read the printed number back: 4[2].head is job 4's index 2.
        let named = FrontEndJob.select([try! FrontEndJobID(parsing: "4[2].head", scheduler: .pbs)], in: jobs)
        XCTAssertEqual(named.flatMap(\.tasks).map(\.id), [4])
        XCTAssertEqual(FrontEndJob.select([FrontEndJobID(job: 0)], in: jobs), [], "no job is numbered 0")
        XCTAssertNil(FrontEndJob.queueID(ofNumber: 0))
        XCTAssertEqual(FrontEndJob.queueID(ofNumber: FrontEndJob.number(ofQueueID: 0)), 0)
        XCTAssertTrue(PBSReports.full(jobs[1]).contains("    job_state = H\n"))
    }

    func testSqueueCollapsesPendingElementsAndRendersFormats() {
        var tasks = [task(7, .running, job: 7, index: 1, scheduler: "slurm", name: "wrap", host: "n1"),
                     task(8, .pending, job: 7, index: 2, scheduler: "slurm", name: "wrap"),
                     task(9, .pending, job: 7, index: 3, scheduler: "slurm", name: "wrap"),
                     task(10, .pending, job: 7, index: 5, scheduler: "slurm", name: "wrap"),
                     task(11, .pending, job: 11, index: nil, scheduler: "slurm", name: "after", held: true)]
        tasks[0].runSeconds = 75
        let rows = SlurmReports.rows(FrontEndJob.jobs(in: tasks), all: false)
        XCTAssertEqual(rows.map(\.id), ["8_[2-3,5]", "8_1", "12"], "queue ids 7 and 11 are jobs 8 and 12, from 1 as Slurm's")
        let text = SlurmReports.render(rows, format: SlurmReports.defaultFormat, header: true)
        XCTAssertEqual(text.split(separator: "\n").map(String.init), [
            "             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)",
            "         8_[2-3,5]      farm     wrap      ann PD       0:00      1 (Priority)",
            "               8_1      farm     wrap      ann  R       1:15      1 n1",
            "                12      farm    after      ann PD       0:00      1 (Dependency)"])
        XCTAssertEqual(SlurmReports.render(rows, format: "%i|%A|%a|%T|%r", header: false),
                       "8_[2-3,5]|8|[2-3,5]|PENDING|Priority\n8_1|8|1|RUNNING|None\n12|12|N/A|PENDING|Dependency")
        XCTAssertEqual(SlurmReports.rows(FrontEndJob.jobs(in: tasks), all: false, expandArrays: true).map(\.id),
                       ["8_1", "8_2", "8_3", "8_5", "12"])
    }

    func testCondorSubmitAndCondorQPrintWhatHTCondorPrints() {
        XCTAssertEqual(CondorReports.submitted(count: 3, cluster: 12, terse: false),
                       "Submitting job(s)...\n3 job(s) submitted to cluster 12.")
        XCTAssertEqual(CondorReports.submitted(count: 3, cluster: 12, terse: true), "12.0 - 12.2")
        let tasks = (0..<4).map { proc in
            task(11 + proc, proc == 0 ? .succeeded : proc == 1 ? .running : .pending, job: 11, index: proc,
                 scheduler: "condor", exitCode: proc == 0 ? 0 : nil)
        }
        let text = CondorReports.batches(FrontEndJob.jobs(in: tasks), address: "h:1", now: Date(timeIntervalSince1970: 0))
        // Queue ids 11 and on are cluster 12: clusters count from 1, as HTCondor's.
        let line = try? XCTUnwrap(text.split(separator: "\n").first { $0.contains("ID: 12") })
        XCTAssertNotNil(line, text)
        XCTAssertTrue(line?.hasSuffix("1      1       2      4 12.1-3") ?? false, String(line ?? ""))
        XCTAssertTrue(text.contains("Total for query: 3 jobs; 0 completed, 0 removed, 2 idle, 1 running, 0 held, 0 suspended"), text)
    }

    func testCondorStatusMatchesConstraintsAgainstMachineAds() throws {
        let ads = CondorReports.machineAds([
            WorkerAd(rank: 2, host: "n1", cores: 8, memoryBytes: 4 << 30, slots: 4, arch: "X86_64").classAd.mapValues { "\($0)" },
            WorkerAd(rank: 3, host: "n2", cores: 8, memoryBytes: 1 << 30, slots: 1, arch: "X86_64").classAd.mapValues { "\($0)" },
        ], busyRanks: [3])
        let constraint = try ClassAdExpression(parsing: "Memory >= 2048 && Arch == \"x86_64\"", location: SourceLocation(file: "", line: 0))
        let matching = ads.filter { constraint.matches($0) }
        XCTAssertEqual(CondorReports.autoformat(matching, attributes: ["Name", "Cpus", "State"]), "slot2@n1 4 Unclaimed")
        XCTAssertEqual(CondorReports.autoformat(ads, attributes: ["machine", "Activity"]), "n1 Idle\nn2 Busy")
        XCTAssertTrue(CondorReports.long(matching).contains("Machine = \"n1\"\n"))
    }

    func testAfterAnyAndAfterNotOK() {
        var rule = QueueDependencies()
        var states: [TaskState] = [.pending, .pending]
        XCTAssertEqual(rule.admit(2, requiring: [.init(id: 0, condition: .any)], stateOf: { states[$0] }), .held)
        XCTAssertEqual(rule.admit(3, requiring: [.init(id: 0, condition: .notOK)], stateOf: { states[$0] }), .held)
        XCTAssertEqual(rule.admit(4, requiring: [.init(id: 0, condition: .ok), .init(id: 1, condition: .notOK)],
                                  stateOf: { states[$0] }), .held)
        states[0] = .failed
        let ended = rule.ended(0, state: .failed)
        XCTAssertEqual(ended.released.sorted(), [2, 3])
        XCTAssertEqual(ended.cancelled.map(\.task), [4])
        XCTAssertEqual(ended.cancelled.first?.reason, "parent task 0 failed (afterok)")
        // A parent that succeeded cancels an afternotok child at once.
        states[1] = .succeeded
        XCTAssertEqual(rule.admit(5, requiring: [.init(id: 1, condition: .notOK)], stateOf: { states[$0] }),
                       .cancelled(reason: "parent task 1 succeeded (afternotok)"))
        XCTAssertEqual(rule.admit(6, requiring: [.init(id: 0, condition: .any), .init(id: 1, condition: .any)],
                                  stateOf: { states[$0] }), .ready)
    }

    func testDRMAATemplatesPlaceholdersAndNativeSpecification() throws {
        let template = DRMAAJobTemplate()
        try template.set("drmaa_remote_command", "/bin/echo")
        try template.setVector("drmaa_v_argv", ["run", DRMAANames.incrementPlaceholder])
        try template.set("drmaa_wd", DRMAANames.homePlaceholder + "/runs")
        try template.set("drmaa_output_path", "node1:" + DRMAANames.workingDirectoryPlaceholder + "/out.$drmaa_incr_ph$.txt")
        try template.set("drmaa_join_files", "y")
        try template.set("drmaa_native_specification", "-c 2 --mem=1G --time=5")
        try template.setVector("drmaa_v_env", ["A=1", "B=x=y"])
        let spec = try template.task(index: 7, home: "/home/ann", native: DRMAASession.native)
        XCTAssertEqual(spec.command, .argv(["/bin/echo", "run", "7"]))
        XCTAssertEqual(spec.workingDirectory, "/home/ann/runs")
        XCTAssertEqual(spec.stdout, "/home/ann/runs/out.7.txt")
        XCTAssertEqual(spec.stderr, spec.stdout)
        XCTAssertEqual(spec.slots, 2)
        XCTAssertEqual(spec.memoryMiB, 1024)
        XCTAssertEqual(spec.timeLimit, 300)
        XCTAssertEqual(spec.environment, .inherit(set: ["A": "1", "B": "x=y"]))

        XCTAssertThrowsError(try template.set("drmaa_js_state", "drmaa_hold"))
        XCTAssertThrowsError(try template.set("drmaa_start_time", "10:00"))
        XCTAssertThrowsError(try template.setVector("drmaa_v_env", ["novalue"]))
        try template.set("drmaa_native_specification", "--arary=1-3")
        XCTAssertThrowsError(try template.task(index: nil, home: "/h", native: DRMAASession.native)) { error in
            XCTAssertEqual((error as? DRMAAFailure)?.code, .invalidAttributeValue)
        }
        XCTAssertThrowsError(try DRMAAJobTemplate().task(index: nil, home: "/h", native: DRMAASession.native))
    }

    func testDRMAAWaitStatusEncoding() {
        let exited = DRMAAStatus.encode(task(1, .failed, job: 1, index: nil, scheduler: "drmaa", exitCode: 3))
        XCTAssertTrue(DRMAAStatus.exited(exited))
        XCTAssertEqual(DRMAAStatus.exitStatus(exited), 3)
        XCTAssertFalse(DRMAAStatus.aborted(exited))
        var killed = task(2, .cancelled, job: 2, index: nil, scheduler: "drmaa")
        killed.end = TaskResult(id: 2, state: "cancelled", signal: 15)
        XCTAssertTrue(DRMAAStatus.signaled(DRMAAStatus.encode(killed)))
        XCTAssertEqual(DRMAAStatus.signalName(DRMAAStatus.signal(DRMAAStatus.encode(killed))), "SIGTERM")
        let never = DRMAAStatus.encode(task(3, .cancelled, job: 3, index: nil, scheduler: "drmaa"))
        XCTAssertTrue(DRMAAStatus.aborted(never))
        XCTAssertFalse(DRMAAStatus.exited(never))
    }
}
