import Foundation
import JobSpec
import TaskFarm

/// Slurm's `sbatch`, `squeue` and `scancel` on a served farm.
///
/// Source: Slurm sbatch, squeue and scancel manuals.
enum SlurmPrograms {
    static let all = [FrontEndProgram(name: "sbatch", run: sbatch), FrontEndProgram(name: "squeue", run: squeue),
                      FrontEndProgram(name: "scancel", run: scancel)]

    /// `sbatch [options] script [args]`, `sbatch [options] --wrap CMD`: queues the job and
    /// prints `Submitted batch job N` (`--parsable`: `N`); `--wait` returns when it ends,
    /// with its highest exit status.
    static func sbatch(_ context: FrontEndContext) throws -> Int32 {
        let line = try SbatchCommandLine(context.arguments)
        var number = 0
        let (client, ids) = try context.submitScript(line.inlineScript, file: line.script, standardInputName: FrontEndContext.standardInputJobName(.slurm)) {
            text, spooled, first, client in
            number = FrontEndJob.number(ofQueueID: first)
            return try context.parsedBatchScript(.slurm, text: text, spooled: spooled, first: first, batchOptions: line.options,
                                                 scriptArguments: line.arguments, client: client).parsed
        }
        print(line.parsable ? String(number) : "Submitted batch job \(number)")
        guard line.waits else { return 0 }
        let results = try client.wait(for: ids)
        return Int32(results.map { $0.exitCode ?? $0.signal.map { 128 + $0 } ?? 1 }.max() ?? 0)
    }

    /// `squeue [-j ids] [-u user] [-t states] [-h] [-o format] [-r]`: the jobs pending and
    /// running (with `-j` or `-t all`, ended ones too), in squeue's default or given format.
    static func squeue(_ context: FrontEndContext) throws -> Int32 {
        var arguments = FrontEndArguments(context.arguments)
        var format = SlurmReports.defaultFormat
        var header = true, all = false, expand = false
        var jobIDs: [String]?
        var users: [String]?
        var states: [String]?
        while let option = arguments.next() {
            switch option {
            case "-j", "--jobs": jobIDs = try arguments.value(for: option).split(separator: ",").map(String.init)
            case "-u", "--user": users = try arguments.value(for: option).split(separator: ",").map(String.init)
            case "--me": users = [FrontEndJob.currentUser]
            case "-t", "--states": states = try arguments.value(for: option).split(separator: ",").map { $0.uppercased() }
            case "-h", "--noheader": header = false
            case "-o", "--format": format = try arguments.value(for: option)
            case "-r", "--array": expand = true
            case "-a", "--all", "-l", "--long": break
            case "-p", "--partition", "-q", "--qos", "-A", "--account", "-M", "--clusters":
                _ = try arguments.value(for: option)
            default:
                if option.hasPrefix("-o") { format = String(option.dropFirst(2)); continue }
                if option.hasPrefix("-j") { jobIDs = option.dropFirst(2).split(separator: ",").map(String.init); continue }
                throw FrontEndUsage("\(option) is not an squeue option the farm has; expected -j, -u, -t, -h, -o, -r, --me")
            }
        }
        let client = try context.client()
        var jobs = try context.jobs(client)
        if let users { jobs = jobs.filter { users.contains($0.user) } }
        if let jobIDs {
            jobs = FrontEndJob.select(try jobIDs.map { try FrontEndJobID(parsing: $0, scheduler: .slurm) }, in: jobs)
            all = true
        }
        if let states, !states.contains("ALL") {
            all = true
            jobs = jobs.map { job in
                var job = job
                job.tasks = job.tasks.filter {
                    states.contains(SlurmReports.compactState($0.state)) || states.contains(SlurmReports.longState($0.state))
                }
                return job
            }
        } else if states != nil {
            all = true
        }
        let rows = SlurmReports.rows(jobs, all: all, expandArrays: expand)
        let text = SlurmReports.render(rows, format: format, header: header)
        if !text.isEmpty { print(text) }
        return 0
    }

    /// `scancel [-u user] [-n name] [job_id[_index]...]`: cancels the jobs, or array elements.
    static func scancel(_ context: FrontEndContext) throws -> Int32 {
        var arguments = FrontEndArguments(context.arguments)
        var user: String?
        var name: String?
        while let option = arguments.next() {
            switch option {
            case "-u", "--user": user = try arguments.value(for: option)
            case "--me": user = FrontEndJob.currentUser
            case "-n", "--name", "--jobname": name = try arguments.value(for: option)
            case "-q", "--quiet", "-v", "--verbose", "-f", "--full", "-b", "--batch": break
            default: throw FrontEndUsage("\(option) is not an scancel option the farm has; expected -u, -n, --me")
            }
        }
        let client = try context.client()
        var ids: [Int] = []
        var status: Int32 = 0
        if user != nil || name != nil {
            for job in try context.jobs(client) where (user == nil || job.user == user) && (name == nil || job.name == name) {
                ids += job.tasks.map(\.id)
            }
        } else if arguments.operands.isEmpty {
            throw FrontEndUsage("error: No job identification provided")
        }
        for text in arguments.operands {
            do {
                ids += try FrontEndJobID(parsing: text, scheduler: .slurm).taskIDs(in: client)
            } catch {
                guard error.kind == .invalid else { throw error }
                context.complain("error: Kill job error on job id \(text): Invalid job id specified")
                status = 1
            }
        }
        if !ids.isEmpty { _ = try client.cancel(ids) }
        return status
    }
}
