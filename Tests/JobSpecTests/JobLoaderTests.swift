import XCTest
@testable import JobSpec

final class JobLoaderTests: XCTestCase {
    func testDetection() {
        XCTAssertEqual(JobFormat.detect(path: "a.sub", contents: ""), .submit)
        XCTAssertEqual(JobFormat.detect(path: "a.SUBMIT", contents: ""), .submit)
        XCTAssertEqual(JobFormat.detect(path: "job", contents: "executable = x\nQueue 3\n"), .submit)
        XCTAssertEqual(JobFormat.detect(path: "w.dag", contents: ""), .dag)
        XCTAssertEqual(JobFormat.detect(path: "w", contents: "JOB A a.sub\nJOB B b.sub\nPARENT A CHILD B\n"), .dag)
        XCTAssertEqual(JobFormat.detect(path: "s.sh", contents: "#!/bin/sh\n#SBATCH --array=1-2\n"), .slurm)
        XCTAssertEqual(JobFormat.detect(path: "s.sh", contents: "#!/bin/sh\n#PBS -J 1-2\n#SBATCH -J x\n"), .pbs)
        XCTAssertEqual(JobFormat.detect(path: "t.txt", contents: "echo queue\n./prog 1\n"), .taskList)
        XCTAssertEqual(JobFormat(name: "HTCondor"), .submit)
        XCTAssertEqual(JobFormat(name: "sbatch"), .slurm)
        XCTAssertNil(JobFormat(name: "lsf"))
    }

    func testLoadDetectsEachFormatFromDisk() throws {
        let directory = try temporaryDirectory(self)
        let files = [("tasks.txt", "echo 1\necho 2\n", 2), ("s.sh", "#!/bin/sh\n#SBATCH --array=0-2\nprog\n", 3),
                     ("p.sh", "#PBS -J 0-3\nprog\n", 4), ("j.sub", "executable = /bin/true\nqueue 5\n", 5)]
        for (name, text, count) in files {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
            let job = try JobLoader.load(path: directory + "/" + name, options: testOptions(directory: directory))
            XCTAssertEqual(job.taskCount, count, name)
        }
        let forced = try JobLoader.load(path: directory + "/s.sh", format: .taskList,
                                        options: testOptions(directory: directory))
        XCTAssertEqual(forced.taskCount, 1, "--format wins over detection: '#' lines are comments in a task list")
    }

    func testDAGNeedsAHook() throws {
        let directory = try temporaryDirectory(self)
        try "JOB A a.sub\n".write(toFile: directory + "/w.dag", atomically: true, encoding: .utf8)
        let missing = expectError { () throws(JobSpecError) in
            _ = try JobLoader.load(path: directory + "/w.dag", options: testOptions())
        }
        XCTAssertTrue(missing?.message.contains("DAG") ?? false)
        var options = testOptions()
        options.dagLoader = { path, _ in
            ExpandedJob(name: "dag", file: path, tasks: [TaskSpec(position: 0, arrayIndex: 0, command: .argv(["x"]),
                                                                  source: SourceLocation(file: path, line: 1))])
        }
        XCTAssertEqual(try JobLoader.load(path: directory + "/w.dag", options: options).name, "dag")
    }

    func testMissingFileAndDirectoryAreErrors() throws {
        let directory = try temporaryDirectory(self)
        XCTAssertTrue(expectError { () throws(JobSpecError) in
            _ = try JobLoader.load(path: directory + "/nope.sub", options: testOptions())
        }?.message.contains("no such file") ?? false)
        XCTAssertNotNil(expectError { () throws(JobSpecError) in
            _ = try JobLoader.load(path: directory, options: testOptions())
        })
    }
}

/// Files written on Windows: a CR never reaches a value, and lines are still lines.
final class CRLFTests: XCTestCase {
    func testSubmitDescriptionWithCRLF() throws {
        let job = try SubmitDescription(text: "executable = /bin/echo\r\narguments = a b\r\nqueue x in (\r\n p\r\n q\r\n)\r\n",
                                        file: "w.sub", options: testOptions())
        XCTAssertEqual(job.tasks.map(arguments), [["a", "b"], ["a", "b"]])
    }

    func testScriptsWithCRLF() throws {
        let slurm = try SlurmScript(text: "#!/bin/sh\r\n#SBATCH --array=1-3\r\n#SBATCH -J crlf\r\nprog\r\n",
                                    file: "s.sh", options: testOptions()).job
        XCTAssertEqual(slurm.taskCount, 3)
        XCTAssertEqual(slurm.name, "crlf")
        XCTAssertEqual(slurm.tasks[0].command.executedArgv[0], "/bin/sh")
        let pbs = try PBSScript(text: "#PBS -J 0-2\r\n#PBS -N crlf\r\nprog\r\n", file: "p.sh", options: testOptions()).job
        XCTAssertEqual(pbs.tasks.map(\.arrayIndex), [0, 1, 2])
        XCTAssertEqual(pbs.name, "crlf")
        XCTAssertEqual(JobFormat.detect(path: "x", contents: "#!/bin/sh\r\n#SBATCH -a 1\r\n"), .slurm)
        XCTAssertEqual(JobFormat.detect(path: "x", contents: "executable = a\r\nqueue\r\n"), .submit)
    }
}
