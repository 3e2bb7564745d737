import ArgumentParser
import Foundation
import TaskFarm

/// `taskfarm wait`: blocks until tasks of a served farm end.
struct WaitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until tasks of a served farm end; print how each ended.",
        discussion: """
            With one id it exits with the task's exit status (128+N for signal N, 1 when it \
            was cancelled, timed out or could not start); with several, 0 when all succeeded, \
            else 1. 69 when the farm cannot be reached or stops first, 65 for an unknown id.
            """
    )

    @OptionGroup var connection: ConnectOptions

    @Argument(help: "Task ids: N, N,M or N-M.")
    var ids: [String]

    func run() throws {
        let ids = try TaskIDList.parse(ids, command: "wait")
        let results = try connection.request("wait") { client throws(ClientError) in try client.wait(for: ids) }
        for result in results { print(Self.describe(result)) }
        let status: Int32
        if results.count == 1, let only = results.first {
            status = Self.exitStatus(only)
        } else {
            status = results.allSatisfy { $0.state == "succeeded" } ? 0 : 1
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// `ID STATE`, with the exit code or signal and the reason.
    static func describe(_ result: TaskResult) -> String {
        var text = "\(result.id) \(result.state)"
        if let signal = result.signal { text += " signal \(signal)" } else if let code = result.exitCode { text += " exit \(code)" }
        if let message = result.message, result.state != "succeeded" { text += ": \(message)" }
        return text
    }

    static func exitStatus(_ result: TaskResult) -> Int32 {
        if result.state == "succeeded" { return 0 }
        if result.state == "failed" {
            if let signal = result.signal { return Int32(128 + signal) }
            if let code = result.exitCode, code != 0 { return Int32(code) }
        }
        return 1
    }
}
