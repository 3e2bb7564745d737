import Foundation
import JobSpec
import TaskFarm

/// A scheduler's command (`qsub`, `sbatch`, `condor_q`, ...) acting on a served farm:
/// `taskfarm` run under that name (a link made by `taskfarm frontends DIR`).
struct FrontEndProgram: Sendable {
    /// The command's name, as users type it.
    let name: String
    /// Runs it with its arguments; returns the exit status.
    let run: @Sendable (FrontEndContext) throws -> Int32

    /// Every front end, by name.
    static let all: [String: FrontEndProgram] = {
        let programs = PBSPrograms.all + SlurmPrograms.all + CondorPrograms.all
        return Dictionary(uniqueKeysWithValues: programs.map { ($0.name, $0) })
    }()

    /// Runs the front end `argv[0]` names, if it names one; returns `nil` otherwise.
    static func runIfNamed(_ argv: [String]) -> Int32? {
        guard let first = argv.first, let program = all[(first as NSString).lastPathComponent] else { return nil }
        let context = FrontEndContext(program: program.name, arguments: Array(argv.dropFirst()))
        do {
            return try program.run(context)
        } catch let error as ClientError {
            context.complain(error.message)
            return error.exitStatus.rawValue
        } catch let error as JobSpecError {
            context.complain(error.description)
            return (error.isInCommandLine ? ExitStatus.usage : .badJobFile).rawValue
        } catch let error as StandardInputError {
            context.complain(error.description)
            return ExitStatus.noInput.rawValue
        } catch let error as FrontEndUsage {
            context.complain(error.message)
            return ExitStatus.usage.rawValue
        } catch {
            context.complain("\(error)")
            return ExitStatus.internalError.rawValue
        }
    }
}

/// A command line a front end does not accept, in words.
struct FrontEndUsage: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// What a front end runs with: its name and arguments, the farm, and where it writes.
struct FrontEndContext: Sendable {
    let program: String
    let arguments: [String]

    /// The connection file: `TASKFARM_CONNECTION`, else `./taskfarm.connection`.
    var connectionFile: String { ConnectionFile.clientDefaultPath }

    /// A client of the farm.
    ///
    /// - Throws: ``ClientError`` when the connection file is missing, bad or not the user's.
    func client() throws(ClientError) -> QueueClient {
        try QueueClient(connectionFile: connectionFile)
    }

    /// `PROGRAM: message` on standard error.
    func complain(_ message: String) {
        FileHandle.standardError.write(Data("\(program): \(message)\n".utf8))
    }

    /// Each warning of a parsed job on standard error.
    func warn(_ warnings: [JobSpecError]) {
        for warning in warnings { complain(warning.warningDescription) }
    }

    /// What a batch script's parser made of it for one job number.
    struct ParsedScript {
        var tasks: [SubmittedTask]
        var warnings: [JobSpecError]
        /// The array's `%max`, which the queue does not honour.
        var maxConcurrent: Int?
    }

    /// Queues a job file (`qsub`'s and `sbatch`'s script, `condor_submit`'s description,
    /// `taskfarm submit --file`'s) as one job: connects to the farm, takes the text and its
    /// name from `inline` (a command line's own script, such as sbatch `--wrap`'s, or text
    /// already read), else from ``namedScript(_:standardInputName:)`` of `file`; copies a
    /// script (`spools`) into the farm's spool, and removes the copy again when the submission is refused; has `parse` make the tasks for each job number
    /// tried (with the text, the path it is read from (the copy) and the client); prints the
    /// warnings once. Messages name `shownAs`, else `file` (the user's script, or `<stdin>`),
    /// not the copy. `given` is the farm's client when the caller has one (`taskfarm submit
    /// --connect`). Returns the client and the tasks' ids.
    ///
    /// - Throws: ``JobSpecError`` from reading the script or from `parse`, ``ClientError``
    ///   from the farm.
    func submitScript(_ inline: (text: String, name: String)?, file: String?, standardInputName: String,
                      shownAs: String? = nil, spools: Bool = true, client given: QueueClient? = nil,
                      parse: (_ text: String, _ spooled: String, _ first: Int, _ client: QueueClient) throws -> ParsedScript)
        throws -> (client: QueueClient, ids: [Int]) {
        let client = try given ?? self.client()
        let (text, name) = try inline ?? namedScript(file, standardInputName: standardInputName)
        let shown = shownAs ?? file ?? "<stdin>"
        let spooled = spools ? try FrontEndSubmission.spool(text, name: name, client: client) : shown
        // The copy is the tasks' script only once they are queued: a submission refused (its
        // script's error, or the farm's refusal) leaves none behind. After a lost answer the
        // tasks may be queued, and must find their script.
        var keepsCopy = !spools
        defer {
            if !keepsCopy { try? FileManager.default.removeItem(atPath: (spooled as NSString).deletingLastPathComponent) }
        }
        var warned = false
        func named(_ error: JobSpecError) -> JobSpecError {
            var error = error
            if error.location.file == spooled { error.location.file = shown }
            return error
        }
        let ids: [Int]
        do {
            ids = try FrontEndSubmission.submit(client) { first in
                let parsed: ParsedScript
                do {
                    parsed = try parse(text, spooled, first, client)
                } catch let error as JobSpecError {
                    throw named(error)
                }
                if !warned {
                    warn(parsed.warnings.map(named))
                    if let most = parsed.maxConcurrent {
                        complain("warning: %\(most) (at most \(most) array elements at once) is not honoured: elements start as workers free up")
                    }
                    warned = true
                }
                return parsed.tasks
            }
            keepsCopy = true
        } catch let error as ClientError {
            keepsCopy = error.kind != .invalid
            throw error
        }
        return (client, ids)
    }

    /// The job name a scheduler gives a job whose script came on standard input: `sbatch`
    /// for Slurm, `STDIN` for PBS's qsub and HTCondor's condor_submit.
    static func standardInputJobName(_ scheduler: FrontEndJob.Scheduler) -> String {
        scheduler == .slurm ? "sbatch" : "STDIN"
    }

    /// The text of a script file and the name the job takes from it (the file's last
    /// path component), or standard input's text and `standardInputName` when `path` is
    /// `nil` (`STDIN` for qsub, `sbatch` for sbatch).
    ///
    /// - Throws: ``JobSpecError`` naming the file when it cannot be read or is not UTF-8.
    func namedScript(_ path: String?, standardInputName: String) throws -> (text: String, name: String) {
        (try scriptText(path), path.map { ($0 as NSString).lastPathComponent } ?? standardInputName)
    }

    /// The text of a script file, or of standard input when `path` is `nil`.
    ///
    /// - Throws: ``JobSpecError`` naming the file when it cannot be read or is not UTF-8.
    func scriptText(_ path: String?) throws -> String {
        guard let path else {
            let data = try StandardInput.read()
            guard let text = String(data: data, encoding: .utf8) else {
                throw JobSpecError("the script on standard input is not UTF-8 text", file: "<stdin>")
            }
            return text
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JobSpecError("cannot read the script", file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw JobSpecError("is not UTF-8 text", file: path) }
        return text
    }

    /// Options for parsing a job whose first task will be queue id `first`, with the
    /// scheduler's own option words, dependencies kept for the front end to apply. The job's
    /// number (``FrontEndJob/number(ofQueueID:)``, from 1) is its run id: `SLURM_JOB_ID`,
    /// `PBS_JOBID`, `$(Cluster)` and `%A` are the id the front end prints.
    /// `overrides` are what `taskfarm submit --file`'s command line adds (its per-task request).
    func loadOptions(first: Int, batchOptions: [String] = [], scriptArguments: [String] = [],
                     overrides: JobFiles.Overrides = JobFiles.Overrides()) -> JobLoadOptions {
        var overrides = overrides
        overrides.scriptArguments += scriptArguments
        overrides.batchOptions += batchOptions
        var options = JobFiles.options(runID: FrontEndJob.number(ofQueueID: first), overrides: overrides)
        options.honoursDependencies = true
        return options
    }

    /// Every job of the queue.
    func jobs(_ client: QueueClient) throws(ClientError) -> [FrontEndJob] {
        FrontEndJob.jobs(in: try client.tasks().tasks)
    }
}

/// Reads `-x`, `-x value`, `-xvalue`, `--long`, `--long=value` and `--long value` words one
/// at a time, as the schedulers' query commands take them.
struct FrontEndArguments {
    private var words: ArraySlice<String>
    /// Words that are not options, in order.
    private(set) var operands: [String] = []

    init(_ words: [String]) { self.words = words[...] }

    /// The next option name (`-f`, `--format`), or `nil` when none is left; operands are
    /// collected on the way.
    mutating func next() -> String? {
        while let word = words.popFirst() {
            if word.hasPrefix("-"), word.count > 1 {
                if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
                    words.insert(String(word[word.index(after: equals)...]), at: words.startIndex)
                    return String(word[..<equals])
                }
                return word
            }
            operands.append(word)
        }
        return nil
    }

    /// The value of the option just read.
    ///
    /// - Throws: ``FrontEndUsage`` when none is left.
    mutating func value(for option: String) throws -> String {
        guard let word = words.popFirst() else { throw FrontEndUsage("option \(option) needs a value") }
        return word
    }

    /// Every word left, as operands.
    mutating func rest() -> [String] {
        defer { words = [] }
        return Array(words)
    }
}
