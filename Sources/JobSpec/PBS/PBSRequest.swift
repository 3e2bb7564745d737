import Foundation

/// What the `#PBS` directives of a script ask for (see ``PBSScript`` for the options read).
///
/// Source: PBS Professional Reference Guide, qsub; Torque Administrator Guide, qsub.
struct PBSRequest {
    var name: String?
    var array: ArrayRange?
    /// Whether the array came from Torque's `-t`.
    var torque = false
    var output: String?
    var error: String?
    /// `-j`: `oe`, `eo` or `n`.
    var join: String?
    /// `-V`.
    var exportAll = false
    /// `-v` variables.
    var variables: [String: String] = [:]
    /// `ncpus` of the first `select` chunk, `-l ncpus` or Torque's `ppn`.
    var cpus: Int?
    var ompThreads: Int?
    /// `mpiprocs` of the first `select` chunk: lines per host in `PBS_NODEFILE` (PBS Pro).
    var mpiProcesses: Int?
    var memoryMiB: Int?
    /// `ngpus` of the first `select` chunk, `-l ngpus`, or Torque's `nodes=...:gpus=N`.
    var gpus: Int?
    /// Where the cores, memory and GPUs were asked for, for refusals.
    var requestLines = RequestLines()
    /// `-l walltime`, in seconds.
    var walltime: Double?
    /// `-S`.
    var shell: String?
    var queue: String?
    /// Torque's `-d`, absolute.
    var initialDirectory: String?
    var shebang: String?
    var warnings: [JobSpecError] = []
    /// Allocation-only options seen (`-A`, `-M`, `-m`, ...), and where the first was.
    var allocationOnly: [String] = []
    var allocationOnlyLocation: SourceLocation?
    /// Whether the command line's `-J` was an array range rather than a job name.
    var arrayFromCommandLineName = false
    /// `-W depend=` dependencies, read when ``JobLoadOptions/honoursDependencies`` (the
    /// `qsub` front end of a served farm); warned and ignored otherwise.
    var dependencies: [JobDependency] = []

    /// Options without a value.
    static let flags: Set<String> = ["-V", "-h", "-z", "-I", "-X", "-f", "-n"]
    /// Options accepted without effect inside the farm.
    static let ignored: Set<String> = ["-A", "-M", "-m", "-W", "-r", "-P", "-k", "-a", "-c", "-p", "-u", "-h", "-z",
                                       "-C", "-D", "-w", "-n", "-f"]

    /// Whether a qsub option takes a value.
    static func takesValue(_ name: String) -> Bool {
        name.hasPrefix("-") && name.count == 2 && !flags.contains(name)
    }

    /// Reads the directives of `text`, then the command line's options
    /// (``JobLoadOptions/batchOptions``), which win.
    ///
    /// - Throws: ``JobSpecError`` naming the line and column of a bad directive.
    init(text: String, file: String, options: JobLoadOptions) throws(JobSpecError) {
        let directives = try BatchDirectives(text: text, file: file, prefix: "#PBS", takesValue: Self.takesValue)
        warnings = directives.warnings
        shebang = directives.shebang
        // The command line's options come after the directives, so they win, as with qsub.
        var commandLine = try BatchOption.commandLine(options.batchOptions, takesValue: Self.takesValue)
        // `taskfarm run -J 1-10 job.pbs` is qsub's array option, not a job name. `-J` and
        // `--job-name` are one option of taskfarm's (the name for other formats), so a value
        // that begins with a digit, as every range does, is read as the array, and a bad or
        // too large range is refused here as `#PBS -J` is, never kept as the job's name.
        if let name = options.jobName, name.first.map({ $0.isASCII && $0.isNumber }) == true {
            let place = SourceLocation(file: SourceLocation.commandLine, line: 0)
            do {
                _ = try ArrayRange(parsing: name, dialect: .pbsPro, location: place)
            } catch {
                throw JobSpecError(error.message + "; -J is qsub's array option for a PBS script: expected "
                                   + "start-end[:step] (PBS Pro qsub -J), such as 1-10:2", at: place)
            }
            commandLine.append(BatchOption(name: "-J", value: name, location: place, valueLocation: place))
            arrayFromCommandLineName = true
        }
        for option in directives.options + commandLine { try apply(option, options: options) }
        if let location = allocationOnlyLocation {
            warnings.append(JobSpecError("#PBS \(allocationOnly.joined(separator: ", ")) "
                                         + "\(allocationOnly.count == 1 ? "is" : "are") about the allocation, which the "
                                         + "farm already runs in, and \(allocationOnly.count == 1 ? "has" : "have") no "
                                         + "effect", at: location))
        }
    }

    /// Applies one qsub option, from a directive or the command line (a later one wins).
    /// Shared by every reader of qsub's options, so a `qsub` front end reads them alike.
    ///
    /// - Throws: ``JobSpecError`` at the option for a bad value, or a command-line option
    ///   qsub does not have.
    mutating func apply(_ option: BatchOption, options: JobLoadOptions) throws(JobSpecError) {
        let value = option.value ?? ""
        let valueLocation = option.valueLocation
        func bad(_ expected: String) -> JobSpecError {
            JobSpecError("bad #PBS \(option.name) '\(value)': expected \(expected)", at: option.location)
        }
        switch option.name {
        case "-J":
            array = try ArrayRange(parsing: value, dialect: .pbsPro, location: valueLocation)
            torque = false
        case "-t":
            array = try ArrayRange(parsing: value, dialect: .torque, location: valueLocation)
            torque = true
        case "-N":
            name = value
        case "-o": output = value
        case "-e": error = value
        case "-j":
            guard ["oe", "eo", "n"].contains(value) else { throw bad("oe, eo or n") }
            join = value
        case "-V": exportAll = true
        case "-v":
            for item in value.split(separator: ",") {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(pair[0]).trimmingBlanks
                guard !key.isEmpty else { throw bad("a list NAME=value,NAME2=value2") }
                variables[key] = pair.count == 2 ? String(pair[1]) : options.environment[key] ?? ""
            }
        case "-l":
            for resource in value.split(separator: ",") {
                let pair = resource.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2 else { throw bad("resource=value[,resource=value]") }
                switch pair[0] {
                case "select":
                    for (name, amount) in try Self.selectChunk(pair[1], error: bad("select=N:ncpus=C:mem=M")) {
                        switch name {
                        case "ncpus":
                            guard let count = Int(amount), FarmLimits.slotsProblem(count) == nil else {
                                throw bad("ncpus from 1 to \(FarmLimits.maximumSlots)")
                            }
                            cpus = count
                            requestLines.cores = option.location
                        case "ngpus":
                            gpus = try gpuCount(amount, bad)
                            requestLines.gpus = option.location
                        case "mpiprocs":
                            guard let count = Int(amount), count >= 1 else { throw bad("mpiprocs of at least 1") }
                            mpiProcesses = count
                        case "ompthreads":
                            guard let count = Int(amount), count >= 1 else { throw bad("ompthreads of at least 1") }
                            ompThreads = count
                        case "mem":
                            guard let mib = ResourceValues.pbsSizeMiB(amount) else { throw bad("mem such as 4gb") }
                            memoryMiB = mib
                            requestLines.memory = option.location
                        default:
                            warnings.append(JobSpecError("#PBS -l select ... \(name)=\(amount) is not honoured inside "
                                                         + "the farm and is ignored: a subjob is placed by ncpus, mem "
                                                         + "and ngpus only", at: option.location))
                        }
                    }
                case "ncpus":
                    guard let count = Int(pair[1]), FarmLimits.slotsProblem(count) == nil else {
                        throw bad("ncpus from 1 to \(FarmLimits.maximumSlots)")
                    }
                    cpus = count
                    requestLines.cores = option.location
                case "ngpus", "gpus":
                    gpus = try gpuCount(pair[1], bad)
                    requestLines.gpus = option.location
                case "nodes":
                    if let count = Int(pair[1].prefix { $0.isNumber }), count > 1 {
                        warnings.append(JobSpecError("#PBS -l nodes=\(count) is not honoured inside the farm: each subjob "
                                                     + "runs on one worker", at: option.location))
                    }
                    for part in pair[1].split(separator: ":") where part.hasPrefix("ppn=") {
                        guard let count = Int(part.dropFirst(4)), FarmLimits.slotsProblem(count) == nil else {
                            throw bad("ppn from 1 to \(FarmLimits.maximumSlots)")
                        }
                        cpus = count
                        requestLines.cores = option.location
                    }
                    for part in pair[1].split(separator: ":") where part.hasPrefix("gpus=") {
                        gpus = try gpuCount(String(part.dropFirst(5)), bad)
                        requestLines.gpus = option.location
                    }
                case "mem", "pmem", "vmem":
                    guard let mib = ResourceValues.pbsSizeMiB(pair[1]) else { throw bad("\(pair[0]) such as 4gb") }
                    memoryMiB = mib
                    requestLines.memory = option.location
                case "walltime":
                    guard let seconds = ResourceValues.pbsDuration(pair[1]) else { throw bad("walltime=HH:MM:SS") }
                    guard FarmLimits.durationProblem(seconds) == nil else {
                        throw bad("walltime above 0 and at most 8760:00:00 (365 days)")
                    }
                    walltime = seconds
                case "place", "host", "vnode", "arch", "software", "cput", "pcput", "file",
                     "naccelerators", "accelerator", "feature":
                    warnings.append(JobSpecError("#PBS -l \(pair[0])=\(pair[1]) is not honoured inside the farm and is "
                                                 + "ignored: each subjob runs as one chunk on one host, placed by its "
                                                 + "ncpus, mem and ngpus", at: option.location))
                default:
                    warnings.append(JobSpecError("#PBS -l \(pair[0]) is not a resource the farm knows; it is ignored",
                                                 at: option.location))
                }
            }
        case "-S":
            shell = value.split(separator: ",").first.map(String.init)
        case "-q":
            queue = value
        case "-d":
            initialDirectory = Paths.resolve(value, in: options.workingDirectory)
        case "-W" where value.hasPrefix("depend=") && options.honoursDependencies:
            do {
                dependencies += try JobDependency.parsePBS(String(value.dropFirst("depend=".count)))
            } catch {
                throw JobSpecError(error.message, at: option.location)
            }
        default:
            // Allocation-only options (`-A`, `-M`, ...) reach here from qsub's own command line too.
            if option.location.file == "<command line>", !Self.ignored.contains(option.name) {
                throw JobSpecError("\(option.name) is not a qsub option for a PBS script (qsub's array option is "
                                   + "-J, Torque's -t; -v and -V pass variables)", at: option.location)
            }
            if (option.name == "-W" && value.hasPrefix("depend")) || option.name == "-a" || option.name == "-h" {
                warnings.append(JobSpecError("#PBS \(option.name) \(value) is not honoured inside the farm and is "
                                             + "ignored: subjobs start as workers free up; use a DAG for dependencies",
                                             at: option.location))
            } else if Self.ignored.contains(option.name) {
                // About the allocation (account, mail, priority, ...): warned once, together.
                if !allocationOnly.contains(option.name) { allocationOnly.append(option.name) }
                allocationOnlyLocation = allocationOnlyLocation ?? option.location
            } else {
                warnings.append(JobSpecError("#PBS \(option.name) is not used inside the farm and is ignored",
                                             at: option.location))
            }
        }
    }

    /// The `name=value` resources of the first chunk of a `select` statement:
    /// A GPU count (`ngpus=2`), or `error` (a ``JobSpecError`` maker at the option).
    private func gpuCount(_ text: String, _ error: (String) -> JobSpecError) throws(JobSpecError) -> Int {
        guard let count = Int(text), (0...FarmLimits.maximumSlots).contains(count) else {
            throw error("ngpus from 0 to \(FarmLimits.maximumSlots)")
        }
        return count
    }

    /// `2:ncpus=4:mem=2gb+1:ncpus=1` gives `ncpus=4`, `mem=2gb` (each subjob is one chunk
    /// on one worker; the leading chunk count is dropped).
    static func selectChunk(_ text: String, error: JobSpecError) throws(JobSpecError) -> [(String, String)] {
        let chunk = text.split(separator: "+").first ?? ""
        var parts = chunk.split(separator: ":")
        if let first = parts.first, Int(first) != nil { parts.removeFirst() }
        var result: [(String, String)] = []
        for part in parts {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw error }
            result.append((pair[0], pair[1]))
        }
        return result
    }
}
