import Foundation
import TestSupport
import XCTest

/// Tasks start clean: their own process group, default signals, no leaked descriptors,
/// stdin from /dev/null, the farm's variables set and Open MPI's removed.
final class TaskHygieneTests: XCTestCase {
    func testTheTaskEnvironmentAndProcessState() throws {
        let folder = try Harness.temporaryFolder()
        let script = """
            #!/bin/sh
            echo "index=$TASKFARM_TASK_INDEX count=$TASKFARM_TASK_COUNT attempt=$TASKFARM_TASK_ATTEMPT"
            echo "rank=$TASKFARM_WORKER_RANK host=$TASKFARM_WORKER_HOST omp=$OMP_NUM_THREADS run=$TASKFARM_RUN_ID"
            env | grep -E '^(OMPI|PMIX|ORTE|OPAL)_' | grep -v '^OMPI_ALLOW_RUN_AS_ROOT' | sed 's/=.*//' | sort | tr '\\n' ' '; echo "mpi-vars-end"
            echo "pwd=$(pwd)"
            echo "pgid-is-pid=$( [ "$(ps -o pgid= -p $$ | tr -d ' ')" = "$$" ] && echo yes || echo no)"
            grep -E '^(SigIgn|SigBlk):' /proc/self/status
            ls /proc/$$/fd > fds.$TASKFARM_TASK_INDEX; sort -n fds.$TASKFARM_TASK_INDEX | tr '\\n' ' '; echo
            if read -r line; then echo "stdin=data"; else echo "stdin=empty"; fi
            """
        try Harness.write(script, to: "probe.sh", in: folder, executable: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("work"), withIntermediateDirectories: true)
        try Harness.write("../probe.sh\n../probe.sh\n", to: "t.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "t.txt", "--output", "o/%a", "--chdir", "work", "--slots-per-worker", "2"],
                                           ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let text = try XCTUnwrap(Harness.read("work/o/1", in: folder))
        XCTAssertTrue(text.contains("index=1 count=2 attempt=1"), text)
        XCTAssertTrue(text.contains("rank=2 host=\(ProcessInfo.processInfo.hostName)") || text.contains("rank=2 host="), text)
        XCTAssertTrue(text.contains("omp=1"), text)
        XCTAssertTrue(text.contains("\n mpi-vars-end") || text.contains("\nmpi-vars-end") || text.hasPrefix("mpi-vars-end"),
                      "Open MPI variables leaked: \(text)")
        XCTAssertTrue(text.contains("pwd=\(folder.appendingPathComponent("work").path)"), text)
        XCTAssertTrue(text.contains("pgid-is-pid=yes"), text)
        XCTAssertTrue(text.contains("SigIgn:\t0000000000000000"), text)
        XCTAssertTrue(text.contains("SigBlk:\t0000000000000000"), text)
        XCTAssertTrue(text.contains("stdin=empty"), text)
        // Below 10 only 0, 1 and 2: dash keeps its own descriptors (the script, saved ones) at
        // 10 and above, and a leak from the rank (Open MPI's sockets, our files) would sit low.
        let descriptorLine = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("0 1 2") })
        let low = descriptorLine.split(separator: " ").compactMap { Int($0) }.filter { $0 < 10 }
        XCTAssertEqual(low, [0, 1, 2], "leaked descriptors: \(descriptorLine)")
    }

    /// A task that is itself an MPI program initializes as a singleton: Open MPI's
    /// variables of the rank do not reach it.
    func testATaskThatIsAnMPIProgramRuns() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("""
            #include <mpi.h>
            #include <stdio.h>
            int main(int argc, char **argv) {
                int size;
                if (MPI_Init(&argc, &argv) != MPI_SUCCESS) return 2;
                MPI_Comm_size(MPI_COMM_WORLD, &size);
                printf("singleton size %d\\n", size);
                MPI_Finalize();
                return 0;
            }
            """, to: "hello.c", in: folder)
        let compile = try Harness.run("/usr/bin/mpicc", ["-o", "hello", "hello.c"], in: folder)
        XCTAssertEqual(compile.status, 0, compile.stderr)
        try Harness.write("./hello\n./hello\n", to: "t.txt", in: folder)
        let outcome = try Harness.taskfarm(["run", "t.txt", "--output", "o/%a"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr + (Harness.read("t.txt.taskfarm/output/0.err", in: folder) ?? ""))
        XCTAssertEqual(Harness.read("o/0", in: folder)?.contains("singleton size 1"), true)
        XCTAssertEqual(Harness.read("o/1", in: folder)?.contains("singleton size 1"), true)
    }

    /// No task outlives its worker: SIGKILL the worker rank, and the task (with the
    /// grandchild it started) is gone too.
    func testNoTaskOutlivesAKilledWorker() throws {
        let folder = try Harness.temporaryFolder()
        let marker = 900_000 + Int.random(in: 0..<99_999)
        try Harness.write("sh -c 'sleep \(marker) & sleep \(marker + 1)'\n", to: "t.txt", in: folder)
        let farm = try Harness.start(["run", "t.txt"], ranks: 3, in: folder)
        defer { farm.stopGroup() }
        XCTAssertTrue(Harness.waitUntil(timeout: 20) { ProcessTable.processes(exactly: "sleep \(marker + 1)").count == 1 })
        // The worker is the parent of the task's leader: the line is one simple command, so
        // the /bin/sh that runs it has exec'd the inner `sh -c`.
        let leader = try XCTUnwrap(ProcessTable.processes { $0.hasPrefix("sh -c sleep \(marker) &") }.first)
        let worker = try XCTUnwrap(ProcessTable.parent(of: leader))
        let workerCommand = try String(contentsOfFile: "/proc/\(worker)/cmdline", encoding: .utf8)
        XCTAssertTrue(workerCommand.hasPrefix(Harness.taskfarm), workerCommand)
        kill(worker, SIGKILL)
        XCTAssertTrue(Harness.waitUntil(timeout: 10) {
            ProcessTable.processes(exactly: "sleep \(marker)").isEmpty && ProcessTable.processes(exactly: "sleep \(marker + 1)").isEmpty
        }, "task processes survived their worker")
    }
}
