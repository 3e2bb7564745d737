import Foundation
import TestSupport
import XCTest

/// Job arrays as HTCondor, PBS and Slurm users write them, run end to end under mpirun:
/// the examples in Examples/arrays, the shared cases (Fixtures/submit, Fixtures/arrays),
/// matchmaking, the HTCondor event log and the notification hook.
final class JobArrayTests: XCTestCase {
    private static let examples = Harness.packageRoot.appendingPathComponent("Examples/arrays")

    /// A fresh folder holding a copy of Examples/arrays.
    private func exampleFolder(_ name: String = #function) throws -> URL {
        let folder = try Harness.temporaryFolder(name)
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.examples.path) {
            try FileManager.default.copyItem(at: Self.examples.appendingPathComponent(file),
                                            to: folder.appendingPathComponent(file))
        }
        return folder
    }

    /// `key=value` lines of a report.py output file.
    private func report(_ name: String, in folder: URL) -> [String: String] {
        Harness.keyValues(name, in: folder)
    }

    /// The run id, from the one file name in `folder` matching `prefix` RUNID `suffix`.
    private func runID(in folder: URL, prefix: String, suffix: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let ids = Set(names.compactMap { name -> String? in
            guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
            let middle = name.dropFirst(prefix.count).dropLast(suffix.count)
            return middle.allSatisfy(\.isNumber) && !middle.isEmpty ? String(middle) : nil
        })
        XCTAssertEqual(ids.count, 1, "\(names)")
        return try XCTUnwrap(ids.first)
    }

    // MARK: The examples

    func testHTCondorExampleRunsWithScratchFoldersAndEventLog() throws {
        let folder = try exampleFolder()
        let outcome = try Harness.taskfarm(["run", "sweep.sub"], ranks: 4, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let cluster = try runID(in: folder, prefix: "sweep.", suffix: ".0.out")
        for proc in 0..<4 {
            let values = report("sweep.\(cluster).\(proc).out", in: folder)
            XCTAssertEqual(values["index"], String(proc))
            XCTAssertEqual(values["cwd"], folder.path)
            XCTAssertEqual(values["GREETING"], "hello")
            XCTAssertNotNil(values["host"])
            XCTAssertNotNil(values["user"])
            let scratch = try XCTUnwrap(values["_CONDOR_SCRATCH_DIR"])
            XCTAssertFalse(FileManager.default.fileExists(atPath: scratch), "the scratch folder \(scratch) was left behind")
            XCTAssertEqual(Harness.read("sweep.\(cluster).\(proc).err", in: folder), "")
        }
        let log = Harness.read("sweep.log", in: folder) ?? ""
        for (code, count) in [("000", 4), ("001", 4), ("005", 4)] {
            XCTAssertEqual(log.split(separator: "\n").filter { $0.hasPrefix(code + " (") }.count, count, log)
        }
        XCTAssertTrue(log.contains("005 (\(cluster).003.000)"), log)
    }

    func testPBSExampleRunsWithItsVariablesAndTemporaryFolders() throws {
        let folder = try exampleFolder()
        let outcome = try Harness.taskfarm(["run", "sweep.pbs"], ranks: 4, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let runID = try runID(in: folder, prefix: "sweep.o", suffix: ".0")
        var temporaryFolders = Set<String>()
        for index in 0..<4 {
            let values = report("sweep.o\(runID).\(index)", in: folder)
            XCTAssertEqual(values["index"], String(index))
            XCTAssertEqual(values["cwd"], folder.path)
            XCTAssertTrue(values["PBS_JOBID"]?.hasPrefix("\(runID)[\(index)].") == true, "\(values)")
            let temporary = try XCTUnwrap(values["TMPDIR"])
            XCTAssertFalse(FileManager.default.fileExists(atPath: temporary), "TMPDIR \(temporary) was left behind")
            temporaryFolders.insert(temporary)
        }
        XCTAssertEqual(temporaryFolders.count, 4, "each subjob gets its own TMPDIR")
    }

    func testSlurmExampleRunsWithItsVariables() throws {
        let folder = try exampleFolder()
        let outcome = try Harness.taskfarm(["run", "sweep.slurm"], ranks: 4, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let runID = try runID(in: folder, prefix: "sweep-", suffix: "_0.out")
        for index in 0..<4 {
            let values = report("sweep-\(runID)_\(index).out", in: folder)
            XCTAssertEqual(values["index"], String(index))
            XCTAssertEqual(values["SLURM_ARRAY_JOB_ID"], runID)
            XCTAssertEqual(values["SLURM_JOB_NAME"], "sweep")
        }
    }

    /// The report program itself fails when a variable is missing, so the examples'
    /// success above means every variable was there.
    func testReportFailsWhenAVariableIsMissing() throws {
        let folder = try exampleFolder()
        var environment = ProcessInfo.processInfo.environment
        environment["SLURM_ARRAY_TASK_ID"] = "5"
        environment["TASKFARM_SURELY_UNSET"] = nil
        let outcome = try Harness.run("/usr/bin/env", ["python3", "report.py", "TASKFARM_SURELY_UNSET"], in: folder,
                                      environment: environment)
        XCTAssertEqual(outcome.status, 2)
        XCTAssertTrue(outcome.stdout.contains("index=5"), outcome.stdout)
        XCTAssertTrue(outcome.stderr.contains("TASKFARM_SURELY_UNSET"), outcome.stderr)
    }

    /// Inside a real allocation, Slurm and PBS tasks still see their own job ids and node
    /// lists, as each element of a real array would (not the enclosing job's); HTCondor tasks
    /// start from a clean environment, as HTCondor starts them.
    func testElementsSeeTheirOwnIdsInsideARealAllocation() throws {
        let folder = try Harness.temporaryFolder()
        let show = "for v in SLURM_JOB_ID SLURM_JOB_NODELIST PBS_JOBID PBS_NODEFILE SLURM_ARRAY_JOB_ID PBS_ARRAY_INDEX; do eval \"echo $v=\\${$v-unset}\"; done"
        try Harness.write("#!/bin/sh\n#SBATCH --array=0-1\n#SBATCH --output=slurm.%a\n\(show)\n", to: "a.slurm", in: folder)
        try Harness.write("#!/bin/sh\n#PBS -J 0-1\n#PBS -o pbs.^array_index^\n#PBS -j oe\n\(show)\n", to: "a.pbs", in: folder)
        try Harness.write("#!/bin/sh\n\(show)\n", to: "show.sh", in: folder, executable: true)
        try Harness.write("executable = show.sh\noutput = condor.$(Process)\nqueue 1\n", to: "a.sub", in: folder)
        var environment = Harness.mpiEnvironment
        environment["SLURM_JOB_ID"] = "777"
        environment["SLURM_JOB_NODELIST"] = "node[1-2]"
        environment["PBS_JOBID"] = "555.server"
        environment["PBS_NODEFILE"] = "/var/spool/pbs/aux/555.server"
        // Keep mpirun itself from launching through the (fake) Slurm or PBS allocation.
        environment["OMPI_MCA_ras"] = "^slurm,tm"
        environment["OMPI_MCA_plm"] = "^slurm,tm"
        environment["OMPI_MCA_ess"] = "^slurm,tm"
        for file in ["a.slurm", "a.pbs", "a.sub"] {
            // --walltime: the farm would otherwise ask squeue/qstat about the fake job.
            let outcome = try Harness.run(Harness.mpirun, ["-np", "4", "--oversubscribe", Harness.taskfarm, "run", file,
                                                           "--walltime", "1h"], in: folder, environment: environment)
            XCTAssertEqual(outcome.status, 0, "\(file): \(outcome.stderr)")
        }
        let slurm = report("slurm.1", in: folder)
        let arrayJob = try XCTUnwrap(slurm["SLURM_ARRAY_JOB_ID"].flatMap { Int($0) })
        XCTAssertNotEqual(arrayJob, 777, "array job ids come from the farm's run id")
        XCTAssertEqual(slurm["SLURM_JOB_ID"], String(arrayJob + 1), "the element's own job id")
        XCTAssertNotEqual(slurm["SLURM_JOB_NODELIST"], "node[1-2]", "the node list of a one-node job: its worker's")
        let pbs = report("pbs.1", in: folder)
        XCTAssertTrue(pbs["PBS_JOBID"]?.contains("[1].") ?? false, "the subjob's own id: \(pbs)")
        XCTAssertNotEqual(pbs["PBS_NODEFILE"], "/var/spool/pbs/aux/555.server", "the subjob's own node file")
        XCTAssertEqual(pbs["PBS_ARRAY_INDEX"], "1")
        XCTAssertEqual(pbs["SLURM_JOB_ID"], "unset", "PBS without -V passes only login and PBS_* variables")
        let condor = report("condor.0", in: folder)
        for name in ["SLURM_JOB_ID", "SLURM_JOB_NODELIST", "PBS_JOBID", "PBS_NODEFILE"] {
            XCTAssertEqual(condor[name], "unset", "HTCondor tasks start from a clean environment")
        }
    }

    // MARK: Shared cases

    private func copyFixture(_ path: String, to folder: URL) throws {
        let source = Harness.fixtures.appendingPathComponent(path)
        try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent(source.lastPathComponent))
    }

    /// `taskfarm check --json FILE`'s tasks.
    private func checkedTasks(_ file: String, in folder: URL) throws -> [[String: Any]] {
        let outcome = try Harness.taskfarm(["check", "--json", file], ranks: 1, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        return try XCTUnwrap(json?["tasks"] as? [[String: Any]])
    }

    func testArgumentsQuotingCaseGivesTheDocumentedArgv() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.installProg(in: folder)
        try copyFixture("submit/arguments-quoting.sub", to: folder)
        let tasks = try checkedTasks("arguments-quoting.sub", in: folder)
        XCTAssertEqual(tasks.map { $0["index"] as? Int }, [0, 1])
        let expected = ["--sh", "convert -swirl 90 a.jpg b.jpg", "--stop", "\"2025-01-01", "00:00\"", "--tag", "it's"]
        for task in tasks {
            XCTAssertEqual((task["argv"] as? [String]).map { Array($0.dropFirst()) }, expected)
        }
        let table = try Harness.taskfarm(["check", "arguments-quoting.sub"], ranks: 1, in: folder)
        XCTAssertFalse(table.stdout.contains("$("), table.stdout)

        try FileManager.default.createDirectory(at: folder.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let outcome = try Harness.taskfarm(["run", "arguments-quoting.sub"], ranks: 4, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let cluster = try runID(in: folder.appendingPathComponent("logs"), prefix: "o.", suffix: ".0")
        for proc in 0..<2 {
            XCTAssertEqual(Harness.read("logs/o.\(cluster).\(proc)", in: folder), expected.joined(separator: "\n") + "\n")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("logs").path)
        XCTAssertFalse(names.contains { $0.contains("$") }, "\(names)")
    }

    func testOldSyntaxErrorCaseIsRejectedNamingLine2() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.installProg(in: folder)
        try copyFixture("submit/old-syntax-error.sub", to: folder)
        for command in ["check", "run"] {
            let outcome = try Harness.taskfarm([command, "old-syntax-error.sub"], ranks: 1, in: folder)
            XCTAssertEqual(outcome.status, 65, "\(command): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains("old-syntax-error.sub:2"), "\(command): \(outcome.stderr)")
        }
    }

    /// The directive lines of Fixtures/arrays/pbs-ranges.txt, each as its own script.
    private func rangeScripts(in folder: URL) throws -> [String: String] {
        let text = try String(contentsOf: Harness.fixtures.appendingPathComponent("arrays/pbs-ranges.txt"), encoding: .utf8)
        var scripts: [String: String] = [:]
        for (number, line) in text.split(separator: "\n").enumerated() {
            let name = "range\(number)" + (line.hasPrefix("#SBATCH") ? ".slurm" : ".pbs")
            let body = line.hasPrefix("#SBATCH")
                ? "t=$SLURM_ARRAY_TASK_ID\ndate +%s.%N > start.$t\nsleep 1\ndate +%s.%N > end.$t\n"
                : "./prog \"$PBS_ARRAY_INDEX\"\n"
            try Harness.write("#!/bin/sh\n\(line)\n\(body)", to: name, in: folder)
            scripts[String(line)] = name
        }
        return scripts
    }

    func testPBSRangesGiveTheDocumentedIndicesOrClearErrors() throws {
        let folder = try Harness.temporaryFolder()
        let scripts = try rangeScripts(in: folder)
        let stepped = try XCTUnwrap(scripts["#PBS -J 0-10:5"])
        XCTAssertEqual(try checkedTasks(stepped, in: folder).map { $0["index"] as? Int }, [0, 5, 10])
        for (line, expectation) in [("#PBS -J 4-4", "start < end"), ("#PBS -J 3,9,27", "not a list")] {
            let script = try XCTUnwrap(scripts[line])
            for command in ["check", "run"] {
                let outcome = try Harness.taskfarm([command, script], ranks: 1, in: folder)
                XCTAssertEqual(outcome.status, 65, "\(line) \(command): \(outcome.stderr)")
                XCTAssertTrue(outcome.stderr.contains("\(script):2"), outcome.stderr)
                XCTAssertTrue(outcome.stderr.contains(expectation), outcome.stderr)
            }
        }
    }

    /// `--array=1-7:3%2` on three workers: the three tasks run, never more than two at once.
    func testSlurmThrottleNeverRunsMoreThanTwoAtOnce() throws {
        let folder = try Harness.temporaryFolder()
        let script = try XCTUnwrap(try rangeScripts(in: folder)["#SBATCH --array=1-7:3%2"])
        XCTAssertEqual(try checkedTasks(script, in: folder).map { $0["index"] as? Int }, [1, 4, 7])
        let outcome = try Harness.taskfarm(["run", script], ranks: 5, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        var spans: [(start: Double, end: Double)] = []
        for index in [1, 4, 7] {
            let start = try XCTUnwrap(Harness.read("start.\(index)", in: folder).flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
            let end = try XCTUnwrap(Harness.read("end.\(index)", in: folder).flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
            spans.append((start, end))
        }
        for span in spans {
            let overlapping = spans.filter { $0.start <= span.start && span.start < $0.end }.count
            XCTAssertLessThanOrEqual(overlapping, 2, "\(spans)")
        }
    }

    // MARK: Matchmaking

    /// Tasks no worker can match are reported at once, with the unmet clause, before any
    /// other task ends (not when they reach the head of the queue), and the rest run.
    func testUnmatchableRequirementsAreReportedAtOnce() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("""
            executable = /bin/sh
            arguments  = "-c 'sleep 0.2'"
            log        = run.log
            queue 6
            requirements = Target.Memory > 900000000 && OpSys == "LINUX"
            queue 2
            """, to: "m.sub", in: folder)
        let outcome = try Harness.taskfarm(["run", "m.sub", "--prefetch", "0", "--joblog", "j.tsv"], ranks: 4, in: folder)
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("can never run"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("Target.Memory > 900000000 is false on 2 of 2 worker(s)"), outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("6 of 8 tasks succeeded"), outcome.stdout)
        let lines = (Harness.read("run.log", in: folder) ?? "").split(separator: "\n")
        let firstAbort = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("009 ") })
        let firstEnd = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("005 ") })
        XCTAssertLessThan(firstAbort, firstEnd, "the unmatchable tasks were left queued behind the others")
        XCTAssertEqual(lines.filter { $0.hasPrefix("009 ") }.count, 2)
    }

    /// `rank` picks the worker: the highest `TaskFarmRank`, or the lowest when negated.
    func testRankPrefersTheHighestRankedWorker() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("""
            executable = /bin/sh
            arguments  = "-c 'echo $TASKFARM_WORKER_RANK'"
            rank       = TaskFarmRank
            output     = high.out
            queue
            rank       = -TaskFarmRank
            output     = low.out
            queue
            """, to: "r.sub", in: folder)
        let outcome = try Harness.taskfarm(["run", "r.sub", "--prefetch", "0"], ranks: 5, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(Harness.read("high.out", in: folder), "4\n")
        XCTAssertEqual(Harness.read("low.out", in: folder), "2\n")
    }

    // MARK: Event log and notifications

    /// 100 procs exiting with `$(Process) % 3`: HTCondor's own reader sees 100 terminated
    /// events with those return values.
    func testHTCondorReadsTheEventLogOfA100ProcRun() throws {
        let probe = try Harness.run("/usr/bin/env", ["python3", "-c", "import htcondor2"], in: FileManager.default.temporaryDirectory,
                                    environment: ProcessInfo.processInfo.environment)
        if probe.status != 0 {
            throw XCTSkip("htcondor2 (pip install htcondor) is not importable: \(probe.stderr.suffix(200))")
        }
        let folder = try Harness.temporaryFolder()
        try Harness.write("#!/bin/sh\nexit $(( $1 % 3 ))\n", to: "ret.sh", in: folder, executable: true)
        try Harness.write("""
            executable = ret.sh
            arguments  = $(Process)
            log        = hundred.log
            queue 100
            """, to: "h.sub", in: folder)
        let outcome = try Harness.taskfarm(["run", "h.sub"], ranks: 4, in: folder)
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        try Harness.write("""
            import htcondor2, json
            counts, values = {}, {}
            for event in htcondor2.JobEventLog("hundred.log").events(stop_after=0):
                counts[int(event.type)] = counts.get(int(event.type), 0) + 1
                if event.type == htcondor2.JobEventType.JOB_TERMINATED:
                    values[event.proc] = event["ReturnValue"]
            print(json.dumps({"counts": counts, "values": values}))
            """, to: "read.py", in: folder)
        let read = try Harness.run("/usr/bin/env", ["python3", "read.py"], in: folder,
                                   environment: ProcessInfo.processInfo.environment)
        XCTAssertEqual(read.status, 0, read.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: [String: Int]])
        XCTAssertEqual(json["counts"], ["0": 100, "1": 100, "5": 100])
        let values = try XCTUnwrap(json["values"])
        XCTAssertEqual(values.count, 100)
        for proc in 0..<100 { XCTAssertEqual(values[String(proc)], proc % 3, "proc \(proc)") }
    }

    /// `notification = Error` calls the hook for a signal but not for a non-zero exit;
    /// `Complete` for any end; `Never` not at all. A hook that leaves a background process
    /// behind (as `mail ... &` would) does not hold the farm at its exit.
    func testNotifyCommandFollowsNotification() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("""
            executable   = /bin/sh
            notify_user  = ann@example.org
            notification = Error
            arguments    = "-c 'exit 1'"
            queue
            arguments    = "-c 'kill -9 $$'"
            queue
            notification = Complete
            arguments    = "-c 'exit 0'"
            queue
            notification = Never
            arguments    = "-c 'exit 4'"
            queue
            """, to: "n.sub", in: folder)
        let lingering = "sleep \(Int.random(in: 700_000..<800_000))"
        defer { ProcessTable.processes(exactly: lingering).forEach { kill($0, SIGKILL) } }
        let hook = "echo \"$TASKFARM_NOTIFY_INDEX $TASKFARM_NOTIFY_STATE x$TASKFARM_NOTIFY_EXIT_CODE s$TASKFARM_NOTIFY_SIGNAL $TASKFARM_NOTIFY_USER\" >> notes.txt; \(lingering) &"
        let outcome = try Harness.taskfarm(["run", "n.sub", "--notify-command", hook], ranks: 4, in: folder, timeout: 60)
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        let notes = (Harness.read("notes.txt", in: folder) ?? "").split(separator: "\n").map(String.init).sorted()
        XCTAssertEqual(notes, ["1 failed x s9 ann@example.org", "2 succeeded x0 s ann@example.org"])
    }
}
