import ArgumentParser
import Foundation
import TaskFarm

/// `taskfarm call`: calls a Swift service of a running services program, for scripts.
struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a Swift service of a running ServiceFarm program with a JSON input; print its JSON output.",
        discussion: """
            An error the service throws is printed with its type and message. Exit statuses \
            (sysexits): 65 when the service refused its input (it threw, or could not decode \
            the JSON), 69 when no worker offers the service (or the farm runs commands, not \
            services), 70 when its output could not be coded.
            """)

    @OptionGroup var connection: ConnectOptions

    @Argument(help: "The service's name.")
    var service: String

    @Argument(help: "The input as JSON (default: null).")
    var json: String = "null"

    func run() throws {
        let client = try connection.client(command: "call")
        do {
            print(try client.call(service, json: json))
        } catch {
            throw ClientFailure.report("call", error)
        }
    }
}
