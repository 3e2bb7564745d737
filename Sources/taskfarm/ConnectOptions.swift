import ArgumentParser
import Foundation
import TaskFarm

/// `--connect FILE`, shared by the client commands.
struct ConnectOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The farm's connection file (written by taskfarm serve); default: TASKFARM_CONNECTION, else ./taskfarm.connection.", valueName: "file"))
    var connect: String = ConnectionFile.clientDefaultPath

    /// A client of the farm the file names; a missing or bad file ends the command.
    func client(command: String) throws -> QueueClient {
        do {
            return try QueueClient(connectionFile: connect)
        } catch {
            throw ClientFailure.report(command, error)
        }
    }

    /// Sends one request through a client of the farm and returns its answer; a missing or
    /// bad file, or a request the farm does not answer, ends `command` with exit 70.
    func request<Answer>(_ command: String, _ send: (QueueClient) throws(ClientError) -> Answer) throws -> Answer {
        let client = try self.client(command: command)
        do {
            return try send(client)
        } catch {
            throw ClientFailure.report(command, error)
        }
    }
}

/// Ends a client command with its error on standard error and the exit status of its kind:
/// 69 no farm there, 77 a wrong token or a connection file not the user's own, 65 a request
/// the farm refuses, 70 anything else.
enum ClientFailure {
    static func report(_ command: String, _ error: ClientError) -> ExitCode {
        CommandFailure.report(command, error.message, status: error.exitStatus)
    }
}

/// Ends a command with `taskfarm COMMAND: MESSAGE` on standard error and `status`.
enum CommandFailure {
    static func report(_ command: String, _ message: String, status: ExitStatus) -> ExitCode {
        FileHandle.standardError.write(Data("taskfarm \(command): \(message)\n".utf8))
        return ExitCode(status.rawValue)
    }
}

/// Task ids as the client commands take them: `7`, `3,5`, `10-19`, in one or more words.
enum TaskIDList {
    /// - Throws: `ValidationError` naming the word that is not an id or range.
    static func parse(_ words: [String]) throws -> [Int] {
        var ids: [Int] = []
        for word in words {
            for part in word.split(separator: ",") {
                let bounds = part.split(separator: "-", maxSplits: 1)
                if bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]), low <= high {
                    ids += Array(low...high)
                } else if let id = Int(part), id >= 0 {
                    ids.append(id)
                } else {
                    throw ValidationError("'\(part)' is not a task id; expected N, N,M or N-M")
                }
            }
        }
        return ids
    }

    /// `ids` compactly: `12`, `12-111`, or comma-separated runs.
    static func format(_ ids: [Int]) -> String { IDRanges.format(ids) }
}
