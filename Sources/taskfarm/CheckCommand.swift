import ArgumentParser
import Foundation
import JobSpec
import TaskFarm

/// `taskfarm check FILE`: expands a job file and lists its tasks without running anything.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "List the tasks a job file expands to (index, argv, environment, outputs, requirements), running nothing.",
        discussion: "Exits 0 when the file is good, 65 with the file, line and column of the first problem otherwise, including a task that asks for more cores, memory or GPUs than this host has (or --cpus-per-host, --memory-per-host, --gpus-per-host or --gpu-ids-per-host describe); 64 when an option does not fit the file (such as --cpus-per-task with a submit description).")

    @OptionGroup var job: JobFileOptions

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Flag(name: .long, help: "For a DAG: print the graph in Graphviz DOT.")
    var dot = false

    @OptionGroup(title: "The hosts tasks are measured against (default: this one)") var hosts: HostResourceArguments

    @Option(name: .long, parsing: .unconditional, help: "The run id to expand $(Cluster), %A and array job ids with (default: the state folder's, else 1).")
    var runID: Int?

    func validate() throws {
        if dot, json { throw ValidationError("--dot and --json are two listings of the same job; give one") }
    }

    func run() throws {
        let id = runID ?? storedRunID() ?? 1
        let overrides = job.overrides
        let standardInput: Data?
        do {
            standardInput = job.file == StateFolder.standardInput ? try StandardInput.read() : nil
        } catch {
            FileHandle.standardError.write(Data("taskfarm check: \(error)\n".utf8))
            throw ExitCode(ExitStatus.noInput.rawValue)
        }
        do {
            let loaded = try load(standardInput: standardInput, runID: id, overrides: overrides)
            for warning in loaded.warnings {
                let named = standardInput != nil ? JobFiles.namingStandardInput(warning, keptAt: standardInputCopy) : warning
                FileHandle.standardError.write(Data("\(named.warningDescription)\n".utf8))
            }
            let host = HostResources.capacity(environment: ProcessInfo.processInfo.environment, options: hosts.options)
            if let refusal = HostCapacity.firstRefusal(in: loaded, hosts: [host]) { throw refusal }
            let user = ProcessInfo.processInfo.environment["USER"] ?? ""
            if dot, !(loaded is DAGJob) {
                let name = job.file == StateFolder.standardInput ? "<standard input>" : job.file
                throw JobSpecError("--dot draws a DAG's graph; \(name) is not a DAG", file: SourceLocation.commandLine)
            }
            if let dagJob = loaded as? DAGJob {
                if dot {
                    print(DAGDot.render(dagJob.dag, state: nil), terminator: "")
                } else if json {
                    print(JobCheck.json(dagJob, runID: id, user: user), terminator: "")
                } else {
                    print(try DAGCheck.render(dagJob.dag, job: dagJob), terminator: "")
                }
            } else if json {
                JobCheck.writeJSON(loaded, runID: id, user: user) { print($0, terminator: "") }
            } else {
                JobCheck.writeTable(loaded, runID: id, user: user) { print($0, terminator: "") }
            }
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            let inCommandLine = (error as? JobSpecError)?.isInCommandLine == true
            throw ExitCode((inCommandLine ? ExitStatus.usage : .badJobFile).rawValue)
        }
    }

    /// The job file, or with `-` the job read from standard input (`standardInput`) as
    /// `taskfarm run -` takes it: parsed as the copy that run keeps in its state folder, which a
    /// script's tasks run; its messages name `<standard input>`.
    private func load(standardInput: Data?, runID: Int, overrides: JobFiles.Overrides) throws(JobSpecError) -> any Job {
        guard let standardInput else {
            return try JobFiles.load(path: job.file, runID: runID, overrides: overrides)
        }
        return try JobFiles.load(standardInput: standardInput, keptAt: standardInputCopy, runID: runID, overrides: overrides)
    }

    /// Where `run -` keeps the job read from standard input, which a script's tasks run.
    private var standardInputCopy: String {
        StateFolder.standardInputCopy(in: Farm.absolutePath(StateFolder.defaultPath(forJob: job.file)))
    }

    private func storedRunID() -> Int? {
        StateFolder.storedRunID(in: StateFolder.defaultPath(forJob: job.file))
    }
}
