import Foundation
import XCTest
@testable import JobSpec

final class UserLogEventTests: XCTestCase {
    let utc = TimeZone(identifier: "UTC")!
    /// 2025-03-04 05:06:07 UTC.
    let time = Date(timeIntervalSince1970: 1_741_064_767)
    let job = UserLogEvent.JobID(cluster: 42, proc: 7)

    func testHeaderAndIds() {
        XCTAssertEqual(job.text, "(042.007.000)")
        XCTAssertEqual(UserLogEvent.JobID(cluster: 12345, proc: 1000, subproc: 2).text, "(12345.1000.002)")
        XCTAssertEqual(UserLogEvent.header(5, job, at: time, timeZone: utc), "005 (042.007.000) 2025-03-04 05:06:07 ")
    }

    func testSubmittedExecutingAborted() {
        XCTAssertEqual(UserLogEvent.submitted(job, at: time, host: "<10.0.0.1:0>", timeZone: utc),
                       "000 (042.007.000) 2025-03-04 05:06:07 Job submitted from host: <10.0.0.1:0>\n...\n")
        XCTAssertEqual(UserLogEvent.submitted(job, at: time, host: "<h>", notes: "DAG Node: A", timeZone: utc),
                       "000 (042.007.000) 2025-03-04 05:06:07 Job submitted from host: <h>\n    DAG Node: A\n...\n")
        XCTAssertEqual(UserLogEvent.executing(job, at: time, host: "<node1:0>", slotName: "slot1@node1", timeZone: utc),
                       "001 (042.007.000) 2025-03-04 05:06:07 Job executing on host: <node1:0>\n\tSlotName: slot1@node1\n...\n")
        XCTAssertEqual(UserLogEvent.aborted(job, at: time, reason: "Removed by the farm\nat drain", timeZone: utc),
                       "009 (042.007.000) 2025-03-04 05:06:07 Job was aborted.\n\tRemoved by the farm|at drain\n...\n")
    }

    func testTerminatedNormalAndBySignal() {
        let normal = UserLogEvent.terminated(job, at: time, termination: .exited(3),
                                             runUsage: .init(userSeconds: 90_061, systemSeconds: 5), timeZone: utc)
        XCTAssertEqual(normal, """
            005 (042.007.000) 2025-03-04 05:06:07 Job terminated.
            \t(1) Normal termination (return value 3)
            \t\tUsr 1 01:01:01, Sys 0 00:00:05  -  Run Remote Usage
            \t\tUsr 0 00:00:00, Sys 0 00:00:00  -  Run Local Usage
            \t\tUsr 1 01:01:01, Sys 0 00:00:05  -  Total Remote Usage
            \t\tUsr 0 00:00:00, Sys 0 00:00:00  -  Total Local Usage
            \t0  -  Run Bytes Sent By Job
            \t0  -  Run Bytes Received By Job
            \t0  -  Total Bytes Sent By Job
            \t0  -  Total Bytes Received By Job
            ...

            """)
        let signaled = UserLogEvent.terminated(job, at: time, termination: .signaled(9, coreFile: nil), timeZone: utc)
        XCTAssertTrue(signaled.contains("\t(0) Abnormal termination (signal 9)\n\t(0) No core file\n\t\tUsr 0"))
        let core = UserLogEvent.terminated(job, at: time, termination: .signaled(11, coreFile: "/tmp/core.1"),
                                           timeZone: utc)
        XCTAssertTrue(core.contains("\t(1) Corefile in: /tmp/core.1\n"))
    }

    func testResourceTableLayout() {
        let text = UserLogEvent.terminated(job, at: time, termination: .exited(0),
                                           resources: .init(cpus: 1, diskKiB: 4_194_304, memoryMiB: 8000), timeZone: utc)
        XCTAssertTrue(text.contains("""
            \tPartitionable Resources :    Usage  Request Allocated \n\
            \t   Cpus                 :                 1         1 \n\
            \t   Disk (KB)            :           4194304   4194304 \n\
            \t   Memory (MB)          :              8000      8000 \n...
            """), text)
    }

    /// HTCondor's own reader must read our events one by one, with the right values.
    func testHTCondorJobEventLogReadsOurLog() throws {
        let directory = try temporaryDirectory(self)
        let path = directory + "/farm.log"
        var log = ""
        for proc in 0 ..< 100 {
            let id = UserLogEvent.JobID(cluster: 42, proc: proc)
            log += UserLogEvent.submitted(id, at: time, host: "<127.0.0.1:0>")
            log += UserLogEvent.executing(id, at: time, host: "<127.0.0.1:0>")
            if proc == 98 {
                log += UserLogEvent.terminated(id, at: time, termination: .signaled(15, coreFile: nil),
                                               resources: .init(cpus: 2, diskKiB: 100, memoryMiB: 10))
            } else if proc == 99 {
                log += UserLogEvent.aborted(id, at: time, reason: "removed")
            } else {
                log += UserLogEvent.terminated(id, at: time, termination: .exited(proc % 7),
                                               resources: .init(cpus: 1))
            }
        }
        try log.write(toFile: path, atomically: true, encoding: .utf8)
        let script = """
            import sys
            try:
                import htcondor2
            except Exception as error:
                print("SKIP", error); sys.exit(0)
            counts = {}
            for event in htcondor2.JobEventLog(sys.argv[1]).events(stop_after=0):
                key = int(event.type)
                counts[key] = counts.get(key, 0) + 1
                if event.type == htcondor2.JobEventType.JOB_TERMINATED:
                    if event["TerminatedNormally"]:
                        assert event["ReturnValue"] == event.proc % 7, (event.proc, event["ReturnValue"])
                    else:
                        assert event.proc == 98 and event["TerminatedBySignal"] == 15
                        assert event["RequestCpus"] == 2, dict(event)
                if event.type == htcondor2.JobEventType.JOB_ABORTED:
                    assert event["Reason"] == "removed"
                assert event.cluster == 42
            print(sorted(counts.items()))
            """
        let output = try runPython(script, arguments: [path])
        if output.hasPrefix("SKIP") { throw XCTSkip("htcondor2 is not importable: \(output)") }
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines),
                       "[(0, 100), (1, 100), (5, 99), (9, 1)]", "submitted, executing, terminated, aborted")
    }
}

/// Runs `python3 -c script arguments...` and returns its stdout; fails on a non-zero exit.
func runPython(_ script: String, arguments: [String] = []) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    do { try process.run() } catch { throw XCTSkip("python3 is not available: \(error)") }
    let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    if process.terminationStatus != 0 {
        XCTFail("python3 failed (\(process.terminationStatus)): \(errors)")
    }
    return output
}
