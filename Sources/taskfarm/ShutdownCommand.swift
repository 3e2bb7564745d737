import ArgumentParser
import Foundation
import TaskFarm

/// `taskfarm shutdown`: ends a served farm.
struct ShutdownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shutdown",
        abstract: "End a served farm: running tasks are stopped (and run again when it is served again), or finish with --drain.")

    @OptionGroup var connection: ConnectOptions

    @Flag(name: .long, help: "Let running tasks finish; start no new ones.")
    var drain = false

    func run() throws {
        let client = try connection.client(command: "shutdown")
        do {
            print(try client.shutdown(drain: drain))
        } catch {
            throw ClientFailure.report("shutdown", error)
        }
    }
}
