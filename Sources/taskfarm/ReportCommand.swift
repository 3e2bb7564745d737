import ArgumentParser
import Foundation
import JobSpec
import TaskFarm

/// `taskfarm report FILE -o report.html`: a picture of a run, from its journal.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report of a run (timeline, busy slots, throughput, failures, slowest tasks, hosts), during it or after it.",
        discussion: """
            The page needs no network. --trace writes the same attempts as Chrome trace-event \
            JSON (one complete event per attempt, pid the host, tid the worker slot) for \
            Perfetto or chrome://tracing.
            """)

    @Argument(help: ArgumentHelp("The state folder, or the job file itself.", valueName: "state-dir"))
    var path: String?

    @OptionGroup var folder: StateDirOption

    @Option(name: .shortAndLong, help: "The HTML file to write.")
    var output: String?

    @Option(name: .long, help: "Also write Chrome trace-event JSON to this file.")
    var trace: String?

    func validate() throws {
        if path == nil, folder.stateDir == nil {
            throw ValidationError("give the state folder (or the job file), or --state-dir DIR, such as taskfarm report t.txt -o report.html")
        }
        if output == nil, trace == nil { throw ValidationError("give -o report.html, --trace trace.json, or both") }
        if output == "" || trace == "" { throw ValidationError("-o and --trace need a file name, such as report.html") }
    }

    func run() throws {
        // --state-dir wins: the job file beside it is only the command the run was started with.
        let stateFolder = try StateFolderLocation.existing(folder.stateDir ?? path ?? "", command: "report")
        let report: RunReport
        do {
            report = try RunReport(stateFolder: stateFolder)
        } catch let error as JournalError {
            throw CommandFailure.report("report", error.message, status: error.exitStatus)
        }
        for (path, text) in [(output, { report.html }), (trace, { report.trace })] {
            guard let path else { continue }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw CommandFailure.report("report", "\(path): is a directory; expected a file name, such as \(path)/report.html",
                                            status: .cannotCreate)
            }
            do {
                try Data(text().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw CommandFailure.report("report", "\(path): cannot write: \(error.fileErrorReason)", status: .cannotCreate)
            }
        }
        if let output { print("wrote \(output): \(report.attemptCount) attempts") }
        if let trace { print("wrote \(trace)") }
    }
}
