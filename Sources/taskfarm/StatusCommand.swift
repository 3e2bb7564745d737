import ArgumentParser
import Foundation
import TaskFarm

/// `taskfarm status [STATE_DIR]`: what a run's journal says, during the run or after it;
/// `taskfarm status --connect FILE`: the same report from a served farm, live.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a run's tasks by state, its failures and its running tasks, from the journal.")

    @Argument(help: "The state folder (FILE.taskfarm beside the job file), or the job file itself.")
    var stateDir: String?

    @Option(name: .long, help: "Ask a served farm, through its connection file, instead of reading a state folder.")
    var connect: String?

    @Flag(name: .long, help: "Print JSON for scripts.")
    var json = false

    func validate() throws {
        if (stateDir == nil) == (connect == nil) { throw ValidationError("give a state folder or --connect FILE") }
    }

    func run() throws {
        if let connect {
            do {
                print(try QueueClient(connectionFile: connect).status(json: json), terminator: "")
            } catch {
                throw ClientFailure.report("status", error)
            }
            return
        }
        var folder = stateDir ?? ""
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), !isDirectory.boolValue {
            folder = StateFolder.defaultPath(forJob: folder)
        }
        do {
            let report = try StatusReport(stateFolder: folder)
            print(json ? report.json : report.text, terminator: "")
        } catch let error as JournalError {
            FileHandle.standardError.write(Data("taskfarm status: \(error.message)\n".utf8))
            throw ExitCode(ExitStatus.usage.rawValue)
        }
    }
}
