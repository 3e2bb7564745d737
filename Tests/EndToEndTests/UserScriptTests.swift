import Foundation
import XCTest

/// Users' own scripts run unchanged under mpirun: what each element of a Slurm, PBS or
/// HTCondor job sees (its scheduler's variables, its stdin, its worker's host), with the
/// options given on `taskfarm run`'s command line as sbatch and qsub take them. One run
/// per format, checking many things at once.
final class UserScriptTests: XCTestCase {
    /// `NAME=value` lines of a file.
    private func variables(_ name: String, in folder: URL) -> [String: String] {
        Harness.keyValues(name, in: folder)
    }

    func testSlurmElementsSeeSbatchsVariablesAndTheCommandLineWins() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("line from stdin\n", to: "in.txt", in: folder)
        try Harness.write("""
            #!/bin/bash
            #SBATCH --array=0-9
            #SBATCH -J from-file
            #SBATCH --input=in.txt
            #SBATCH --ntasks=1
            set -eu
            cd "$SLURM_SUBMIT_DIR"
            {
              env | grep -E '^SLURMD?_' | sort
              echo "STDIN=$(cat)"
              echo "PWD=$PWD"
            } > "vars.$SLURM_ARRAY_TASK_ID"
            """, to: "job.sh", in: folder, executable: true)
        let outcome = try Harness.taskfarm(["run", "--array=1-2", "-J", "cli", "-c", "1",
                                            "job.sh"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("job.sh:5:9: warning: --ntasks is not honoured"), outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("vars.0").path),
                       "the command line's --array wins")
        let first = variables("vars.1", in: folder), second = variables("vars.2", in: folder)
        let arrayJob = try XCTUnwrap(first["SLURM_ARRAY_JOB_ID"], "\(first)")
        XCTAssertEqual(second["SLURM_ARRAY_JOB_ID"], arrayJob)
        XCTAssertEqual(Set([first["SLURM_JOB_ID"], second["SLURM_JOB_ID"]]).count, 2, "each element has its own job id")
        XCTAssertEqual(first["SLURM_JOB_ID"], arrayJob)
        XCTAssertEqual(first["SLURM_JOB_NAME"], "cli")
        XCTAssertEqual(first["SLURM_CPUS_PER_TASK"], "1")
        XCTAssertEqual(first["SLURM_NNODES"], "1")
        XCTAssertEqual(first["SLURM_NTASKS"], "1")
        XCTAssertEqual(first["SLURM_SUBMIT_DIR"], folder.path)
        XCTAssertEqual(first["PWD"], folder.path, "cd $SLURM_SUBMIT_DIR under set -u")
        XCTAssertFalse(first["SLURM_SUBMIT_HOST"]?.isEmpty ?? true)
        let host = try XCTUnwrap(first["SLURM_JOB_NODELIST"])
        XCTAssertFalse(host.isEmpty || host.contains("$$("), host)
        XCTAssertEqual(first["SLURMD_NODENAME"], host)
        XCTAssertEqual(first["STDIN"], "line from stdin")
    }

    func testSubmitDescriptionMachineMacrosStdinSuccessCodeAndNoop() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("from stdin\n", to: "in.txt", in: folder)
        try Harness.write("one\n\"two 'and three'\"\n", to: "args.txt", in: folder)
        try Harness.write("""
            #!/bin/sh
            echo "ARGS=$*"
            echo "HOST=$WORKER_HOST"
            echo "STDIN=$(cat)"
            exit 2
            """, to: "prog.sh", in: folder, executable: true)
        try Harness.write("""
            executable = prog.sh
            input = in.txt
            environment = "WORKER_HOST=$$(Machine)"
            output = $Fn(SUBMIT_FILE).$(Process).out
            success_exit_code = 2
            queue arguments from args.txt
            arguments = --cpus $$(Cpus) --arch $$([Arch])
            queue
            noop_job = true
            noop_job_exit_code = 2
            queue
            """, to: "job.sub", in: folder)
        let outcome = try Harness.taskfarm(["run", "--joblog", "log.tsv", "job.sub"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 0, "exit 2 is success here: \(outcome.stderr)")
        let first = Harness.read("job.0.out", in: folder) ?? ""
        XCTAssertTrue(first.contains("ARGS=one\n"), first)
        XCTAssertTrue(first.contains("STDIN=from stdin"), first)
        let host = first.split(separator: "\n").first { $0.hasPrefix("HOST=") }.map { String($0.dropFirst(5)) } ?? ""
        XCTAssertFalse(host.isEmpty || host.contains("$$"), first)
        XCTAssertTrue(Harness.read("job.1.out", in: folder)?.contains("ARGS=two and three\n") ?? false)
        let third = Harness.read("job.2.out", in: folder) ?? ""
        XCTAssertTrue(third.contains("ARGS=--cpus 1 --arch "), third)
        XCTAssertFalse(third.contains("$$"), third)
        XCTAssertNil(Harness.read("job.3.out", in: folder), "noop_job: the program never runs")
        XCTAssertEqual(Harness.joblogRows("log.tsv", in: folder).count, 4)
    }

    /// A PBS script without `#!` runs under the login shell (here bash arithmetic must
    /// work), with qsub's command-line options and a real node file.
    func testPBSScriptWithoutShebangSeesItsSubjobVariables() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("""
            #PBS -N sweep
            #PBS -l select=1:ncpus=1:mpiprocs=2
            (( twice = PBS_ARRAY_INDEX * 2 ))
            cd "$PBS_O_WORKDIR"
            {
              echo "TWICE=$twice"
              echo "JOBID=$PBS_JOBID"
              echo "NODES=$(tr '\\n' ' ' < "$PBS_NODEFILE")"
              echo "GREETING=$GREETING"
              echo "TASKNUM=$PBS_TASKNUM"
            } > "vars.$PBS_ARRAY_INDEX"
            """, to: "job.pbs", in: folder)
        let outcome = try Harness.taskfarm(["run", "-J", "1-3:2", "-v", "GREETING=hi", "job.pbs"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let values = variables("vars.3", in: folder)
        XCTAssertEqual(values["TWICE"], "6", "run by the login shell: \(values)")
        XCTAssertTrue(values["JOBID"]?.range(of: #"^[0-9]+\[3\]\..+$"#, options: .regularExpression) != nil,
                      "\(values)")
        let nodes = values["NODES"]?.split(separator: " ") ?? []
        XCTAssertEqual(nodes.count, 2, "one line per MPI process: \(values)")
        XCTAssertEqual(Set(nodes).count, 1)
        XCTAssertEqual(values["GREETING"], "hi")
        XCTAssertEqual(values["TASKNUM"], "1")
        XCTAssertNotNil(Harness.read("vars.1", in: folder))
    }

    /// A DAG as DAGMan's manual writes them: continued lines, SCRIPT macros, node macros
    /// in submit files, a submit file its PRE script makes, and a FINAL node that sees the
    /// failure, with the rescue file already written when it runs.
    func testDAGMacrosContinuationPreMadeSubmitFileAndFinal() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("#!/bin/sh\necho \"$@\" >> post.log\nexit 0\n", to: "post.sh", in: folder, executable: true)
        try Harness.write("""
            #!/bin/sh
            cat > made.sub <<'EOF'
            executable = /bin/sh
            arguments = "-c 'echo made $(JOB) >> made.txt'"
            queue
            EOF
            """, to: "make.sh", in: folder, executable: true)
        try Harness.write("""
            executable = /bin/sh
            arguments = "-c 'echo $(JOB) parents=$(DAG_PARENT_NAMES) status=$(DAG_STATUS) failed=$(FAILED_COUNT) \
            id=$(DAGManJobId) >> nodes.txt; exit $(CODE)'"
            queue 2
            """, to: "node.sub", in: folder)
        try Harness.write("""
            JOB A node.sub
            JOB B node.sub
            JOB C made.sub
            FINAL F node.sub
            VARS A CODE="0"
            VARS B \
                 CODE="3"
            VARS F CODE="0"
            SCRIPT PRE C make.sh
            SCRIPT POST B post.sh $NODE $JOB_COUNT $SUCCESS $EXIT_CODES $EXIT_CODE_COUNTS $NODE_COUNT \
                $DONE_COUNT $DAGID $RETURN
            PARENT A CHILD B C
            """, to: "flow.dag", in: folder)
        let outcome = try Harness.taskfarm(["run", "flow.dag"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 0, "the POST script's exit 0 makes B succeed: \(outcome.stderr)")
        let nodes = Harness.read("nodes.txt", in: folder) ?? ""
        let runID = nodes.split(separator: "\n").first.flatMap { $0.split(separator: "=").last }.map(String.init) ?? ""
        XCTAssertFalse(runID.isEmpty, nodes)
        XCTAssertTrue(nodes.contains("B parents=A status=0 failed=0 id=\(runID)"), nodes)
        XCTAssertTrue(nodes.contains("F parents= status=0 failed=0"), nodes)
        XCTAssertEqual(Harness.read("made.txt", in: folder), "made C\n", "the submit file the PRE script wrote")
        // B's two procs both exit 3, but DAGMan removes a failed node's procs that have not
        // ended: the second counts when the worker had already started it, else it is removed.
        let post = Harness.read("post.log", in: folder)
        XCTAssertTrue(["B 2 False 3 3:2 4 1 \(runID) 3\n", "B 2 False 3 3:1 4 1 \(runID) 3\n"].contains(post ?? ""),
                      post ?? "no post.log")
    }

    /// After a node failed, the FINAL node's submit file sees DAG_STATUS 2, and the rescue
    /// file exists before the FINAL node runs (DAGMan writes it first).
    func testFinalNodeSeesTheFailureAndTheRescueFile() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("""
            executable = /bin/sh
            arguments = "-c 'echo $(JOB) status=$(DAG_STATUS) failed=$(FAILED_COUNT) >> nodes.txt; \
            ls fail.dag.rescue* >> nodes.txt; exit $(CODE)'"
            queue
            """, to: "node.sub", in: folder)
        try Harness.write("JOB A node.sub\nVARS A CODE=\"1\"\nFINAL F node.sub\nVARS F CODE=\"0\"\n", to: "fail.dag",
                          in: folder)
        let outcome = try Harness.taskfarm(["run", "fail.dag"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 0, "the FINAL node's success decides: \(outcome.stderr)")
        let nodes = Harness.read("nodes.txt", in: folder) ?? ""
        XCTAssertTrue(nodes.contains("F status=2 failed=1\nfail.dag.rescue001\n"), nodes)
        let rescue = Harness.read("fail.dag.rescue001", in: folder) ?? ""
        XCTAssertTrue(rescue.contains("# Nodes that failed: 1\n#   A,<ENDLIST>"), rescue)
        XCTAssertFalse(rescue.contains("RETRY"), rescue)
    }

    /// Node jobs in HTCondor's local or scheduler universe run on rank 0, beside the
    /// scheduler, as DAGMan runs them on the access point; vanilla ones on workers. The
    /// submit descriptions are written in the DAG file.
    func testLocalUniverseNodesRunOnRankZero() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("""
            SUBMIT-DESCRIPTION Node {
                universe = $(U)
                executable = /bin/sh
                arguments = "-c 'echo $(JOB)=$TASKFARM_WORKER_RANK >> ranks.txt'"
                getenv = true
                queue 2
            }
            JOB L Node
            VARS L U="local"
            JOB S Node
            VARS S U="scheduler"
            JOB V {
                executable = /bin/sh
                arguments = "-c 'echo V=$TASKFARM_WORKER_RANK >> ranks.txt'"
                getenv = true
                queue 2
            }
            PARENT L S CHILD V
            """, to: "local.dag", in: folder)
        let outcome = try Harness.taskfarm(["run", "local.dag"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let lines = (Harness.read("ranks.txt", in: folder) ?? "").split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0 == "L=0" }.count, 2, "\(lines)")
        XCTAssertEqual(lines.filter { $0 == "S=0" }.count, 2, "\(lines)")
        XCTAssertEqual(lines.filter { $0.hasPrefix("V=") && $0 != "V=0" }.count, 2, "\(lines)")
        XCTAssertEqual(lines.last?.hasPrefix("V="), true, "V waits for its parents")
    }

    /// SUBDAG EXTERNAL runs the nested DAG inside the farm with its own rescue file: the
    /// node's RETRY resumes the nested DAG from it, so its done nodes do not run again.
    func testSubDAGExternalRunsWithItsOwnRescueFile() throws {
        let folder = try Harness.temporaryFolder()
        try Harness.write("""
            executable = /bin/sh
            arguments = "-c 'echo $(JOB) >> ran.txt; test $(JOB) != I2 || test -e second || { touch second; exit 1; }'"
            queue
            """, to: "node.sub", in: folder)
        try Harness.write("JOB I1 node.sub\nJOB I2 node.sub\nPARENT I1 CHILD I2\n", to: "inner.dag", in: folder)
        try Harness.write("SUBDAG EXTERNAL S inner.dag\nRETRY S 1\nJOB B node.sub\nPARENT S CHILD B\n", to: "outer.dag",
                          in: folder)
        let outcome = try Harness.taskfarm(["run", "outer.dag"], ranks: 3, in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(Harness.read("ran.txt", in: folder), "I1\nI2\nI2\nB\n",
                       "the retry resumed the nested DAG from its rescue file")
        XCTAssertNotNil(Harness.read("inner.dag.rescue001", in: folder), "the nested DAG's own rescue file")
        XCTAssertNil(Harness.read("outer.dag.rescue001", in: folder))
    }
}
