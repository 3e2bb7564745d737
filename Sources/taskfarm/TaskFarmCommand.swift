import ArgumentParser
import Foundation
import JobSpec
import Logging
import TaskFarm

/// The `taskfarm` command: the root of its subcommands.
@main
struct TaskFarmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taskfarm",
        abstract: "Run many tasks inside one MPI allocation.",
        discussion: """
            Start it under mpirun: rank 0 schedules, one rank is the name server, the \
            others run tasks. Exit statuses: 0 all tasks succeeded, 1 some task failed, \
            64 usage error, 65 bad job file or refused request, 66 no such task output or unreadable input, \
            69 no farm reachable, 70 internal error, 73 cannot create, 75 interrupted \
            (resumable) or state folder in use, 77 wrong token.
            """,
        version: TaskFarmVersion.current,
        subcommands: [RunCommand.self, CheckCommand.self, StatusCommand.self, ServeCommand.self, SubmitCommand.self,
                      WaitCommand.self, CancelCommand.self, ShutdownCommand.self, NameCommand.self, CallCommand.self,
                      OutputCommand.self, ReportCommand.self, FrontEndsCommand.self],
        defaultSubcommand: nil
    )

    /// Parses and runs the command. A usage error is printed by rank 0 only: under mpirun
    /// every rank parses the same command line, and N copies of one message interleave.
    /// Other errors are printed by whichever rank meets them.
    static func main() {
        // Before anything opens a descriptor that would take a closed standard input's place.
        StandardInput.reserveIfClosed()
        // Under a scheduler's name (a link made by `taskfarm frontends`), act as that command.
        if let status = FrontEndProgram.runIfNamed(CommandLine.arguments) { Foundation.exit(status) }
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let rank = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"] ?? "0"
            if rank != "0" { Foundation.exit(exitCode(for: error).rawValue) }
            exit(withError: error)
        }
        do {
            try command.run()
        } catch let error as ValidationError {
            // A check made while running (a task id list, say) is a usage error of the
            // subcommand: show its usage, as a check made while parsing does, not the root's.
            FileHandle.standardError.write(Data(usageError(error.message, of: type(of: command)).utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch {
            exit(withError: error)
        }
    }

    /// `Error: MESSAGE`, the usage of `subcommand` and where its help is, as ArgumentParser
    /// prints a usage error found while parsing.
    static func usageError(_ message: String, of subcommand: ParsableCommand.Type) -> String {
        let path = commandPath(to: subcommand, from: self) ?? [configuration.commandName ?? "taskfarm"]
        return "Error: \(message)\nUsage: \(usageString(for: subcommand))\n"
            + "  See '\(path.joined(separator: " ")) --help' for more information.\n"
    }

    /// The command names from `root` down to `target` (`["taskfarm", "name", "lookup"]`), or
    /// `nil` when `target` is not in `root`'s tree.
    private static func commandPath(to target: ParsableCommand.Type, from root: ParsableCommand.Type) -> [String]? {
        let name = root.configuration.commandName ?? String(describing: root)
        if ObjectIdentifier(root) == ObjectIdentifier(target) { return [name] }
        for child in root.configuration.subcommands {
            if let rest = commandPath(to: target, from: child) { return [name] + rest }
        }
        return nil
    }
}

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    /// Bootstraps swift-log once, to standard error, and returns the command's logger.
    func makeLogger() -> Logger {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return BelowTheProgressLine(handler)
        }
        return Logger(label: "taskfarm")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// A log handler that erases rank 0's progress line before each message, so a message never
/// runs on after the line's text (the line is drawn again at its next tick).
struct BelowTheProgressLine: LogHandler {
    private var inner: StreamLogHandler

    init(_ inner: StreamLogHandler) { self.inner = inner }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        ProgressLineOnScreen.clearForOtherOutput()
        inner.log(event: event)
    }
}
