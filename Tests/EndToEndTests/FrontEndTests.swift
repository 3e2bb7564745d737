import Foundation
import TestSupport
import XCTest

/// The schedulers' own commands (`qsub`, `sbatch`, `condor_submit`, DRMAA from Python) on
/// a served farm under a real mpirun: users' scripts run unchanged, their output parsed as
/// the real schedulers print it.
final class FrontEndTests: XCTestCase {
    /// A farm of 2 workers, the front ends linked into `bin/` of its folder.
    private func servedFarm(_ name: String = #function) throws -> (farm: ServedFarm, folder: URL, environment: [String: String]) {
        let folder = try Harness.temporaryFolder(name)
        let farm = try ServedFarm(in: folder, ranks: 4)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("taskfarm.connection").path), farm.log)
        let made = try farm.client(["frontends", "bin"])
        XCTAssertEqual(made.status, 0, made.stderr)
        var environment = Harness.mpiEnvironment
        environment["PATH"] = folder.appendingPathComponent("bin").path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["TASKFARM_CONNECTION"] = folder.appendingPathComponent("taskfarm.connection").path
        return (farm, folder, environment)
    }

    private func shutdown(_ farm: ServedFarm) throws {
        try farm.client(["shutdown"])
        XCTAssertEqual(farm.waitForExit(timeout: 60), 0, farm.log)
    }

    /// `sh -c SCRIPT` in `folder` with the front ends first in PATH.
    private func shell(_ script: String, in folder: URL, _ environment: [String: String],
                       timeout: Double = 120) throws -> Harness.Outcome {
        try Harness.run("/bin/sh", ["-c", script], in: folder, environment: environment, timeout: timeout)
    }

    /// Seconds since the epoch written by `date +%s.%N` after `label` in `text`.
    private func time(_ label: String, in text: String) throws -> Double {
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix(label + " ") }, "no \(label) in \(text)")
        return try XCTUnwrap(Double(line.dropFirst(label.count + 1)), String(line))
    }

    func testThePBSDiamondRunsUnchanged() throws {
        let (farm, folder, environment) = try servedFarm()
        _ = try Harness.write("""
            #!/bin/sh
            echo "I am job $PBS_JOBNAME"
            echo "start $(date +%s.%N)"
            sleep 0.5
            echo "end $(date +%s.%N)"
            """, to: "job.sh", in: folder, executable: true)
        let submitted = try shell("""
            A=`qsub -N A job.sh`
            B=`qsub -N B -W depend=afterok:$A job.sh`
            C=`qsub -N C -W depend=afterok:$A job.sh`
            D=`qsub -N D -W depend=afterok:$B:$C job.sh`
            echo "$A $B $C $D"
            qstat
            """, in: folder, environment)
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let lines = submitted.stdout.split(separator: "\n").map(String.init)
        let ids = lines[0].split(separator: " ").map(String.init)
        XCTAssertEqual(ids.count, 4, submitted.stdout)
        // qsub prints PBS's `NUMBER.SERVER`; qstat lists the jobs by those ids, D held.
        let numbers = try ids.map { try XCTUnwrap(Int($0.prefix { $0.isNumber }), $0) }
        XCTAssertEqual(numbers, [1, 2, 3, 4], "PBS job numbers start at 1 in a new farm: \(ids)")
        XCTAssertTrue(ids.allSatisfy { $0.contains(".") }, "\(ids)")
        let qstatD = try XCTUnwrap(lines.first { $0.hasPrefix(ids[3] + " ") || $0.hasPrefix(ids[3].prefix(16) + " ") }, submitted.stdout)
        XCTAssertTrue(qstatD.contains(" H ") || qstatD.contains(" Q ") || qstatD.contains(" R "), qstatD)

        // taskfarm wait takes queue ids, which start at 0: job N is queue id N - 1.
        let waited = try farm.client(["wait"] + numbers.map { String($0 - 1) }, timeout: 60)
        XCTAssertEqual(waited.status, 0, waited.stdout + waited.stderr)
        var outputs: [String: String] = [:]
        for (name, number) in zip(["A", "B", "C", "D"], numbers) {
            outputs[name] = try XCTUnwrap(Harness.read("\(name).o\(number)", in: folder), "no \(name).o\(number)")
            XCTAssertTrue(outputs[name]!.hasPrefix("I am job \(name)\n"), outputs[name]!)
        }
        let a = try (time("start", in: outputs["A"]!), time("end", in: outputs["A"]!))
        let b = try (time("start", in: outputs["B"]!), time("end", in: outputs["B"]!))
        let c = try (time("start", in: outputs["C"]!), time("end", in: outputs["C"]!))
        let d = try time("start", in: outputs["D"]!)
        XCTAssertLessThanOrEqual(a.1, b.0, "B started before A ended")
        XCTAssertLessThanOrEqual(a.1, c.0, "C started before A ended")
        XCTAssertLessThanOrEqual(b.1, d, "D started before B ended")
        XCTAssertLessThanOrEqual(c.1, d, "D started before C ended")

        // Finished jobs leave qstat's default list and show as F with -x.
        let finished = try shell("qstat -x \(ids[3]); qstat \(ids[3]); echo status=$?", in: folder, environment)
        XCTAssertTrue(finished.stdout.contains(" F "), finished.stdout)
        XCTAssertTrue(finished.stdout.contains("status=35"), finished.stdout + finished.stderr)
        XCTAssertTrue(finished.stderr.contains("Job has finished"), finished.stderr)

        // A script on standard input as an array (-J), and the `--` command form.
        let more = try shell("""
            echo 'echo $PBS_ARRAY_INDEX $PBS_JOBID $PBS_JOBNAME' | qsub -J 1-3 -N arr
            qsub -v GREETING=hello -- /bin/sh -c 'echo $GREETING'
            """, in: folder, environment)
        XCTAssertEqual(more.status, 0, more.stderr)
        let moreIDs = more.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(moreIDs.count, 2, more.stdout)
        XCTAssertTrue(moreIDs[0].contains("[]."), moreIDs[0])
        let array = try XCTUnwrap(Int(moreIDs[0].prefix { $0.isNumber }))
        let command = try XCTUnwrap(Int(moreIDs[1].prefix { $0.isNumber }))
        _ = try farm.client(["wait", "\(array - 1)-\(command - 1)"], timeout: 60)
        let server = moreIDs[0].split(separator: ".", maxSplits: 1).last.map(String.init) ?? ""
        for index in 1...3 {
            XCTAssertEqual(Harness.read("arr.o\(array).\(index)", in: folder), "\(index) \(array)[\(index)].\(server) arr\n")
        }
        XCTAssertEqual(Harness.read("sh.o\(command)", in: folder), "hello\n")
        try shutdown(farm)
    }

    func testCondorSubmitOfAHundredProcsAndCondorQWhileItRuns() throws {
        let (farm, folder, environment) = try servedFarm()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("out"), withIntermediateDirectories: true)
        _ = try Harness.write("""
            executable = /bin/sh
            arguments  = "-c 'sleep 0.1; echo proc $(Process) of cluster $(Cluster)'"
            output     = out/$(Process).out
            error      = out/$(Process).err
            log        = sweep.log
            Queue 100
            """, to: "sweep.sub", in: folder)
        let submitted = try shell("condor_submit sweep.sub && condor_q && condor_q -nobatch", in: folder, environment)
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let cluster = try XCTUnwrap(submitted.stdout.split(separator: "\n").first { $0.hasSuffix("job(s) submitted to cluster \($0.split(separator: " ").last ?? "")") }
            .flatMap { Int($0.split(separator: " ").last!.dropLast()) }, submitted.stdout)
        XCTAssertTrue(submitted.stdout.contains("100 job(s) submitted to cluster \(cluster)."), submitted.stdout)
        XCTAssertEqual(cluster, 1, "HTCondor's cluster ids start at 1")
        // condor_q shows the cluster while it runs: its batch line with 100 jobs in all.
        let batch = try XCTUnwrap(submitted.stdout.split(separator: "\n").first { $0.contains("ID: \(cluster)") }, submitted.stdout)
        XCTAssertTrue(batch.contains(" 100 \(cluster)."), String(batch))
        XCTAssertTrue(submitted.stdout.contains("\(cluster).99 "), submitted.stdout)

        let waited = try shell("condor_wait -wait 120 sweep.log", in: folder, environment, timeout: 150)
        XCTAssertEqual(waited.status, 0, waited.stdout + waited.stderr)
        XCTAssertEqual(waited.stdout, "All jobs done.\n")
        for proc in 0..<100 {
            XCTAssertEqual(Harness.read("out/\(proc).out", in: folder), "proc \(proc) of cluster \(cluster)\n", "proc \(proc)")
        }
        let after = try shell("condor_q", in: folder, environment)
        XCTAssertFalse(after.stdout.contains("ID: \(cluster)"), after.stdout)
        try shutdown(farm)
    }

    func testSbatchArrayWrapRunsFiveTasks() throws {
        let (farm, folder, environment) = try servedFarm()
        let submitted = try shell("sbatch --array=1-5 --wrap 'echo $SLURM_ARRAY_TASK_ID'", in: folder, environment)
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        XCTAssertEqual(submitted.stdout, "Submitted batch job 1\n", "Slurm's job ids start at 1")
        let number = 1
        let waited = try farm.client(["wait", "0-4"], timeout: 60)  // queue ids: from 0
        XCTAssertEqual(waited.status, 0, waited.stdout + waited.stderr)
        for index in 1...5 {
            XCTAssertEqual(Harness.read("slurm-\(number)_\(index).out", in: folder), "\(index)\n", "element \(index)")
        }
        // --parsable and --dependency=afternotok: the child runs because its parent failed;
        // an afterok child of the same parent is cancelled; squeue reports each state.
        let chained = try shell("""
            F=$(sbatch --parsable --wrap 'exit 3')
            N=$(sbatch --parsable --dependency=afternotok:$F --wrap 'echo ran after failure')
            K=$(sbatch --parsable --dependency=afterok:$F --wrap 'echo must not run')
            echo "$F $N $K"
            """, in: folder, environment)
        XCTAssertEqual(chained.status, 0, chained.stderr)
        let chain = chained.stdout.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        XCTAssertEqual(chain.count, 3, chained.stdout)
        _ = try farm.client(["wait"] + chain.map { String($0 - 1) }, timeout: 60)
        let states = try shell("squeue -h -j \(chain.map(String.init).joined(separator: ",")) -o '%i %T'", in: folder, environment)
        XCTAssertEqual(states.stdout, "\(chain[0]) FAILED\n\(chain[1]) COMPLETED\n\(chain[2]) CANCELLED\n", states.stderr)
        XCTAssertEqual(Harness.read("slurm-\(chain[1]).out", in: folder), "ran after failure\n")
        XCTAssertNil(Harness.read("slurm-\(chain[2]).out", in: folder))

        // Clients submitting at once: each job's SLURM_JOB_ID is the id sbatch printed for it.
        let parallel = try shell("""
            for i in 1 2 3 4 5 6 7 8; do sbatch --parsable --wrap 'echo $SLURM_JOB_ID' > id.$i & done
            wait
            cat id.*
            """, in: folder, environment)
        let numbers = parallel.stdout.split(separator: "\n").compactMap { Int($0) }
        XCTAssertEqual(Set(numbers).count, 8, parallel.stdout + parallel.stderr)
        _ = try farm.client(["wait"] + numbers.map { String($0 - 1) }, timeout: 60)
        for number in numbers {
            XCTAssertEqual(Harness.read("slurm-\(number).out", in: folder), "\(number)\n", "job \(number)")
        }
        // scancel of the printed id cancels that job and no other; squeue and sacct-style
        // listings name it by the same id.
        let cancelled = try shell("""
            L=$(sbatch --parsable --wrap 'sleep 60')
            M=$(sbatch --parsable --wrap 'sleep 0.1')
            scancel $L
            echo "$L $M"
            """, in: folder, environment)
        let pair = cancelled.stdout.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        XCTAssertEqual(pair.count, 2, cancelled.stdout + cancelled.stderr)
        _ = try farm.client(["wait", String(pair[0] - 1), String(pair[1] - 1)], timeout: 60)
        let ended = try shell("squeue -h -j \(pair[0]),\(pair[1]) -o '%i %T'", in: folder, environment)
        XCTAssertEqual(ended.stdout, "\(pair[0]) CANCELLED\n\(pair[1]) COMPLETED\n", ended.stderr)
        let noJob = try shell("scancel 0", in: folder, environment)
        XCTAssertEqual(noJob.status, 1, "job 0 does not exist, as in Slurm")
        try shutdown(farm)
    }

    func testCondorSubmitDAGHoldsChildrenAndCondorStatusMatchesWorkers() throws {
        let (farm, folder, environment) = try servedFarm()
        _ = try Harness.write("""
            executable = /bin/sh
            arguments  = "-c 'sleep $(pause); echo $(node) >> order.txt'"
            output     = $(node).out
            queue
            """, to: "node.sub", in: folder)
        _ = try Harness.write("""
            JOB A node.sub
            VARS A node="A" pause="2"
            JOB B node.sub
            VARS B node="B" pause="0"
            JOB C node.sub
            VARS C node="C" pause="0"
            PARENT A CHILD B C
            """, to: "fan.dag", in: folder)
        let submitted = try shell("condor_submit_dag fan.dag", in: folder, environment)
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let cluster = try XCTUnwrap(submitted.stdout.split(separator: "\n").first { $0.contains("submitted to cluster") }
            .flatMap { Int($0.split(separator: " ").last!.dropLast()) }, submitted.stdout)
        XCTAssertTrue(submitted.stdout.contains("3 job(s) submitted to cluster \(cluster)."), submitted.stdout)
        // B waits for A: better-analyze says it is held for its parent.
        let analysis = try shell("condor_q -better-analyze \(cluster).1", in: folder, environment)
        XCTAssertTrue(analysis.stdout.contains("Job \(cluster).001 is idle."), analysis.stdout + analysis.stderr)
        // The queue's own analysis names parents by queue id: cluster 12's node A is queue id 11.
        XCTAssertTrue(analysis.stdout.contains("held until its parents end as asked (afterok:\(cluster - 1))"), analysis.stdout)
        let batch = try shell("condor_q", in: folder, environment)
        XCTAssertTrue(batch.stdout.contains("fan.dag+\(cluster)"), batch.stdout)

        let status = try shell("""
            condor_status -constraint 'Cpus >= 1 && OpSys == "LINUX"' -af Name Cpus
            echo --
            condor_status -constraint 'Memory > 100000000'
            """, in: folder, environment)
        let parts = status.stdout.components(separatedBy: "--\n")
        XCTAssertEqual(parts[0].split(separator: "\n").count, 2, status.stdout)
        XCTAssertTrue(parts[0].split(separator: "\n").allSatisfy { $0.hasPrefix("slot") && $0.hasSuffix(" 1") }, status.stdout)
        XCTAssertEqual(parts.last, "", "no worker has that much memory")

        let waited = try shell("condor_wait -wait 60 none.log \(cluster)", in: folder, environment, timeout: 90)
        XCTAssertEqual(waited.stdout, "All jobs done.\n", waited.stderr)
        let order = try XCTUnwrap(Harness.read("order.txt", in: folder)).split(separator: "\n")
        XCTAssertEqual(order.first, "A")
        XCTAssertEqual(Set(order.dropFirst()), ["B", "C"])
        try shutdown(farm)
    }

    /// A virtual environment with PyPI's drmaa package, made once in `.build`.
    private func drmaaPython() throws -> String {
        let venv = Harness.packageRoot.appendingPathComponent(".build/drmaa-venv")
        let python = venv.appendingPathComponent("bin/python").path
        if !FileManager.default.isExecutableFile(atPath: python) {
            let made = try Harness.run("/usr/bin/env", ["python3", "-m", "venv", venv.path], in: Harness.packageRoot, timeout: 300)
            XCTAssertEqual(made.status, 0, "python3 -m venv (install python3-venv): " + made.stderr)
        }
        let check = try Harness.run(python, ["-c", "import drmaa"], in: Harness.packageRoot,
                                    environment: ["DRMAA_LIBRARY_PATH": "/dev/null"], timeout: 60)
        if check.status != 0, !check.stderr.contains("OSError") {
            let installed = try Harness.run(python, ["-m", "pip", "install", "-q", "drmaa"], in: Harness.packageRoot, timeout: 600)
            XCTAssertEqual(installed.status, 0, "pip install drmaa: " + installed.stderr)
        }
        return python
    }

    func testPythonDRMAARunsTenBulkJobsAndReadsEachExitStatus() throws {
        let library = Harness.packageRoot.appendingPathComponent(".build/debug/libdrmaa.so").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: library), "build the package first (swift build): \(library)")
        let python = try drmaaPython()
        let (farm, folder, environment) = try servedFarm()
        _ = try Harness.write("""
            import os, drmaa
            with drmaa.Session() as s:
                print("system", s.drmsInfo, "version", s.version.major, s.version.minor)
                jt = s.createJobTemplate()
                jt.remoteCommand = "/bin/sh"
                jt.args = ["-c", "echo bulk $0; exit $0", drmaa.JobTemplate.PARAMETRIC_INDEX]
                jt.workingDirectory = os.getcwd()
                jt.outputPath = ":" + drmaa.JobTemplate.WORKING_DIRECTORY + "/bulk." + drmaa.JobTemplate.PARAMETRIC_INDEX + ".out"
                jt.joinFiles = True
                ids = s.runBulkJobs(jt, 1, 10, 1)
                s.synchronize(ids, drmaa.Session.TIMEOUT_WAIT_FOREVER, False)
                for index, job in enumerate(ids, start=1):
                    info = s.wait(job, drmaa.Session.TIMEOUT_WAIT_FOREVER)
                    print("job", index, info.jobId, info.hasExited, info.exitStatus, s.jobStatus(job))
                try:
                    s.control(ids[0], drmaa.JobControlAction.SUSPEND)
                except drmaa.errors.SuspendInconsistentStateException as error:
                    print("suspend refused")
                s.deleteJobTemplate(jt)
            """, to: "bulk.py", in: folder)
        var pythonEnvironment = environment
        pythonEnvironment["DRMAA_LIBRARY_PATH"] = library
        let ran = try Harness.run(python, ["bulk.py"], in: folder, environment: pythonEnvironment, timeout: 120)
        XCTAssertEqual(ran.status, 0, ran.stdout + ran.stderr)
        XCTAssertTrue(ran.stdout.hasPrefix("system TaskFarm"), ran.stdout)
        XCTAssertTrue(ran.stdout.contains("version 1 0"), ran.stdout)
        let jobs = ran.stdout.split(separator: "\n").filter { $0.hasPrefix("job ") }.map { $0.split(separator: " ") }
        XCTAssertEqual(jobs.count, 10, ran.stdout)
        for (offset, fields) in jobs.enumerated() {
            XCTAssertEqual(fields[1], "\(offset + 1)")
            XCTAssertEqual(fields[2], "\(offset + 1)", "DRMAA job ids start at 1 in a new farm, as the other front ends' do")
            XCTAssertEqual(fields[3], "True", "job \(offset + 1) exited")
            XCTAssertEqual(fields[4], "\(offset + 1)", "job \(offset + 1)'s exit status is its bulk index")
            XCTAssertEqual(fields[5], "done")
            XCTAssertEqual(Harness.read("bulk.\(offset + 1).out", in: folder), "bulk \(offset + 1)\n")
        }
        XCTAssertTrue(ran.stdout.contains("suspend refused"), ran.stdout)
        try shutdown(farm)
    }

    func testACProgramUsesTheHeaderAndTheLibrary() throws {
        let library = Harness.packageRoot.appendingPathComponent(".build/debug").path
        let compiler = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let compiler else { throw XCTSkip("no C compiler to build the DRMAA example") }
        let (farm, folder, environment) = try servedFarm()
        _ = try Harness.write("""
            #include <drmaa.h>
            #include <stdio.h>
            #include <string.h>
            int main(void) {
                char error[DRMAA_ERROR_STRING_BUFFER], id[DRMAA_JOBNAME_BUFFER], out[DRMAA_JOBNAME_BUFFER];
                unsigned major, minor;
                int status, exited, code, state, rc;
                drmaa_job_template_t *jt;
                const char *argv[] = {"-c", "exit 7", NULL};
                drmaa_version(&major, &minor, error, sizeof error);
                if (drmaa_init(NULL, error, sizeof error) != DRMAA_ERRNO_SUCCESS) { printf("init: %s\\n", error); return 1; }
                printf("second init %d\\n", drmaa_init(NULL, error, sizeof error));
                drmaa_allocate_job_template(&jt, error, sizeof error);
                drmaa_set_attribute(jt, DRMAA_REMOTE_COMMAND, "/bin/sh", error, sizeof error);
                drmaa_set_vector_attribute(jt, DRMAA_V_ARGV, argv, error, sizeof error);
                printf("unknown attribute %d\\n", drmaa_set_attribute(jt, "drmaa_nonsense", "x", error, sizeof error));
                rc = drmaa_run_job(id, sizeof id, jt, error, sizeof error);
                rc |= drmaa_wait(id, out, sizeof out, &status, DRMAA_TIMEOUT_WAIT_FOREVER, NULL, error, sizeof error);
                drmaa_wifexited(&exited, status, error, sizeof error);
                drmaa_wexitstatus(&code, status, error, sizeof error);
                drmaa_job_ps(id, &state, error, sizeof error);
                printf("version %u.%u rc %d same %d exited %d code %d done %d\\n", major, minor, rc, strcmp(id, out) == 0,
                       exited, code, state == DRMAA_PS_DONE);
                printf("again %d\\n", drmaa_wait(id, out, sizeof out, &status, DRMAA_TIMEOUT_NO_WAIT, NULL, error, sizeof error));
                drmaa_delete_job_template(jt, error, sizeof error);
                return drmaa_exit(error, sizeof error);
            }
            """, to: "example.c", in: folder)
        let built = try Harness.run(compiler, ["-I", Harness.packageRoot.appendingPathComponent("Sources/DRMAA/include-c").path,
                                               "example.c", "-L", library, "-ldrmaa", "-Wl,-rpath," + library, "-o", "example"],
                                    in: folder, timeout: 120)
        XCTAssertEqual(built.status, 0, built.stderr)
        let ran = try Harness.run(folder.appendingPathComponent("example").path, [], in: folder, environment: environment, timeout: 60)
        XCTAssertEqual(ran.status, 0, ran.stdout + ran.stderr)
        XCTAssertEqual(ran.stdout, """
            second init 11
            unknown attribute 4
            version 1.0 rc 0 same 1 exited 1 code 7 done 1
            again 18

            """)
        try shutdown(farm)
    }
}
