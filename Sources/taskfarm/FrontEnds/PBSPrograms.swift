import Foundation
import JobSpec
import TaskFarm

/// PBS's `qsub`, `qstat` and `qdel` on a served farm.
///
/// Source: PBS Professional Reference Guide, qsub, qstat, qdel.
enum PBSPrograms {
    static let all = [FrontEndProgram(name: "qsub", run: qsub), FrontEndProgram(name: "qstat", run: qstat),
                      FrontEndProgram(name: "qdel", run: qdel)]

    /// `qsub [options] [script]`, `qsub [options] -- executable [arguments]`: queues the
    /// script (or standard input) as one job, or an array with `-J`/`-t`, and prints its id.
    static func qsub(_ context: FrontEndContext) throws -> Int32 {
        let line = try QsubCommandLine(context.arguments)
        var jobID = ""
        _ = try context.submitScript(line.inlineScript, file: line.script, standardInputName: FrontEndContext.standardInputJobName(.pbs)) { text, spooled, first, client in
            let (parsed, script, options) = try context.parsedBatchScript(.pbs, text: text, spooled: spooled, first: first,
                                                                          batchOptions: line.options, client: client)
            jobID = "\(FrontEndJob.number(ofQueueID: first))\(script.array != nil ? "[]" : "").\(options.hostname)"
            return parsed
        }
        if line.printsJobID { print(jobID) }
        return 0
    }

    /// `qstat [-f] [-x] [-t] [-J] [-u user] [job ids]`: the jobs not finished (with `-x`,
    /// finished ones too), as PBS Pro's default table or `-f`'s attributes.
    static func qstat(_ context: FrontEndContext) throws -> Int32 {
        var arguments = FrontEndArguments(context.arguments)
        var full = false, finished = false, subjobs = false, arraysOnly = false
        var user: String?
        while let option = arguments.next() {
            if option == "-u" { user = try arguments.value(for: option); continue }
            for letter in option.dropFirst() {
                switch letter {
                case "f": full = true
                case "x", "H": finished = true
                case "t": subjobs = true
                case "J": arraysOnly = true
                case "a", "w", "n", "s", "1": break
                default: throw FrontEndUsage("-\(letter) is not a qstat option the farm has; expected -f, -x, -t, -J, -u")
                }
            }
        }
        let client = try context.client()
        var jobs = try context.jobs(client)
        if let user { jobs = jobs.filter { $0.user == user } }
        if arraysOnly { jobs = jobs.filter(\.isArray) }
        var status: Int32 = 0
        if !arguments.operands.isEmpty {
            var chosen: [FrontEndJob] = []
            for text in arguments.operands {
                let id = try FrontEndJobID(parsing: text, scheduler: .pbs)
                guard var job = jobs.first(where: { $0.number == id.job }) else {
                    context.complain("Unknown Job Id \(text)")
                    status = 153
                    continue
                }
                if let element = id.element {
                    job.tasks = job.tasks.filter { $0.attributes[FrontEndJob.Key.index] == String(element) }
                    guard !job.tasks.isEmpty else {
                        context.complain("Unknown Job Id \(text)")
                        status = 153
                        continue
                    }
                }
                if !finished, job.tasks.allSatisfy({ $0.hasEnded }) {
                    context.complain("\(text) Job has finished, use -x or -H to obtain historical job information")
                    status = 35
                    continue
                }
                chosen.append(job)
            }
            jobs = chosen
            finished = true
            subjobs = subjobs || arguments.operands.contains { $0.contains("[") && !$0.contains("[]") }
        }
        if full {
            for job in jobs where finished || !job.tasks.allSatisfy({ $0.hasEnded }) {
                print(PBSReports.full(job))
            }
        } else if !jobs.isEmpty {
            let table = PBSReports.table(jobs, finished: finished, subjobs: subjobs)
            if table.split(separator: "\n").count > 2 { print(table) }
        }
        return status
    }

    /// `qdel job_id...`: cancels each job (every subjob of an array).
    static func qdel(_ context: FrontEndContext) throws -> Int32 {
        var arguments = FrontEndArguments(context.arguments)
        while let option = arguments.next() {
            guard ["-W", "-x", "-Wforce"].contains(option) else { throw FrontEndUsage("\(option) is not a qdel option") }
            if option == "-W" { _ = try arguments.value(for: option) }
        }
        guard !arguments.operands.isEmpty else { throw FrontEndUsage("usage: qdel job_identifier...") }
        let client = try context.client()
        var status: Int32 = 0
        for text in arguments.operands {
            do {
                let ids = try FrontEndJobID(parsing: text, scheduler: .pbs).taskIDs(in: client)
                let (cancelled, _) = try client.cancel(ids)
                if cancelled.isEmpty {
                    context.complain("Job has finished \(text)")
                    status = 35
                }
            } catch {
                guard error.kind == .invalid else { throw error }
                context.complain("Unknown Job Id \(text)")
                status = 153
            }
        }
        return status
    }
}
