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

    @Option(name: .long, help: "Submit every task of this job file (task list, submit description, PBS or Slurm script) as one array; a script or submit description is queued as qsub, sbatch or condor_submit queue it, its dependencies kept beside --after; - reads it from standard input.")
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
        var overrides = JobFiles.Overrides(format: format.jobFormat)
        overrides.taskResources = request.resources
        // Standard input before the farm: an unreadable one is this command's input error.
        let standardInput = file == StateFolder.standardInput ? try readStandardInput() : nil
        if let file { try refuseDAG(file, standardInput: standardInput, format: overrides.format) }
        let client = try connection.client(command: "submit")
        let ids: [Int]
        if let file {
            ids = try submitFile(file, standardInput: standardInput, after: parents, overrides: overrides, client: client)
        } else {
            let directory = FileManager.default.currentDirectoryPath
            let words = command
            let taskCommand: TaskCommand = words.count == 1 && words[0].contains(where: \.isWhitespace)
                ? .shell(words[0]) : .argv(words)
            var spec = TaskSpec(position: 0, arrayIndex: 0, command: taskCommand, workingDirectory: directory,
                                source: SourceLocation(file: "taskfarm submit", line: 0), label: name)
            request.resources.apply(to: &spec)
            do {
                ids = try client.submit([SubmittedTask(spec: spec, after: parents, name: name)])
            } catch {
                throw ClientFailure.report("submit", error)
            }
        }
        print(TaskIDList.format(ids))
    }

    /// How messages name the job read from standard input, as `run -` and `check -` do.
    private static let standardInputName = StandardInput.name

    /// Queues every task of `file` (`-`: standard input) as one array, each also held until
    /// `parents` succeed; prints the job's warnings on standard error. A PBS or Slurm script
    /// or a submit description goes the way `qsub`, `sbatch` and `condor_submit` queue it
    /// (``FrontEndContext/submitScript(_:file:standardInputName:shownAs:spools:client:parse:)``):
    /// its dependencies (`#PBS -W depend=`, `#SBATCH --dependency`) are kept beside `--after`,
    /// its job ids, `%A`/`%a` output names and variables are the job's, as the front end's
    /// are, and a script is copied into the farm's spool. A task list, a DAG (refused) and a
    /// file that cannot be read go through ``JobFiles``.
    ///
    /// - Throws: `ExitCode` 64 or 65 after the file's error, or the client error's status.
    private func submitFile(_ file: String, standardInput: Data?, after parents: [Int], overrides: JobFiles.Overrides,
                            client: QueueClient) throws -> [Int] {
        let fromStandardInput = standardInput != nil
        let shown = fromStandardInput ? Self.standardInputName : file
        let data = (standardInput ?? FileManager.default.contents(atPath: file)).map(ByteOrderMark.stripped)
        do {
            // Text that is not UTF-8, or no text at all, goes to the loader, whose message
            // names the line and byte, or why the file cannot be read.
            if let data, let text = String(data: data, encoding: .utf8) {
                let format = overrides.format ?? JobFormat.detect(path: fromStandardInput ? "" : file, contents: text)
                if let scheduler = Self.frontEnd(of: format) {
                    return try submitThroughFrontEnd(text, scheduler: scheduler, file: fromStandardInput ? nil : file,
                                                     shown: shown, after: parents, overrides: overrides, client: client)
                }
            }
            let job: any Job
            if fromStandardInput {
                job = try JobFiles.load(standardInput: data ?? Data(), keptAt: shown, runID: client.connection.runID,
                                        overrides: overrides)
            } else {
                job = try JobFiles.load(path: file, runID: client.connection.runID, overrides: overrides)
            }
            for warning in job.warnings {
                FileHandle.standardError.write(Data("taskfarm submit: \(warning.warningDescription)\n".utf8))
            }
            try refuseDAG(job, named: shown)
            if job.taskCount == 0 {
                throw CommandFailure.report("submit", "\(shown): no tasks; nothing was queued", status: .badJobFile)
            }
            if let position = (0..<job.taskCount).first(where: { !job.prerequisites(of: $0).isEmpty }) {
                throw CommandFailure.report("submit", "\(job.task(at: position).source): \(Self.dependenciesNotKept)",
                                            status: .badJobFile)
            }
            return try client.submit((0..<job.taskCount).map { SubmittedTask(spec: job.task(at: $0), after: parents) })
        } catch let error as JobSpecError {
            FileHandle.standardError.write(Data("taskfarm submit: \(error)\n".utf8))
            throw ExitCode((error.isInCommandLine ? ExitStatus.usage : .badJobFile).rawValue)
        } catch let error as ClientError {
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

    /// The front end whose submissions `format` is: PBS's qsub, Slurm's sbatch, HTCondor's
    /// condor_submit; `nil` for a task list or a DAG.
    private static func frontEnd(of format: JobFormat) -> FrontEndJob.Scheduler? {
        switch format {
        case .pbs: .pbs
        case .slurm: .slurm
        case .submit: .condor
        case .taskList, .dag: nil
        }
    }

    /// Queues `text`, a script or submit description, as `scheduler`'s front end queues it,
    /// each task also held until `parents` succeed; messages name `shown`. The job is named
    /// as the front end names it: after the file, or `sbatch`/`STDIN` from standard input.
    ///
    /// - Throws: ``JobSpecError`` naming the line and what was expected, ``ClientError``
    ///   from the farm (a dependency on a job it does not have, an unknown `--after` id).
    private func submitThroughFrontEnd(_ text: String, scheduler: FrontEndJob.Scheduler, file: String?, shown: String,
                                       after parents: [Int], overrides: JobFiles.Overrides,
                                       client: QueueClient) throws -> [Int] {
        let context = FrontEndContext(program: "taskfarm submit", arguments: [])
        let name = file.map { ($0 as NSString).lastPathComponent } ?? FrontEndContext.standardInputJobName(scheduler)
        return try context.submitScript((text, name), file: file, standardInputName: name, shownAs: shown,
                                        spools: scheduler != .condor, client: client) { text, spooled, first, client in
            var parsed = scheduler == .condor
                ? try CondorPrograms.parsedSubmitDescription(context, text: text, file: spooled, name: name, first: first,
                                                             overrides: overrides)
                : try context.parsedBatchScript(scheduler, text: text, spooled: spooled, first: first,
                                                overrides: overrides, shownAs: shown, client: client).parsed
            for index in parsed.tasks.indices { parsed.tasks[index].after += parents }
            return parsed
        }.ids
    }
}
