import Foundation
import XCTest

/// Resources per task, counted per host, under real `mpirun` (issue 13): cores, GPUs by id,
/// refusals of requests no host can hold, and the reservation that keeps a wide task from
/// starving behind narrow ones. Each task records its own start and end (`date +%s.%N`),
/// so overlaps are measured as the tasks saw them.
final class TaskResourceTests: XCTestCase {
    /// One task's record: what it was given and when it ran.
    struct Record {
        var index: Int
        var cores: Int
        var devices: [String]
        var start: Double
        var end: Double
    }

    /// A shell line that writes `r.INDEX` with OMP_NUM_THREADS, CUDA_VISIBLE_DEVICES, start
    /// and end, around a sleep of `seconds`.
    static func recorder(index: String, seconds: Double) -> String {
        "s=$(date +%s.%N); sleep \(seconds); echo \"$OMP_NUM_THREADS ${CUDA_VISIBLE_DEVICES-unset} $s $(date +%s.%N)\" > r.\(index)"
    }

    static func records(in folder: URL, count: Int) -> [Record] {
        (0..<count).compactMap { index in
            guard let text = Harness.read("r.\(index)", in: folder) else { return nil }
            let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
            guard words.count == 4, let cores = Int(words[0]), let start = Double(words[2]), let end = Double(words[3])
            else { return nil }
            let devices = words[1] == "unset" ? [] : words[1].split(separator: ",").map(String.init)
            return Record(index: index, cores: cores, devices: devices, start: start, end: end)
        }
    }

    /// The most of `weight` held at once by overlapping records.
    static func peak(_ records: [Record], weight: (Record) -> Int) -> Int {
        var events: [(time: Double, change: Int)] = []
        for record in records {
            events.append((record.start, weight(record)))
            events.append((record.end, -weight(record)))
        }
        // An end before a start at the same instant.
        events.sort { (left: (time: Double, change: Int), right: (time: Double, change: Int)) -> Bool in
            left.time != right.time ? left.time < right.time : left.change < right.change
        }
        var now = 0
        var most = 0
        for (_, change) in events {
            now += change
            most = max(most, now)
        }
        return most
    }

    /// The CPUs this process may use: the host's pool when nothing overrides it.
    static var hostCores: Int { ProcessInfo.processInfo.activeProcessorCount }

    func testSlurmArrayWithTwoCoresPerTaskRunsUnderPlainMpirunWithinTheHostsCores() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("""
            #!/bin/sh
            #SBATCH --array=0-5
            #SBATCH --cpus-per-task=2
            \(Self.recorder(index: "$SLURM_ARRAY_TASK_ID", seconds: 0.5))
            """, to: "array.slurm", in: folder)
        let outcome = try Harness.taskfarm(["run", "array.slurm"], ranks: 4, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("6 of 6 tasks succeeded"), outcome.stdout)
        let records = Self.records(in: folder, count: 6)
        XCTAssertEqual(records.count, 6)
        XCTAssertEqual(Set(records.map(\.cores)), [2], "every task sees OMP_NUM_THREADS=2")
        XCTAssertLessThanOrEqual(Self.peak(records) { $0.cores }, max(2, Self.hostCores),
                                 "never more cores busy than the host has")
    }

    func testHTCondorTasksAskingTwoGPUsRunTwoAtATimeOnDisjointDevices() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("#!/bin/sh\n" + Self.recorder(index: "$1", seconds: 0.6) + "\n", to: "gpu.sh", in: folder,
                          executable: true)
        try Harness.write("""
            executable = gpu.sh
            arguments = $(Process)
            getenv = true
            request_gpus = 2
            queue 6
            """, to: "gpu.sub", in: folder)
        let outcome = try Harness.taskfarm(["run", "gpu.sub", "--gpus-per-host", "4", "--cpus-per-host", "4"],
                                           ranks: 4, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let records = Self.records(in: folder, count: 6)
        XCTAssertEqual(records.count, 6)
        for record in records {
            XCTAssertEqual(record.devices.count, 2, "task \(record.index) holds two GPUs: \(record.devices)")
            XCTAssertTrue(Set(record.devices).isSubset(of: ["0", "1", "2", "3"]))
        }
        XCTAssertEqual(Self.peak(records) { _ in 1 }, 2, "two at a time: four GPUs, two each")
        for (a, first) in records.enumerated() {
            for second in records[(a + 1)...] where first.start < second.end && second.start < first.end {
                XCTAssertTrue(Set(first.devices).isDisjoint(with: second.devices),
                              "tasks \(first.index) and \(second.index) overlap on \(first.devices) and \(second.devices)")
            }
        }
    }

    /// `--gpus-per-host N` counts GPUs as Slurm's `--gpus-per-node=N` does (ids 0 ... N-1,
    /// 0 for none); it once took a bare number as one GPU id, so that 0 meant GPU 0. Ids
    /// are named with `--gpu-ids-per-host`.
    func testGPUsPerHostIsACountAsSlurmCountsAndIDsAreNamedApart() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("echo $CUDA_VISIBLE_DEVICES > gpu.$TASKFARM_TASK_INDEX\n", to: "tasks.txt", in: folder)
        func check(_ options: [String], gpusPerTask: Int) throws -> Harness.Outcome {
            try Harness.run(Harness.taskfarm, ["check", "tasks.txt", "--gpus-per-task", "\(gpusPerTask)"] + options, in: folder)
        }
        /// Whether the hosts `options` describe hold a task of `gpus` GPUs; a refused option fails the test.
        func fits(_ options: [String], gpus: Int) throws -> Bool {
            let outcome = try check(options, gpusPerTask: gpus)
            XCTAssertTrue(outcome.status == 0 || outcome.stderr.contains("can never run"), "\(options): \(outcome.stderr)")
            return outcome.status == 0
        }
        /// Whether `options` are refused as a usage error naming `option`.
        func refused(_ options: [String], naming option: String) throws -> Bool {
            let outcome = try check(options, gpusPerTask: 1)
            return outcome.status == 64 && outcome.stderr.contains(option) && !outcome.stderr.contains("can never run")
        }
        XCTAssertFalse(try fits(["--gpus-per-host", "0"], gpus: 1), "0 GPUs per host cannot hold a 1-GPU task")
        XCTAssertFalse(try fits(["--gpus-per-host", "none"], gpus: 1))
        XCTAssertTrue(try fits(["--gpus-per-host", "1"], gpus: 1))
        XCTAssertTrue(try fits(["--gpus-per-host", "2"], gpus: 2))
        XCTAssertFalse(try fits(["--gpus-per-host", "2"], gpus: 3))
        let list = try check(["--gpus-per-host", "0,2"], gpusPerTask: 1)
        XCTAssertEqual(list.status, 64, list.stderr)
        XCTAssertTrue(list.stderr.contains("expected a count of GPUs") && list.stderr.contains("--gpu-ids-per-host 0,2"),
                      list.stderr)
        for bad in ["-1", "65537", "two"] {
            XCTAssertTrue(try refused(["--gpus-per-host", bad], naming: "--gpus-per-host"), bad)
        }
        XCTAssertTrue(try fits(["--gpu-ids-per-host", "0,2"], gpus: 2))
        XCTAssertFalse(try fits(["--gpu-ids-per-host", "0,2"], gpus: 3))
        XCTAssertTrue(try fits(["--gpu-ids-per-host", "3"], gpus: 1), "one id, named")
        XCTAssertTrue(try refused(["--gpu-ids-per-host", "0,0"], naming: "--gpu-ids-per-host"))
        XCTAssertTrue(try refused(["--gpus-per-host", "2", "--gpu-ids-per-host", "0,1"], naming: "give one"))
        // What the tasks see: the ids counted from 0, or the ids named.
        for (options, ids) in [(["--gpus-per-host", "2"], ["0", "1"]), (["--gpu-ids-per-host", "3,5"], ["3", "5"])] {
            let outcome = try Harness.taskfarm(["run", "tasks.txt", "--gpus-per-task", "1", "--state-dir", "state-\(ids[0])"]
                                               + options, ranks: 2, in: folder)
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            let seen = (Harness.read("gpu.0", in: folder) ?? "").trimmingCharacters(in: .newlines)
            XCTAssertTrue(ids.contains(seen), "\(options): task 0 saw CUDA_VISIBLE_DEVICES '\(seen)'")
        }
    }

    func testRequestCpus64IsRefusedByCheckAndRunNamingTheLine() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("""
            executable = /bin/touch
            arguments = ran.$(Process)
            request_cpus = 64
            queue 2
            """, to: "big.sub", in: folder)
        let check = try Harness.run(Harness.taskfarm, ["check", "big.sub"], in: folder)
        XCTAssertEqual(check.status, 65, check.stderr)
        XCTAssertTrue(check.stderr.contains("big.sub:3"), "the request_cpus line: \(check.stderr)")
        XCTAssertTrue(check.stderr.contains("64 cores"), check.stderr)
        XCTAssertTrue(check.stderr.contains("largest host"), check.stderr)
        let declared = try Harness.run(Harness.taskfarm, ["check", "big.sub", "--cpus-per-host", "64"], in: folder)
        XCTAssertEqual(declared.status, 0, "hosts declared large enough: \(declared.stderr)")

        let run = try Harness.taskfarm(["run", "big.sub"], ranks: 3, in: folder)
        XCTAssertEqual(run.status, 65, run.stderr)
        XCTAssertTrue(run.stderr.contains("big.sub:3"), run.stderr)
        XCTAssertNil(Harness.read("ran.0", in: folder), "nothing ran")
    }

    /// A 2-core task behind a stream of 1-core tasks on a 2-core host: it takes the
    /// reservation, no task behind it overtakes it, and it starts as soon as the tasks
    /// ahead of it have ended: within one task length.
    func testAWideTaskBehindNarrowOnesStartsWithinOneTaskLengthAndCoresAreNeverExceeded() throws {
        let folder = try Harness.temporaryFolder()
        var lines: [String] = []
        for index in 0..<10 {
            if index == 2 { lines.append("#TASKFARM RESOURCES cpus=2") }
            if index == 3 { lines.append("#TASKFARM RESOURCES") }
            lines.append(Self.recorder(index: String(index), seconds: 1))
        }
        try Harness.write(lines.joined(separator: "\n") + "\n", to: "mixed.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "mixed.txt", "--cpus-per-host", "2"], ranks: 4, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let records = Self.records(in: folder, count: 10)
        XCTAssertEqual(records.count, 10)
        XCTAssertEqual(records[2].cores, 2)
        XCTAssertLessThanOrEqual(Self.peak(records) { $0.cores }, 2, "never more than the host's 2 cores")
        let wide = records[2]
        let overtakers = records[3...].filter { $0.start < wide.start }.map(\.index)
        XCTAssertEqual(overtakers, [], "no narrow task behind the wide one starts before it")
        let aheadEnd = max(records[0].end, records[1].end)
        XCTAssertLessThan(wide.start - aheadEnd, 0.9, "it starts once the tasks ahead of it end, within one task length")
    }

    /// Without mpirun, rank 0 runs as many tasks at once as its host's pool holds.
    func testOneRankRunsAsManyTasksAtOnceAsTheHostHasCores() throws {
        let folder = try Harness.temporaryFolder()
        let lines = (0..<4).map { Self.recorder(index: String($0), seconds: 0.8) }
        try Harness.write(lines.joined(separator: "\n") + "\n", to: "t.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "t.txt", "--cpus-per-host", "2"], ranks: 1, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let records = Self.records(in: folder, count: 4)
        XCTAssertEqual(records.count, 4)
        XCTAssertEqual(Self.peak(records) { _ in 1 }, 2, "two at once on a pool of 2 cores, not one")
    }

    /// `--enforce-memory` stops a task whose resident set passes its request; it ends in its
    /// own state, "memory exceeded", which `status` and the summary name, and the run exits 1.
    func testEnforceMemoryStopsATaskOverItsRequestAsMemoryExceeded() throws {
        let folder = try Harness.temporaryFolder()
        // `tail` keeps a line without newline in memory: 300 MiB of zeros, then it waits.
        try Harness.write("""
            head -c 314572800 /dev/zero | tail; sleep 30
            /bin/true
            """, to: "m.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "m.txt", "--memory-per-task", "100M", "--enforce-memory"],
                                           ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("1 of 2 tasks succeeded") && outcome.stdout.contains("1 over their memory"),
                      outcome.stdout)
        let status = try Harness.run(Harness.taskfarm, ["status", "m.txt"], in: folder)
        XCTAssertTrue(status.stdout.contains("1 memory exceeded"), status.stdout)
        XCTAssertTrue(status.stdout.contains("passed its request of 100 MiB"), status.stdout)
    }

    /// `--bind` (the default) pins each task to the cores it holds: a 1-core task sees one
    /// CPU, and tasks running at once see different ones; `--no-bind` gives every task all.
    func testBindPinsEachTaskToTheCoresItHolds() throws {
        guard Self.hostCores >= 2 else { throw XCTSkip("needs 2 CPUs") }
        let folder = try Harness.temporaryFolder()
        let line = "s=$(date +%s.%N); sleep 0.5; echo \"$(grep Cpus_allowed_list /proc/self/status | cut -f2) $s $(date +%s.%N)\" > b.$TASKFARM_TASK_INDEX"
        try Harness.write(Array(repeating: line, count: 4).joined(separator: "\n") + "\n", to: "b.txt", in: folder)
        let bound = try Harness.taskfarm(["run", "b.txt"], ranks: 4, in: folder)
        XCTAssertEqual(bound.status, 0, bound.stderr)
        let spans = (0..<4).compactMap { index -> (cpus: String, start: Double, end: Double)? in
            let words = (Harness.read("b.\(index)", in: folder) ?? "").split(whereSeparator: \.isWhitespace)
            guard words.count == 3, let start = Double(words[1]), let end = Double(words[2]) else { return nil }
            return (String(words[0]), start, end)
        }
        XCTAssertEqual(spans.count, 4)
        for span in spans { XCTAssertFalse(span.cpus.contains(",") || span.cpus.contains("-"), "one CPU: \(span.cpus)") }
        for (a, first) in spans.enumerated() {
            for second in spans[(a + 1)...] where first.start < second.end && second.start < first.end {
                XCTAssertNotEqual(first.cpus, second.cpus, "two tasks running at once pinned to one CPU")
            }
        }
        let unbound = try Harness.taskfarm(["run", "b.txt", "--no-bind", "--state-dir", "unbound"], ranks: 4, in: folder)
        XCTAssertEqual(unbound.status, 0, unbound.stderr)
        let widened = (Harness.read("b.0", in: folder) ?? "").split(separator: " ").first.map(String.init) ?? ""
        XCTAssertTrue(widened.contains("-") || widened.contains(","), "every CPU of the host: \(widened)")
    }
}
