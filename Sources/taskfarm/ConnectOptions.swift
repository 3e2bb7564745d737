import ArgumentParser
import Foundation
import JobSpec
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
        // Messages quote file names and words the user gave: their control characters are
        // escaped, so that printing the message cannot drive the terminal.
        FileHandle.standardError.write(Data("taskfarm \(command): \(VisibleText.escaped(message, keepingNewlines: true))\n".utf8))
        return ExitCode(status.rawValue)
    }
}

/// Task ids as the client commands take them: `7`, `3,5`, `10-19`, in one or more words.
enum TaskIDList {
    /// The most ids one command may name: the most indices one job array may have
    /// (``FarmLimits/maximumArrayIndices``), so a queue never holds more tasks than a command
    /// can name in one go, and a range is refused before a single id of it is made.
    static let maximumIDs = FarmLimits.maximumArrayIndices

    /// The ids `words` name, in order; `command` (`cancel`, `wait`, `--after`) names what
    /// takes them in messages.
    ///
    /// - Throws: `ValidationError` (exit 64) naming the word that is not an id or range, a
    ///   reversed range, or the range past which more than ``maximumIDs`` ids would be named.
    static func parse(_ words: [String], command: String) throws -> [Int] {
        var ranges: [ClosedRange<Int>] = []
        var count = 0
        for word in words {
            for part in word.split(separator: ",") {
                let range = try self.range(part)
                // Both bounds are 0 or more, so the difference cannot overflow; the count can.
                let width = range.upperBound - range.lowerBound
                if width >= maximumIDs - count {
                    throw ValidationError("'\(part)': more than \(maximumIDs) task ids; \(command) takes at most "
                                          + "\(maximumIDs) at a time (the most one job array may have)")
                }
                count += width + 1
                ranges.append(range)
            }
        }
        return ranges.flatMap { Array($0) }
    }

    /// `part` (`N` or `N-M`) as a range of ids.
    private static func range(_ part: Substring) throws -> ClosedRange<Int> {
        let bounds = part.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        if bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]), low >= 0, high >= 0 {
            guard low <= high else {
                throw ValidationError("'\(part)' is a reversed range; expected the lower id first: \(high)-\(low)")
            }
            return low...high
        }
        if bounds.count == 1, let id = Int(part), id >= 0 { return id...id }
        throw ValidationError("'\(part)' is not a task id; expected N, N,M or N-M")
    }

    /// `ids` compactly: `12`, `12-111`, or comma-separated runs.
    static func format(_ ids: [Int]) -> String { IDRanges.format(ids) }
}
