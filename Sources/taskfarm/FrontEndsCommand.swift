import ArgumentParser
import Foundation
import JobSpec
import TaskFarm

/// `taskfarm frontends DIR`: puts the schedulers' commands (`qsub`, `sbatch`,
/// `condor_submit`, ...) into DIR as links to this program, which acts as the command its
/// link names, on the farm of `TASKFARM_CONNECTION` (or `./taskfarm.connection`).
struct FrontEndsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frontends",
        abstract: "Put qsub, qstat, qdel, sbatch, squeue, scancel and the condor_* commands into a folder, acting on a served farm.",
        discussion: """
            Put the folder first in PATH: scripts that call qsub or sbatch then queue their jobs in the farm named by \
            TASKFARM_CONNECTION (default ./taskfarm.connection). See docs/front-ends.md.
            """
    )

    @Argument(help: "The folder to put the commands in (created if missing).")
    var directory: String

    @Flag(name: .long, help: "Replace files of the same names already there.")
    var force = false

    func run() throws {
        let program = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure.report("frontends", "cannot create \(directory): \(error.fileErrorReason)", status: .cannotCreate)
        }
        for name in FrontEndProgram.all.keys.sorted() {
            let link = directory + "/" + name
            if let existing = try? FileManager.default.destinationOfSymbolicLink(atPath: link), existing == program { continue }
            if FileManager.default.fileExists(atPath: link) || (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) != nil {
                guard force else {
                    throw CommandFailure.report("frontends", "\(link) exists; remove it or give --force", status: .cannotCreate)
                }
                try? FileManager.default.removeItem(atPath: link)
            }
            do {
                try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: program)
            } catch {
                throw CommandFailure.report("frontends", "cannot create \(link): \(error.fileErrorReason)", status: .cannotCreate)
            }
        }
        print(FrontEndProgram.all.keys.sorted().joined(separator: " "))
    }
}
