import Foundation
import JobSpec
import TaskFarm

/// HTCondor's `condor_submit`, `condor_q`, `condor_rm`, `condor_submit_dag`,
/// `condor_status` and `condor_wait` on a served farm. A cluster is one job of the queue;
/// its procs are its tasks.
///
/// Source: HTCondor manual, the commands of the same names.
enum CondorPrograms {
    static let all = [FrontEndProgram(name: "condor_submit", run: condorSubmit),
                      FrontEndProgram(name: "condor_q", run: condorQ),
                      FrontEndProgram(name: "condor_rm", run: condorRm),
                      FrontEndProgram(name: "condor_submit_dag", run: condorSubmitDAG),
                      FrontEndProgram(name: "condor_status", run: condorStatus),
                      FrontEndProgram(name: "condor_wait", run: condorWait)]

    /// `condor_submit [-append CMD]... [-batch-name NAME] [-queue ARGS] [-terse] [NAME=VALUE]...
    /// [file]`: queues the description (or standard input) as one cluster and prints
    /// `N job(s) submitted to cluster C.`.
    static func condorSubmit(_ context: FrontEndContext) throws -> Int32 {
        var arguments = FrontEndArguments(context.arguments)
        var appended: [String] = []
        var batch: String?
        var queue: String?
        var terse = false
        while let option = arguments.next() {
            switch option.lowercased() {
            case "-a", "-append": appended.append(try arguments.value(for: option))
            case "-batch-name": batch = try arguments.value(for: option)
            case "-queue": queue = try arguments.value(for: option)
            case "-terse": terse = true
            case "-verbose", "-debug", "-disable", "-unused", "-allow-crlf-script": break
            case "-name", "-remote", "-pool", "-addr", "-spool", "-interactive", "-i", "-dry-run", "-dry":
                throw FrontEndUsage("\(option) is not possible inside the farm: jobs go to the farm's own queue")
            default: throw FrontEndUsage("\(option) is not a condor_submit option the farm has")
            }
        }
        let assignments = arguments.operands.filter { $0.contains("=") }
        let files = arguments.operands.filter { !$0.contains("=") }
        guard files.count <= 1 else { throw FrontEndUsage("one submit description file at most; got \(files.joined(separator: " "))") }
        let file = files.first
        var lines = try context.scriptText(file).components(separatedBy: "\n")
        if !appended.isEmpty {
            let queueLine = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("queue") } ?? lines.count
            lines.insert(contentsOf: appended, at: queueLine)
        }
        if let queue { lines.append("queue " + queue) }
        let text = (assignments + lines).joined(separator: "\n")
        var count = 0, cluster = 0
        let name = file.map { ($0 as NSString).lastPathComponent } ?? FrontEndContext.standardInputJobName(.condor)
        _ = try context.submitScript((text, name), file: file, standardInputName: name, spools: false) {
            text, path, first, _ in
            let parsed = try parsedSubmitDescription(context, text: text, file: path, name: name, first: first, batch: batch)
            count = parsed.tasks.count
            cluster = FrontEndJob.number(ofQueueID: first)
            return parsed
        }
        print(CondorReports.submitted(count: count, cluster: cluster, terse: terse))
        return 0
    }

    /// The one reading of a submit description for the cluster whose first task is queue id `first`,
    /// `condor_submit`'s and `taskfarm submit --file`'s: `$(Cluster)` is the cluster, each
    /// proc a task stamped as HTCondor's, named `name` (`batch`: `-batch-name`). `overrides`
    /// are `taskfarm submit`'s command line, checked against the format.
    ///
    /// - Throws: ``JobSpecError`` naming the line and what was expected.
    static func parsedSubmitDescription(_ context: FrontEndContext, text: String, file: String, name: String, first: Int,
                                        batch: String? = nil, overrides: JobFiles.Overrides = JobFiles.Overrides())
        throws -> FrontEndContext.ParsedScript {
        let options = try JobLoader.applyingCommandLine(context.loadOptions(first: first, overrides: overrides),
                                                        to: .submit, named: file)
        let job = try SubmitDescription(text: text, file: file, options: options).job
        let stamped = FrontEndJob.stamp(job.tasks, scheduler: .condor, first: first, name: name, isArray: true, batch: batch)
        return FrontEndContext.ParsedScript(tasks: FrontEndSubmission.tasks(stamped, parents: []), warnings: job.warnings,
                                            maxConcurrent: nil)
    }

    /// `condor_q [-nobatch] [-better-analyze] [-totals] [cluster[.proc]...] [owner...]`.
    static func condorQ(_ context: FrontEndContext) throws -> Int32 {
        var arguments = FrontEndArguments(context.arguments)
        var noBatch = false, analyze = false, totalsOnly = false
        while let option = arguments.next() {
            switch option.lowercased() {
            case "-nobatch", "-nob": noBatch = true
            case "-better-analyze", "-better", "-analyze": analyze = true
            case "-totals", "-tot": totalsOnly = true
            case "-batch", "-all", "-allusers", "-global", "-run", "-idle", "-wide", "-reverse", "-verbose": break
            default: throw FrontEndUsage("\(option) is not a condor_q option the farm has; expected -nobatch, -better-analyze, -totals")
            }
        }
        let client = try context.client()
        let address = "\(client.connection.host):\(client.connection.port)"
        let ids = try arguments.operands.filter { $0.first?.isNumber == true }
            .map { try FrontEndJobID(parsing: $0, scheduler: .condor) }
        let owners = arguments.operands.filter { $0.first?.isNumber != true }
        if analyze {
            guard let id = ids.first else { throw FrontEndUsage("-better-analyze needs a job id: CLUSTER.PROC") }
            let taskIDs = try id.taskIDs(in: client)
            let listing = try client.tasks(id.element == nil ? taskIDs : taskIDs, analyze: true).tasks
            let jobs = FrontEndJob.jobs(in: listing)
            guard let job = jobs.first else { throw ClientError("no job \(id)", kind: .invalid) }
            let task = job.tasks.first { !$0.hasEnded } ?? job.tasks[0]
            print(CondorReports.analysis(job, task, address: address))
            return 0
        }
        var jobs = try context.jobs(client)
        if !owners.isEmpty { jobs = jobs.filter { owners.contains($0.user) } }
        if !ids.isEmpty { jobs = FrontEndJob.select(ids, in: jobs) }
        var text = noBatch ? CondorReports.jobs(jobs, address: address) : CondorReports.batches(jobs, address: address)
        if totalsOnly {
            text = text.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.hasPrefix("Total") || $0.hasPrefix("--") || $0.isEmpty }
                .joined(separator: "\n")
        }
        print(text)
        return 0
    }

    /// `condor_rm cluster[.proc]... | owner | -all`: removes the jobs.
    static func condorRm(_ context: FrontEndContext) throws -> Int32 {
        var arguments = FrontEndArguments(context.arguments)
        var everything = false
        while let option = arguments.next() {
            switch option.lowercased() {
            case "-all", "-a": everything = true
            case "-forcex", "-debug": break
            default: throw FrontEndUsage("\(option) is not a condor_rm option the farm has; expected -all")
            }
        }
        guard everything || !arguments.operands.isEmpty else {
            throw FrontEndUsage("usage: condor_rm [cluster | cluster.proc | user | -all]...")
        }
        let client = try context.client()
        var status: Int32 = 0
        if everything {
            let open = try client.tasks().tasks.filter { !$0.hasEnded }.map(\.id)
            if !open.isEmpty { _ = try client.cancel(open) }
            print("All jobs marked for removal.")
        }
        for text in arguments.operands {
            if text.first?.isNumber != true {
                let open = try context.jobs(client).filter { $0.user == text }.flatMap(\.tasks).filter { !$0.hasEnded }.map(\.id)
                if !open.isEmpty { _ = try client.cancel(open) }
                print("All jobs of user \"\(text)\" have been marked for removal")
                continue
            }
            do throws(ClientError) {
                let id = try FrontEndJobID(parsing: text, scheduler: .condor)
                let (cancelled, _) = try client.cancel(try id.taskIDs(in: client))
                if cancelled.isEmpty { throw ClientError("already left the queue", kind: .invalid) }
                print(id.element == nil ? "All jobs in cluster \(id.job) have been marked for removal" : "Job \(text) marked for removal")
            } catch {
                guard error.kind == .invalid else { throw error }
                context.complain(text.contains(".") ? "Job \(text) not found" : "Couldn't find/remove all jobs in cluster \(text)")
                status = 1
            }
        }
        return status
    }

    /// `condor_status [-constraint EXPR] [-long] [-af ATTR...] [-total]`: the workers'
    /// machine ads, as slots.
    static func condorStatus(_ context: FrontEndContext) throws -> Int32 {
        var arguments = FrontEndArguments(context.arguments)
        var constraints: [ClassAdExpression] = []
        var long = false, totals = false
        var autoformat: [String]?
        while let option = arguments.next() {
            switch option.lowercased() {
            case "-constraint", "-const":
                let text = try arguments.value(for: option)
                constraints.append(try ClassAdExpression(parsing: text, location: SourceLocation(file: "-constraint", line: 0)))
            case "-long", "-l": long = true
            case "-total", "-totals": totals = true
            case "-af", "-autoformat": autoformat = arguments.rest()
            case "-any", "-startd", "-compact", "-wide": break
            default: throw FrontEndUsage("\(option) is not a condor_status option the farm has; expected -constraint, -long, -af, -total")
            }
        }
        let client = try context.client()
        let listing = try client.tasks()
        let busy = Set(listing.tasks.compactMap { $0.state == "running" ? $0.workerRank : nil })
        let ads = CondorReports.machineAds(listing.machines, busyRanks: busy).filter { ad in
            constraints.allSatisfy { $0.matches(ad) }
        }
        if let autoformat {
            if !ads.isEmpty { print(CondorReports.autoformat(ads, attributes: autoformat)) }
        } else if long {
            print(CondorReports.long(ads), terminator: "")
        } else if !ads.isEmpty || totals {
            var text = CondorReports.status(ads)
            if totals { text = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(4).joined(separator: "\n") }
            print(text)
        }
        return 0
    }

    /// `condor_wait [-wait SECONDS] [-num N] LOGFILE [JOB]`: waits until every job
    /// submitted with `log = LOGFILE` (or the one job) has left the queue; `All jobs done.`
    /// (exit 0), or `Time expired.` (exit 1).
    static func condorWait(_ context: FrontEndContext) throws -> Int32 {
        var arguments = FrontEndArguments(context.arguments)
        var limit: Double?
        var wanted: Int?
        while let option = arguments.next() {
            switch option.lowercased() {
            case "-wait":
                guard let seconds = Double(try arguments.value(for: option)), seconds >= 0 else {
                    throw FrontEndUsage("-wait needs a number of seconds")
                }
                limit = seconds
            case "-num":
                guard let number = Int(try arguments.value(for: option)), number > 0 else {
                    throw FrontEndUsage("-num needs a number of jobs")
                }
                wanted = number
            case "-debug", "-status", "-echo": break
            default: throw FrontEndUsage("\(option) is not a condor_wait option; expected -wait, -num")
            }
        }
        guard let log = arguments.operands.first, arguments.operands.count <= 2 else {
            throw FrontEndUsage("usage: condor_wait [-wait seconds] [-num number-of-jobs] log-file [job ID]")
        }
        let path = log.hasPrefix("/") ? log : FileManager.default.currentDirectoryPath + "/" + log
        let client = try context.client()
        var ids: [Int]
        if arguments.operands.count == 2 {
            ids = try FrontEndJobID(parsing: arguments.operands[1], scheduler: .condor).taskIDs(in: client)
        } else {
            ids = try client.tasks().tasks.filter { $0.attributes["condor.log"] == (path as NSString).standardizingPath }.map(\.id)
        }
        guard !ids.isEmpty else { throw ClientError("no job in the farm writes its log to \(log)", kind: .invalid) }
        let deadline = limit.map { Date().addingTimeInterval($0) }
        while true {
            let done = try client.tasks(ids).tasks.filter(\.hasEnded).count
            if let wanted, done >= wanted {
                print("Specified number of jobs (\(wanted)) done.")
                return 0
            }
            if done == ids.count {
                print("All jobs done.")
                return 0
            }
            if let deadline, Date() >= deadline {
                print("Time expired.")
                return 1
            }
            usleep(200_000)
        }
    }

    /// `condor_submit_dag FILE`: queues every node of the DAG, each child held until its
    /// parents succeed, as one cluster (procs in the DAG's order); prints it as
    /// condor_submit does.
    static func condorSubmitDAG(_ context: FrontEndContext) throws -> Int32 {
        var arguments = FrontEndArguments(context.arguments)
        var batch: String?
        while let option = arguments.next() {
            switch option.lowercased() {
            case "-batch-name": batch = try arguments.value(for: option)
            case "-force", "-f", "-notification", "-no_submit", "-verbose", "-autorescue", "-usedagdir":
                if ["-notification", "-autorescue"].contains(option.lowercased()) { _ = try arguments.value(for: option) }
            default: throw FrontEndUsage("\(option) is not a condor_submit_dag option the farm has; expected -batch-name")
            }
        }
        guard arguments.operands.count == 1, let file = arguments.operands.first else {
            throw FrontEndUsage("usage: condor_submit_dag [-batch-name NAME] DAGFILE")
        }
        let client = try context.client()
        var count = 0, cluster = 0, nodes = 0
        _ = try FrontEndSubmission.submit(client) { first in
            let dag = try JobFiles.loadDAG(path: file, options: context.loadOptions(first: first), rescueFrom: nil).job
            if let problem = DAGQueueing.problem(dag.dag) { throw JobSpecError(problem, file: file) }
            if count == 0 {
                context.warn(dag.warnings)
                if !dag.dag.categoryLimits.isEmpty {
                    context.complain("warning: MAXJOBS is not honoured: nodes start as workers free up")
                }
            }
            count = dag.taskCount
            cluster = FrontEndJob.number(ofQueueID: first)
            nodes = dag.dag.nodes.count
            let specs = DAGQueueing.tasks(of: dag)
            let name = (file as NSString).lastPathComponent
            let stamped = FrontEndJob.stamp(specs, scheduler: .condor, first: first, name: name, isArray: true,
                                            batch: batch ?? "\(name)+\(FrontEndJob.number(ofQueueID: first))")
            return stamped.enumerated().map { offset, spec in
                SubmittedTask(spec: spec, after: dag.prerequisites(of: offset).map { first + $0 })
            }
        }
        let rule = String(repeating: "-", count: 71)
        print("\(rule)\nDAG \(file): \(nodes) node(s) queued inside the farm as cluster \(cluster)\n")
        print(CondorReports.submitted(count: count, cluster: cluster, terse: false))
        print(rule)
        return 0
    }
}
