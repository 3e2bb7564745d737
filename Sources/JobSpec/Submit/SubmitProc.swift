import Foundation

/// One proc of a submit description: the commands, expanded with this proc's macros,
/// turned into a ``TaskSpec``.
struct SubmitProc {
    let options: JobLoadOptions
    var macros: SubmitMacros
    let locations: [String: SourceLocation]
    let spellings: [String: String]
    let queueLocation: SourceLocation
    /// Macro names looked up while expanding this proc.
    var referenced = Set<String>()
    /// `batch_name`, when given.
    var batchName: String?
    /// Whether argv or the output names hold `$$(...)`.
    var usesMatchTimeMacros = false
    /// Commands whose value is the same for every proc of the queue statement, expanded
    /// once (``SubmitProcs/Segment/sharedValues``), by lowercased name; `nil` for a command
    /// the statement does not give.
    var sharedValues: [String: (text: String, location: SourceLocation)?] = [:]
    /// While the statement's first proc is expanded: its per-proc macro names
    /// (``SubmitProcs/Segment/perProcNames``), and every command whose expansion looks up
    /// none of them is added to ``sharedValues``. `nil` otherwise.
    var perProcNames: Set<String>?
    /// The statement's first proc's environment and the cores and folder it was made with,
    /// when the statement shares `getenv` and `environment` (``environment(slots:directory:)``).
    var sharedEnvironment: (slots: Int, directory: String, environment: TaskEnvironment)?
    /// The `+Name` and `MY.Name` commands, sorted: the same for every proc of the statement.
    var attributeKeys: [String]?

    init(options: JobLoadOptions, macros: SubmitMacros, locations: [String: SourceLocation],
         spellings: [String: String], queueLocation: SourceLocation) {
        self.options = options
        self.macros = macros
        self.locations = locations
        self.spellings = spellings
        self.queueLocation = queueLocation
    }

    /// The expanded value of the first of `names` that is defined, with its location.
    /// A queue variable named after a submit command (`queue arguments from args.txt`)
    /// applies as that command for its proc (HTCondor manual, condor_submit, "queue").
    mutating func value(_ names: String...) throws(JobSpecError) -> (text: String, location: SourceLocation)? {
        for name in names {
            // Only names that are no queue variable are shared, so this comes first: one
            // lookup for most of the commands every proc asks for.
            switch sharedValues[name] {
            case .some(.some(let shared)): return shared
            case .some(.none): continue
            case .none: break
            }
            if let item = macros.specials[name], SubmitCommands.isCommand(name) {
                return (try macros.expand(item, location: queueLocation, referenced: &referenced), queueLocation)
            }
            guard let raw = macros.definitions[name], let location = locations[name] else {
                // Not given for this proc, so for none of the statement's.
                if perProcNames != nil { sharedValues[name] = .some(nil) }
                continue
            }
            guard let perProcNames else {
                return (try macros.expand(raw, location: location, referenced: &referenced), location)
            }
            // Expansion reads nothing but the macros it looks up (random draws excepted, whose
            // statements record nothing): one that looks up no per-proc macro gives every
            // proc this text, or this error, so the first proc's error stands for all.
            var looked = Set<String>()
            let text = try macros.expand(raw, location: location, referenced: &looked)
            referenced.formUnion(looked)
            if looked.isDisjoint(with: perProcNames) { sharedValues[name] = (text, location) }
            return (text, location)
        }
        return nil
    }

    /// Whether ``value(_:)`` of `names` is known to give every proc of the statement the
    /// same answer: the first given is shared, and those before it are given by none.
    func isShared(_ names: String...) -> Bool {
        for name in names {
            switch sharedValues[name] {
            case .some(.some): return true
            case .some(.none): continue
            case .none: return false
            }
        }
        return true
    }

    /// A whole-number command of at least `minimum`: a number, or a ClassAd expression
    /// giving one (`request_cpus = 1+1`).
    mutating func integer(_ names: String..., minimum: Int) throws(JobSpecError) -> Int? {
        // The first name given (by a command or a queue variable): ``value(_:)`` answers for
        // exactly those, and knows the commands the statement shares without looking them up.
        var given: (name: String, text: String, location: SourceLocation)?
        for name in names {
            if let (text, location) = try value(name) { given = (name, text, location); break }
        }
        guard let (name, text, location) = given else { return nil }
        var parsed = Int(text.trimmingBlanks)
        if parsed == nil, case .integer(let whole)? = (try? ClassAdExpression(parsing: text, location: location))?
            .evaluate([:]) {
            parsed = whole
        }
        guard let number = parsed, number >= minimum else {
            throw JobSpecError("\(name) '\(text)': expected a whole number of at least \(minimum)", at: location)
        }
        return number
    }

    /// The task for proc `number`.
    ///
    /// - Throws: ``JobSpecError`` at the offending command's line.
    mutating func task(number: Int) throws(JobSpecError) -> TaskSpec {
        var localUniverse: String?
        if let (universe, location) = try value("universe") {
            switch universe.lowercased() {
            case "vanilla": break
            case "local", "scheduler": localUniverse = universe.lowercased()
            default:
                throw JobSpecError("universe '\(universe)' is not supported; the farm runs vanilla-universe jobs, and "
                                   + "local- and scheduler-universe jobs as DAG nodes", at: location)
            }
        }
        guard let (executable, _) = try value("executable"), !executable.isEmpty else {
            throw JobSpecError("no executable; expected 'executable = PROGRAM' before this queue statement",
                               at: queueLocation)
        }
        // The executable is relative to the submit directory, not to initialdir.
        var argv = [Paths.resolve(executable, in: options.workingDirectory)]
        if let (arguments, location) = try value("arguments", "args") {
            argv += try Self.keepingMachineReferences(arguments) { text throws(JobSpecError) in
                try SubmitArguments.parse(text, location: location)
            }
        }
        var stdin: String?
        if let (input, _) = try value("input"), !input.isEmpty {
            stdin = input
        }
        var directory = options.workingDirectory
        if let (initial, _) = try value("initialdir", "initial_dir", "iwd"), !initial.isEmpty {
            directory = Paths.resolve(initial, in: options.workingDirectory)
        }
        func file(_ path: String) -> String { OutputPattern.literal(Paths.resolve(path, in: directory)) }
        // Command-line patterns win over the file's, as sbatch's do; they are relative to
        // where taskfarm started.
        func commandLine(_ pattern: String) -> String {
            Paths.resolve(pattern, in: OutputPattern.literal(options.workingDirectory))
        }
        let stdout: String, stderr: String
        if let pattern = options.output { stdout = commandLine(pattern) } else {
            stdout = try value("output").map { file($0.text) } ?? "/dev/null"
        }
        if let pattern = options.error { stderr = commandLine(pattern) } else {
            stderr = try value("error").map { file($0.text) } ?? "/dev/null"
        }
        if let input = stdin { stdin = input == "/dev/null" ? nil : file(input) }
        usesMatchTimeMacros = [stdout, stderr].contains { $0.containsASCII("$$(") }

        let slots = try integer("request_cpus", "requestcpus", minimum: 1) ?? 1
        if let expected = FarmLimits.slotsProblem(slots), let (text, location) = try value("request_cpus", "requestcpus") {
            throw JobSpecError("request_cpus '\(text)': expected \(expected)", at: location)
        }
        var memory: Int?
        if let (text, location) = try value("request_memory", "requestmemory") {
            memory = try Self.size(text, defaultUnit: 1024 * 1024, resultUnit: 1024 * 1024,
                                   command: "request_memory", slots: slots, at: location)
        }
        var disk: Int?
        if let (text, location) = try value("request_disk", "requestdisk") {
            disk = try Self.size(text, defaultUnit: 1024, resultUnit: 1024, command: "request_disk", slots: slots,
                                 at: location)
        }
        let gpus = try integer("request_gpus", "requestgpus", minimum: 0)
        if let gpus, gpus > FarmLimits.maximumSlots, let (text, location) = try value("request_gpus", "requestgpus") {
            throw JobSpecError("request_gpus '\(text)': expected a number of GPUs from 0 to \(FarmLimits.maximumSlots)",
                               at: location)
        }
        let requestLines = RequestLines(cores: try value("request_cpus", "requestcpus")?.location,
                                        memory: try value("request_memory", "requestmemory")?.location,
                                        gpus: try value("request_gpus", "requestgpus")?.location)
        var requirements: String?
        if let (text, location) = try value("requirements"), !text.isEmpty {
            requirements = try ClassAdExpression(parsing: text, location: location).text
        }
        var rank: String?
        if let (text, location) = try value("rank"), !text.isEmpty {
            rank = try ClassAdExpression(parsing: text, location: location).text
        }
        var retries: Int?
        if let (text, location) = try value("max_retries") {
            guard let count = Int(text.trimmingBlanks), FarmLimits.retriesProblem(count) == nil else {
                throw JobSpecError("max_retries '\(text)': expected \(FarmLimits.retriesExpectation)", at: location)
            }
            retries = count
        }
        var timeLimit: Double?
        if let (text, location) = try value("allowed_job_duration", "allowed_execute_duration") {
            guard let seconds = Double(text.trimmingBlanks), FarmLimits.durationProblem(seconds) == nil else {
                throw JobSpecError("'\(text)': expected \(FarmLimits.durationExpectation())", at: location)
            }
            timeLimit = seconds
        }
        if let (name, _) = try value("batch_name"), !name.isEmpty { batchName = name }
        var task = TaskSpec(position: number, arrayIndex: number, command: .argv(argv),
                            environment: try environment(slots: slots, directory: directory),
                            workingDirectory: directory, stdout: stdout, stderr: stderr, slots: slots,
                            memoryMiB: memory, diskKiB: disk, requirements: requirements, rank: rank,
                            timeLimit: timeLimit, maxRetries: retries, source: queueLocation,
                            attributes: try attributes(number: number, directory: directory))
        task.stdin = stdin
        task.gpus = gpus.flatMap { $0 > 0 ? $0 : nil }
        task.requestLines = requestLines
        task.successExitCode = try integer("success_exit_code", minimum: 0)
        // A DAG runs these on rank 0, beside the scheduler, as DAGMan runs them on the access point.
        if let localUniverse { task.attributes[SubmitDescription.universeAttribute] = localUniverse }
        markMachineReferences(&task)
        try applyNoop(to: &task)
        return task
    }

    /// `parse(text)` with every `$$(...)` kept whole, blanks and quotes inside included
    /// (`$$([TARGET.Memory * 0.9])` is one reference, filled in later as one value).
    static func keepingMachineReferences(_ text: String,
                                         _ parse: (String) throws(JobSpecError) -> [String]) throws(JobSpecError)
        -> [String] {
        guard text.containsASCII("$$(") else { return try parse(text) }
        var references: [String] = []
        var masked = ""
        var rest = Substring(text)
        while let start = rest.range(of: "$$(") {
            masked += rest[..<start.lowerBound]
            var depth = 0
            var end = rest.endIndex
            for index in rest.indices[start.lowerBound...].dropFirst(2) {
                if rest[index] == "(" { depth += 1 }
                if rest[index] == ")" { depth -= 1; if depth == 0 { end = rest.index(after: index); break } }
            }
            masked += "\u{1}\(references.count)\u{1}"
            references.append(String(rest[start.lowerBound..<end]))
            rest = rest[end...]
        }
        masked += rest
        return try parse(masked).map { word in
            var restored = word
            for (number, reference) in references.enumerated().reversed() {
                restored = restored.replacingOccurrences(of: "\u{1}\(number)\u{1}", with: reference)
            }
            return restored
        }
    }

    /// Names the parts of `task` that hold `$$(...)` references, for ``MachinePlacement``
    /// to fill in from the machine ad of the worker the task starts on.
    private func markMachineReferences(_ task: inout TaskSpec) {
        var parts: [String] = []
        if task.command.executedArgv.contains(where: { $0.containsASCII("$$(") }) { parts.append("argv") }
        if task.environment.overrides.values.contains(where: { $0.containsASCII("$$(") }) { parts.append("env") }
        if task.stdin?.containsASCII("$$(") == true { parts.append("stdin") }
        if !parts.isEmpty { task.attributes[MachinePlacement.attribute] = parts.joined(separator: ",") }
    }

    /// `noop_job`: when it is true the proc does not run its program; it ends at once
    /// with `noop_job_exit_code` (default 0), writing no output (HTCondor manual,
    /// condor_submit, `noop_job`).
    private mutating func applyNoop(to task: inout TaskSpec) throws(JobSpecError) {
        guard let (text, location) = try value("noop_job") else { return }
        let expression = try ClassAdExpression(parsing: text, location: location)
        guard expression.evaluate([:]).truth == true else { return }
        let code = try integer("noop_job_exit_code", minimum: 0) ?? 0
        guard code <= 255 else {
            throw JobSpecError("noop_job_exit_code \(code): expected an exit status from 0 to 255",
                               at: locations["noop_job_exit_code"] ?? location)
        }
        task.command = .argv(["/bin/sh", "-c", "exit \(code)"])
        task.stdin = nil
        task.stdout = "/dev/null"
        task.stderr = "/dev/null"
        task.attributes["condor.noop"] = "1"
        task.attributes["condor.scratch"] = nil
        task.attributes[MachinePlacement.attribute] = nil
        task.label = "noop_job (\(task.label))"
    }

    /// `condor.*` and `classad.*` attributes.
    mutating func attributes(number: Int, directory: String) throws(JobSpecError) -> [String: String] {
        var attributes = ["condor.cluster": String(options.runID), "condor.proc": String(number),
                          "condor.scratch": "1"]
        if let (log, _) = try value("log"), !log.isEmpty {
            attributes["condor.log"] = Paths.resolve(log, in: directory)
        }
        if let (notification, location) = try value("notification") {
            guard ["never", "always", "complete", "error"].contains(notification.lowercased()) else {
                throw JobSpecError("notification '\(notification)': expected Never, Always, Complete or Error",
                                   at: location)
            }
            attributes["condor.notification"] = notification.capitalized
        }
        if let (user, _) = try value("notify_user") { attributes["condor.notify_user"] = user }
        let keys = attributeKeys ?? macros.definitions.keys.filter { $0.hasPrefix("+") || $0.hasPrefix("my.") }.sorted()
        attributeKeys = keys
        for key in keys {
            let spelled = spellings[key] ?? key
            attributes["classad." + String(spelled.dropFirst(key.hasPrefix("+") ? 1 : 3))] = try value(key)?.text
        }
        return attributes
    }

    /// The task environment: `getenv`, then `environment`, over HTCondor's job variables.
    mutating func environment(slots: Int, directory: String) throws(JobSpecError) -> TaskEnvironment {
        if let shared = sharedEnvironment, shared.slots == slots, shared.directory == directory {
            return shared.environment
        }
        let environment = try makeEnvironment(slots: slots, directory: directory)
        // Made of `getenv`, `environment`, the cores and the folder: when the statement
        // shares both commands, a proc with the same cores and folder gets the same one.
        if perProcNames != nil, isShared("getenv"), isShared("environment", "env") {
            sharedEnvironment = (slots, directory, environment)
        }
        return environment
    }

    private mutating func makeEnvironment(slots: Int, directory: String) throws(JobSpecError) -> TaskEnvironment {
        var set: [String: String] = ["BATCH_SYSTEM": "HTCondor", "_CONDOR_JOB_IWD": directory]
        for variable in SubmitDescription.threadVariables { set[variable] = String(slots) }
        var inheritAll = false
        if let (getenv, _) = try value("getenv") {
            switch getenv.lowercased() {
            case "true", "yes", "t", "y", "1": inheritAll = true
            case "false", "no", "f", "n", "0", "": break
            default:
                // A list of names or globs, taken from the submitting environment.
                let patterns = getenv.split(whereSeparator: { ", \t".contains($0) }).map(String.init)
                for (name, value) in options.environment
                where patterns.contains(where: { fnmatch($0, name, 0) == 0 }) {
                    set[name] = value
                }
            }
        }
        if let (text, location) = try value("environment", "env") {
            for (name, value) in try SubmitArguments.parseEnvironment(text, location: location) { set[name] = value }
        }
        return inheritAll ? .inherit(set: set) : .clean(set: set)
    }

    /// A size command's value in `resultUnit` bytes, rounded up: a number with an optional
    /// `K`, `M`, `G`, `T` (or `KB`, `MB`, ...) suffix, else in `defaultUnit` bytes.
    /// Source: HTCondor manual, condor_submit, `request_memory` and `request_disk`.
    /// A ClassAd expression is evaluated first (`2*1024`, `RequestCpus * 1024`), its
    /// number in `defaultUnit`.
    static func size(_ text: String, defaultUnit: Double, resultUnit: Double, command: String, slots: Int,
                     at location: SourceLocation) throws(JobSpecError) -> Int {
        let plain = text.trimmingBlanks
        if plain.first.map({ !$0.isNumber }) ?? false || plain.contains(where: { "*/+-()".contains($0) }),
           let expression = try? ClassAdExpression(parsing: plain, location: location),
           let number = expression.evaluate([:], my: ["RequestCpus": .integer(slots)]).number {
            guard number >= 0 else {
                throw JobSpecError("\(command) '\(text)': expected a size of 0 or more", at: location)
            }
            return Int((number * defaultUnit / resultUnit).rounded(.up))
        }
        let trimmed = text.trimmingBlanks
        let digits = trimmed.prefix(while: { $0.isNumber || $0 == "." })
        let suffix = trimmed.dropFirst(digits.count).trimmingBlanks.uppercased()
        let kibi = 1024.0
        let units: [String: Double] = ["": defaultUnit, "K": kibi, "KB": kibi, "M": kibi * kibi, "MB": kibi * kibi,
                                       "G": kibi * kibi * kibi, "GB": kibi * kibi * kibi,
                                       "T": kibi * kibi * kibi * kibi, "TB": kibi * kibi * kibi * kibi]
        guard let number = Double(digits), let unit = units[suffix] else {
            throw JobSpecError("\(command) '\(text)': expected a number with an optional unit K, M, G or T",
                               at: location)
        }
        let amount = (number * unit / resultUnit).rounded(.up)
        // Beyond 2^53 units no machine has it, and the conversion would not be exact.
        guard amount <= 9_007_199_254_740_992 else {
            throw JobSpecError("\(command) '\(text)': more than any machine has", at: location)
        }
        return Int(amount)
    }
}
