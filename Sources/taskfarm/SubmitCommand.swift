import ArgumentParser
import Foundation
import JobSpec
import TaskFarm

/// `taskfarm submit`: queues one command, or a whole job file as one array, in a served farm.
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a command (after --) or a job file (--file) to a served farm; prints the task ids.",
        discussion: """
            The command runs in this folder. Several words run directly (no shell); one word \
            with spaces runs as a /bin/sh line, as in a task list: \
            taskfarm submit -- './sim --seed 3 > out3'. --after 4,7 holds the task until tasks \
            4 and 7 succeed (PBS afterok); a failed parent cancels it.
            """
    )

    @OptionGroup var connection: ConnectOptions

    @Option(name: .long, help: "A name for the task, shown in logs and the joblog's command column.")
    var name: String?

    @Option(name: .long, help: "Task ids that must succeed first: N,M or N-M.")
    var after: String?

    @Option(name: .long, help: "Submit every task of this job file (task list, submit description, PBS or Slurm script) as one array; - reads it from standard input.")
    var file: String?

    @OptionGroup var format: JobFormatOption

    @OptionGroup var request: TaskRequestArguments

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        if (file == nil) == command.isEmpty {
            throw ValidationError("give either a command after -- or --file TASKS (- for standard input)")
        }
        if file != nil, name != nil { throw ValidationError("--name names one task; it does not go with --file") }
    }

    func run() throws {
        // The ids first: a malformed --after is a usage error whether or not a farm answers.
        let parents = try after.map { try TaskIDList.parse([$0], command: "--after") } ?? []
        // Standard input before the farm: an unreadable one is this command's input error.
        let standardInput = file == StateFolder.standardInput ? try readStandardInput() : nil
        var overrides = JobFiles.Overrides(format: format.jobFormat)
        overrides.taskResources = request.resources
        if let file { try refuseDAG(file, standardInput: standardInput, format: overrides.format) }
        let client = try connection.client(command: "submit")
        var tasks: [SubmittedTask]
        // The spooled copy of standard input is the tasks' script only once they are queued:
        // a refused submission leaves none behind.
        var spooledCopy: String?
        var queued = false
        defer {
            if !queued, let spooledCopy {
                try? FileManager.default.removeItem(atPath: (spooledCopy as NSString).deletingLastPathComponent)
            }
        }
        if let file {
            let job: any Job
            let input = try standardInput.map { try spoolStandardInput($0, client: client) }
            if let input, input.spooled != Self.standardInputName { spooledCopy = input.spooled }
            do throws(JobSpecError) {
                if let input {
                    job = try loadStandardInput(input, runID: client.connection.runID, overrides: overrides)
                } else {
                    job = try JobFiles.load(path: file, runID: client.connection.runID, overrides: overrides)
                }
            } catch {
                FileHandle.standardError.write(Data("taskfarm submit: \(error)\n".utf8))
                throw ExitCode((error.isInCommandLine ? ExitStatus.usage : .badJobFile).rawValue)
            }
            try refuseDAG(job, named: input == nil ? file : Self.standardInputName)
            if job.taskCount == 0 {
                let name = input == nil ? file : Self.standardInputName
                throw CommandFailure.report("submit", "\(name): no tasks; nothing was queued", status: .badJobFile)
            }
            if let position = (0..<job.taskCount).first(where: { !job.prerequisites(of: $0).isEmpty }) {
                throw CommandFailure.report("submit", "\(job.task(at: position).source): \(Self.dependenciesNotKept)",
                                            status: .badJobFile)
            }
            tasks = (0..<job.taskCount).map { SubmittedTask(spec: job.task(at: $0), after: parents) }
        } else {
            let directory = FileManager.default.currentDirectoryPath
            let words = command
            let taskCommand: TaskCommand = words.count == 1 && words[0].contains(where: \.isWhitespace)
                ? .shell(words[0]) : .argv(words)
            var spec = TaskSpec(position: 0, arrayIndex: 0, command: taskCommand, workingDirectory: directory,
                                source: SourceLocation(file: "taskfarm submit", line: 0), label: name)
            request.resources.apply(to: &spec)
            tasks = [SubmittedTask(spec: spec, after: parents, name: name)]
        }
        do {
            let ids = try client.submit(tasks)
            queued = true
            print(TaskIDList.format(ids))
        } catch {
            // Only a refusal is known to have queued nothing; after a lost answer the tasks
            // may be queued, and must find their script.
            queued = error.kind != .invalid
            throw ClientFailure.report("submit", error)
        }
    }

    /// Why a file whose tasks depend on each other is refused.
    private static let dependenciesNotKept = "dependencies inside the file (BARRIER, DAG) are not kept in a queue; "
        + "split it and use --after"

    /// Refuses a DAG (65), named by its file or `<standard input>`, before it is read
    /// further: a DAG is nothing but its nodes' dependencies, which a queue does not keep.
    /// `format` is `--format`; with `--format dag` the file is a DAG because the command
    /// line says so, and the message says that rather than claim the text holds one. A file
    /// whose name does not say it is a DAG is told apart once loaded (``refuseDAG(_:named:)``).
    ///
    /// - Throws: `ExitCode` 65 for a DAG.
    private func refuseDAG(_ file: String, standardInput: Data?, format: JobFormat?) throws {
        let name = standardInput == nil ? file : Self.standardInputName
        if format == .dag {
            throw CommandFailure.report("submit", "\(name): --format dag reads it as a DAG: \(Self.dependenciesNotKept)",
                                        status: .badJobFile)
        }
        guard format == nil else { return }
        let detected = standardInput.map { JobFormat.detect(path: "", contents: String(decoding: $0, as: UTF8.self)) }
            ?? JobFormat.detect(path: file, contents: "")
        if detected == .dag {
            throw CommandFailure.report("submit", "\(name): a DAG: \(Self.dependenciesNotKept)", status: .badJobFile)
        }
    }

    /// Refuses `job` (65) when it is a DAG, named `name`: the DAG file, not one of its
    /// nodes' submit files.
    private func refuseDAG(_ job: any Job, named name: String) throws {
        if job is DAGJob {
            throw CommandFailure.report("submit", "\(name): a DAG: \(Self.dependenciesNotKept)", status: .badJobFile)
        }
    }

    /// Standard input's bytes (`--file -`, as `run -` and `check -` take a job, and as
    /// `sbatch` and `qsub` read a script).
    ///
    /// - Throws: `ExitCode` 66 (EX_NOINPUT), saying why in the system's words, when it
    ///   cannot be read.
    private func readStandardInput() throws -> Data {
        do {
            return try StandardInput.read()
        } catch {
            throw CommandFailure.report("submit", error.description, status: .noInput)
        }
    }

    /// `data`, read from standard input, and where it was copied in the farm's spool, as
    /// the front ends copy a script: a script's tasks run their file, so it must outlive this
    /// command. Bytes that are not UTF-8 are not copied (loading refuses them, naming
    /// `<standard input>`).
    ///
    /// - Throws: `ExitCode` ending the command with the client error's status when the spool
    ///   cannot be written.
    private func spoolStandardInput(_ data: Data, client: QueueClient) throws -> (data: Data, spooled: String) {
        guard let text = String(data: data, encoding: .utf8) else { return (data, Self.standardInputName) }
        do {
            return (data, try FrontEndSubmission.spool(text, name: "stdin", client: client))
        } catch {
            throw ClientFailure.report("submit", error)
        }
    }

    /// How messages name the job read from standard input, as `run -` and `check -` do.
    private static let standardInputName = StandardInput.name

    /// The job read from standard input, told apart as a file is; messages name
    /// `<standard input>`, not the spooled copy.
    ///
    /// - Throws: ``JobSpecError`` naming `<standard input>`, its line and what was expected.
    private func loadStandardInput(_ input: (data: Data, spooled: String), runID: Int,
                                   overrides: JobFiles.Overrides) throws(JobSpecError) -> any Job {
        do {
            return try JobFiles.load(standardInput: input.data, keptAt: input.spooled, runID: runID, overrides: overrides)
        } catch {
            var named = error
            if named.location.file == input.spooled { named.location.file = Self.standardInputName }
            throw named
        }
    }
}
