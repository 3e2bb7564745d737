import ArgumentParser
import Foundation
import TaskFarm

/// `taskfarm cancel`: cancels tasks of a served farm.
struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel tasks of a served farm: queued ones never start, running ones are stopped.",
        discussion: """
            Tasks held by --after on a cancelled task are cancelled too. Exits 1 when some id had \
            already ended; 65, cancelling nothing, when some id is not in the queue.
            """)

    @OptionGroup var connection: ConnectOptions

    @Argument(help: "Task ids: N, N,M or N-M.")
    var ids: [String]

    func run() throws {
        let ids = try TaskIDList.parse(ids, command: "cancel")
        let outcome = try connection.request("cancel") { client throws(ClientError) in try client.cancel(ids) }
        if !outcome.cancelled.isEmpty { print("cancelled \(TaskIDList.format(outcome.cancelled))") }
        if let note = outcome.note {
            FileHandle.standardError.write(Data("taskfarm cancel: \(note)\n".utf8))
            throw ExitCode(1)
        }
    }
}
