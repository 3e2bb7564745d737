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

    /// A Slurm script saved by a Windows editor starts with a UTF-8 byte-order mark before
    /// its `#!`: read from a file or from standard input, it is a Slurm array as without
    /// the mark (left in, it was refused as not starting with #!), with a warning at line 1.
    func testAByteOrderMarkBeforeASlurmScriptsShebangIsStripped() throws {
        let directory = try temporaryDirectory(self)
        let bytes = Data([0xEF, 0xBB, 0xBF] + Array("#!/bin/sh\n#SBATCH --array=1-3\necho $SLURM_ARRAY_TASK_ID\n".utf8))
        try bytes.write(to: URL(fileURLWithPath: directory + "/s.sh"))
        let fromFile = try JobLoader.load(path: directory + "/s.sh", options: testOptions(directory: directory))
        let fromInput = try JobLoader.load(data: bytes, named: "<standard input>", keptAt: directory + "/s.sh",
                                           options: testOptions(directory: directory))
        for job in [fromFile, fromInput] {
            XCTAssertEqual(job.taskCount, 3)
            XCTAssertEqual((0..<job.taskCount).map { job.task(at: $0).arrayIndex }, [1, 2, 3])
            // Its tasks run the file itself, mark and all: the shell's complaint is foretold.
            XCTAssertEqual(job.warnings.map(\.location.line), [1], "\(job.warnings)")
            XCTAssertTrue(job.warnings.first?.message.contains("starts with a UTF-8 byte-order mark") == true, "\(job.warnings)")
        }
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

    /// A job read from standard input is told apart as a file is (sbatch and qsub read a
    /// script there too), `--format` still wins, and a DAG is refused as a usage error: its
    /// nodes' files are relative to a folder standard input does not have.
    func testStandardInputIsDetectedAsAFileIs() throws {
        let load = { (text: String, format: JobFormat?) throws(JobSpecError) -> any Job in
            try JobLoader.load(data: Data(text.utf8), named: "<standard input>", keptAt: "/state/stdin-tasks", format: format,
                               options: testOptions())
        }
        XCTAssertEqual(try load("#!/bin/sh\n#SBATCH --array=0-2\nprog\n", nil).taskCount, 3)
        XCTAssertEqual(try load("#PBS -J 0-3\nprog\n", nil).taskCount, 4)
        XCTAssertEqual(try load("executable = /bin/true\nqueue 5\n", nil).taskCount, 5)
        XCTAssertEqual(try load("echo 1\necho 2\n", nil).taskCount, 2)
        XCTAssertEqual(try load("#!/bin/sh\n#SBATCH --array=0-2\nprog\n", .taskList).taskCount, 1)
        let crlf = expectError { () throws(JobSpecError) in _ = try load("#!/bin/sh\r\n#SBATCH -a 1-2\r\n", nil) }
        XCTAssertEqual(crlf?.location.file, "/state/stdin-tasks", "a script's problems name the copy its tasks run")
        let list = expectError { () throws(JobSpecError) in _ = try load("echo \u{0}\n", nil) }
        XCTAssertEqual(list?.location.file, "<standard input>", "a task list's problems name standard input")
        let dag = expectError { () throws(JobSpecError) in _ = try load("JOB A a.sub\nJOB B b.sub\nPARENT A CHILD B\n", nil) }
        XCTAssertTrue(dag?.isInCommandLine ?? false, "\(String(describing: dag))")
    }

    /// Options that do not fit the file's format are the command line's fault (64), not the
    /// file's (65).
    func testOptionsThatDoNotFitTheFormatAreCommandLineProblems() throws {
        let directory = try temporaryDirectory(self)
        try "executable = /bin/true\nqueue 2\n".write(toFile: directory + "/j.sub", atomically: true, encoding: .utf8)
        var options = testOptions(directory: directory)
        options.taskResources.cores = 2
        let cores = expectError { () throws(JobSpecError) in _ = try JobLoader.load(path: directory + "/j.sub", options: options) }
        XCTAssertTrue(cores?.isInCommandLine ?? false, "\(String(describing: cores))")
        options = testOptions(directory: directory)
        options.batchOptions = ["--array=1-2"]
        let batch = expectError { () throws(JobSpecError) in _ = try JobLoader.load(path: directory + "/j.sub", options: options) }
        XCTAssertTrue(batch?.isInCommandLine ?? false, "\(String(describing: batch))")
        try "#!/bin/sh\nprog\n".write(toFile: directory + "/bad.sub", atomically: true, encoding: .utf8)
        let inFile = expectError { () throws(JobSpecError) in _ = try JobLoader.load(path: directory + "/bad.sub", options: testOptions()) }
        XCTAssertFalse(inFile?.isInCommandLine ?? true, "a problem inside the file stays the file's")
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
