import ArgumentParser
import Foundation
import TaskFarm

/// `taskfarm call`: calls a Swift service of a running services program, for scripts.
struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a Swift service of a running ServiceFarm program with a JSON input; print its JSON output.",
        discussion: "An error the service throws is printed with its type and message, and the exit status is 1.")

    @OptionGroup var connection: ConnectOptions

    @Argument(help: "The service's name.")
    var service: String

    @Argument(help: "The input as JSON (default: null).")
    var json: String = "null"

    func run() throws {
        let client = try connection.client(command: "call")
        do {
            print(try client.call(service, json: json))
        } catch where error.kind == .failed {
            // The service threw: the call failed, as a task fails.
            FileHandle.standardError.write(Data("taskfarm call: \(error.message)\n".utf8))
            throw ExitCode(1)
        } catch {
            throw ClientFailure.report("call", error)
        }
    }
}
