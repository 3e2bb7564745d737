import ArgumentParser
import TaskFarm

/// `--connect FILE` for the commands that read a state folder (`status`, `output`): with
/// it, they read the served farm's, whose path its broker gives.
struct ServedFarmOption: ParsableArguments {
    @Option(name: .long, help: "Ask a served farm, through its connection file, instead of reading a state folder.")
    var connect: String?

    /// The served farm's state folder with `--connect`, else `path`'s
    /// (``StateFolderLocation/resolve(_:)``).
    ///
    /// - Throws: `ExitCode` (69, 77, 65 or 70) ending `command` when the farm does not answer.
    func stateFolder(else path: String, command: String) throws -> String {
        if let connect { return try StateFolderLocation.ofServedFarm(connect, command: command) }
        return try StateFolderLocation.existing(path, command: command)
    }

    /// The story of the task at `index` (a served queue's task id) in ``stateFolder(else:command:)``.
    ///
    /// - Throws: `ExitCode` ending `command`: 64 for an unknown index, 66 for a missing or
    ///   unreadable journal; or what ``stateFolder(else:command:)`` throws.
    func taskStory(index: Int, else path: String, command: String) throws -> TaskStory {
        let folder = try stateFolder(else: path, command: command)
        do {
            return try TaskStory(stateFolder: folder, index: index)
        } catch let error as UnknownTask {
            throw CommandFailure.report(command, error.message, status: .usage)
        } catch let error as JournalError {
            throw CommandFailure.report(command, error.message, status: error.exitStatus)
        }
    }
}
