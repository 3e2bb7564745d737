import ArgumentParser
import Foundation
import TaskFarm

/// `taskfarm status [STATE_DIR]`: what a run's journal says, during the run or after it;
/// `taskfarm status --connect FILE`: the same report from a served farm, live.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a run's tasks by state, its failures and its running tasks, from the journal.",
        discussion: """
            --task INDEX tells one task's story: its command and state, every attempt with host, \
            rank, times, exit code or signal, CPU time and peak memory, its output files and the \
            last lines of its stderr. --watch redraws the report until the run ends.
            """)

    @Argument(help: ArgumentHelp("The state folder (FILE.taskfarm beside the job file), or the job file itself.",
                                 valueName: "state-dir"))
    var path: String?

    @OptionGroup var served: ServedFarmOption

    @OptionGroup var folder: StateDirOption

    /// The folder `--state-dir` names, else the one the argument names or is beside.
    private var stateDir: String? { folder.stateDir ?? path }

    @Option(name: .long, parsing: .unconditional, help: "Show the story of the task with this index (a served queue's task id).")
    var task: Int?

    @Flag(name: .long, help: "Redraw the report every --interval seconds until the run ends.")
    var watch = false

    @Option(name: .long, parsing: .unconditional, help: "Seconds between redraws with --watch.")
    var interval: Double = 2

    @Flag(name: .long, help: "Print JSON for scripts.")
    var json = false

    func validate() throws {
        try folder.validate(connect: served.connect)
        if (stateDir == nil) == (served.connect == nil) {
            throw ValidationError("give a state folder (or the job file, or --state-dir DIR) or --connect FILE")
        }
        guard interval > 0, interval.isFinite else { throw ValidationError("--interval must be a positive number of seconds") }
        if watch, task != nil { throw ValidationError("--watch shows the whole run; it does not go with --task") }
    }

    func run() throws {
        if let task {
            let story = try served.taskStory(index: task, else: stateDir ?? "", command: "status")
            print(json ? story.json : story.text, terminator: "")
            return
        }
        guard watch else {
            print(try report(), terminator: "")
            return
        }
        let clears = isatty(STDOUT_FILENO) != 0
        while true {
            let text = try report()
            FileHandle.standardOutput.write(Data(((clears ? "\u{1B}[H\u{1B}[2J" : "") + text + (clears ? "" : "\n")).utf8))
            if try runEnded() { return }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// The report once, from the farm or the folder.
    private func report() throws -> String {
        if let connect = served.connect {
            do {
                return try QueueClient(connectionFile: connect).status(json: json)
            } catch {
                throw ClientFailure.report("status", error)
            }
        }
        let stateFolder = try StateFolderLocation.existing(stateDir ?? "", command: "status")
        do {
            let report = try StatusReport(stateFolder: stateFolder)
            return json ? report.json : report.text
        } catch let error as JournalError {
            throw CommandFailure.report("status", error.message, status: error.exitStatus)
        }
    }

    /// Whether the watched run is over: its journal's `run-ended` record, or, should the run
    /// have been killed before writing it, a free state-folder lock. A served farm that
    /// stopped answering has ended too.
    private func runEnded() throws -> Bool {
        if let connect = served.connect {
            return (try? QueueClient(connectionFile: connect).status(json: true)) == nil
        }
        let stateFolder = StateFolderLocation.resolve(stateDir ?? "")
        let report = try? StatusReport(stateFolder: stateFolder)
        return report?.inProgress != true || !StateLock.isHeld(path: stateFolder + "/lock")
    }
}

/// Where a command's state folder is.
enum StateFolderLocation {
    /// `path` itself when it is a folder; for a job file (or `-`, standard input), its
    /// default state folder; for a job file moved or removed since its run, that folder too
    /// when it is still there (the journal does not need the file).
    static func resolve(_ path: String) -> String {
        if path == StateFolder.standardInput { return StateFolder.defaultPath(forJob: path) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            return isDirectory.boolValue ? path : StateFolder.defaultPath(forJob: path)
        }
        let folder = StateFolder.defaultPath(forJob: path)
        return FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue ? folder : path
    }

    /// ``resolve(_:)`` of `path`, refusing (66) a job file whose default state folder does
    /// not exist with a message that names both and the ways out, rather than the journal's
    /// "no such folder" about a name the user never typed.
    ///
    /// - Throws: `ExitCode` 66 ending `command`.
    static func existing(_ path: String, command: String) throws -> String {
        let folder = resolve(path)
        guard folder != path, !FileManager.default.fileExists(atPath: folder) else { return folder }
        throw CommandFailure.report(command, "\(path == StateFolder.standardInput ? "<standard input>" : path) has no state "
            + "folder here (\(folder)): it has not run from this folder, or its run was given --state-dir; give that "
            + "folder instead (taskfarm \(command) DIR ..., or --state-dir DIR)", status: .noInput)
    }

    /// The state folder of the served farm the connection file names, as its broker says.
    static func ofServedFarm(_ connectionFile: String, command: String) throws -> String {
        do {
            return try QueueClient(connectionFile: connectionFile).stateFolder()
        } catch {
            throw ClientFailure.report(command, error)
        }
    }
}
