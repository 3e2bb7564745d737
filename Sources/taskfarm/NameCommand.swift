import ArgumentParser
import Foundation
import TaskFarm

/// `taskfarm name`: the served farm's name server, from a shell (Pyro's `nsc`).
struct NameCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "name",
        abstract: "Look up, list, register and unregister names in a served farm's name server.",
        subcommands: [Lookup.self, List.self, Register.self, Unregister.self])

    /// `taskfarm name lookup NAME [--wait SECONDS]`.
    struct Lookup: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the value bound to NAME; with --wait, wait for it to appear.")
        @OptionGroup var connection: ConnectOptions
        @Option(name: .long, parsing: .unconditional, help: "Seconds to wait for the name to appear (default: answer at once).")
        var wait: Double = 0
        @Argument(help: "The name, such as broker or worker/2.")
        var name: String

        func validate() throws {
            if let problem = LookupTimeout.problem(wait, name: "--wait") { throw ValidationError(problem) }
        }

        func run() throws {
            do {
                print(try connection.client(command: "name lookup").lookup(name, timeout: wait))
            } catch let error as ClientError {
                throw ClientFailure.report("name lookup", error)
            }
        }
    }

    /// `taskfarm name list [PREFIX]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every name (starting with PREFIX) and its value.")
        @OptionGroup var connection: ConnectOptions
        @Argument(help: "Only names starting with this.")
        var prefix: String = ""

        func run() throws {
            do {
                let entries = try connection.client(command: "name list").list(prefix: prefix)
                for key in entries.keys.sorted() { print("\(key)\t\(entries[key]!)") }
            } catch let error as ClientError {
                throw ClientFailure.report("name list", error)
            }
        }
    }

    /// `taskfarm name register NAME VALUE`.
    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bind NAME to VALUE, replacing an earlier binding.")
        @OptionGroup var connection: ConnectOptions
        @Argument var name: String
        @Argument var value: String

        func run() throws {
            do {
                try connection.client(command: "name register").register(name, value: value)
            } catch let error as ClientError {
                throw ClientFailure.report("name register", error)
            }
        }
    }

    /// `taskfarm name unregister NAME`.
    struct Unregister: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove NAME.")
        @OptionGroup var connection: ConnectOptions
        @Argument var name: String

        func run() throws {
            do {
                try connection.client(command: "name unregister").unregister(name)
            } catch let error as ClientError {
                throw ClientFailure.report("name unregister", error)
            }
        }
    }
}
