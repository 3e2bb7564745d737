import Foundation

/// The state of a submit description being read: the commands defined so far, and the
/// procs made by the queue statements seen so far.
struct SubmitBuilder {
    let file: String
    let options: JobLoadOptions
    var macros = SubmitMacros()
    /// Where each key was last defined, by lowercased name.
    var locations: [String: SourceLocation] = [:]
    /// Each key as written, by lowercased name (for `+Name` attribute names).
    var spellings: [String: String] = [:]
    /// User macros (keys that are not commands), by lowercased name.
    var userMacros: [String: (key: String, location: SourceLocation)] = [:]
    /// Every macro name looked up while expanding, lowercased.
    var referenced = Set<String>()
    /// The raw text of every value and queue statement, for references in text that is
    /// never expanded (ignored commands).
    var rawTexts: [String] = []
    /// The procs of the queue statements seen so far, made when asked (``SubmitProcs``).
    let procs = SubmitProcs()
    var warnings: [JobSpecError] = []
    var transferWarned = false
    var matchTimeWarned = false
    var localUniverseWarned = false
    var sawQueue = false
    var batchName: String?
    /// Executables already found to exist (one check per program, not per proc).
    var existingExecutables = Set<String>()

    init(file: String, options: JobLoadOptions) {
        self.file = file
        self.options = options
        macros.environment = options.environment
        macros.predefined = SubmitPredefinedMacros.values(file: file, time: options.submitTime ?? Date().timeIntervalSince1970)
    }

    /// Records `key = value`; warns at once for ignored and file-transfer commands.
    mutating func define(key: String, value: String, location: SourceLocation) {
        let lowered = key.lowercased()
        // Warnings about the key name the line only: `location` is the value's column.
        let line = SourceLocation(file: location.file, line: location.line)
        macros.definitions[lowered] = value
        locations[lowered] = location
        spellings[lowered] = key
        rawTexts.append(value)
        if SubmitCommands.isTransfer(lowered) {
            if !transferWarned {
                warnings.append(JobSpecError("'\(key)' and the other file-transfer commands are ignored: the farm "
                                             + "runs on a shared file system, each task in its initialdir (\(options.workingDirectory) "
                                             + "unless initialdir names another), where input files are read by the "
                                             + "names given, nothing is copied", at: line))
                transferWarned = true
            }
        } else if lowered.hasPrefix("request_"), !SubmitCommands.handled.contains(lowered),
                  SubmitCommands.closest(to: lowered).map(SubmitCommands.handled.contains) != true {
            warnings.append(JobSpecError("'\(key)' asks for a resource the farm does not count per task; it is "
                                         + "ignored", at: line))
        } else if SubmitCommands.ignored.contains(lowered) {
            warnings.append(JobSpecError("'\(key)' has no effect inside the farm and is ignored", at: line))
        } else if !SubmitCommands.handled.contains(lowered), !lowered.hasPrefix("+"), !lowered.hasPrefix("my.") {
            userMacros[lowered] = (key, line)
        }
    }

    /// Makes the procs of one queue statement from the commands defined so far.
    mutating func queue(_ arguments: String, location: SourceLocation) throws(JobSpecError) {
        sawQueue = true
        rawTexts.append(arguments)
        var lineMacros = macros
        lineMacros.specials = ["cluster": String(options.runID), "clusterid": String(options.runID)]
        let expanded = try lineMacros.expand(arguments, location: location, referenced: &referenced)
        let statement = try QueueStatement(parsing: expanded, location: location, directory: options.workingDirectory)
        let procCount = statement.count.multipliedReportingOverflow(by: statement.items?.count ?? 1)
        // Room for each proc's own macros (the five numbers and the item variables,
        // ``SubmitProcs/Segment/proc(_:)``), so that its copy takes them without growing.
        lineMacros.specials.reserveCapacity(lineMacros.specials.count + 5 + statement.variables.count)
        var segment = SubmitProcs.Segment(first: procs.count, count: statement.count, variables: statement.variables,
                                          rows: statement.items, options: options, macros: lineMacros,
                                          locations: locations, spellings: spellings, queueLocation: location)
        // Procs are made again when asked, unless a random macro would make them differ.
        let keeps = segment.drawsRandomValues
        if keeps {
            try checkBudget(adding: procCount, location: location)
        } else {
            try checkStreamedCount(adding: procCount, location: location)
        }
        var stored: [TaskSpec] = []
        // Each proc is expanded once here, so that any proc's error is reported now, with
        // its line, and the warnings cover every proc; a reload for looking at a run expands
        // only the first (procs with random values are kept, so are all made).
        let expandedProcs = options.expandsEveryProc || keeps ? segment.procs : min(1, segment.procs)
        if expandedProcs < segment.procs {
            procs.everyProcExpanded = false
            procs.asksOfWorkers = true  // not known without every proc: assume they ask
        }
        for offset in 0 ..< expandedProcs {
            var proc = segment.proc(offset)
            // The first proc finds the commands every proc shares; a statement that draws
            // random values shares none.
            if offset == 0, !keeps { proc.perProcNames = segment.perProcNames }
            let task = try proc.task(number: segment.first + offset)
            if offset == 0, !keeps {
                segment.sharedValues = proc.sharedValues
                segment.sharedEnvironment = proc.sharedEnvironment
                segment.attributeKeys = proc.attributeKeys
            }
            try checkExecutable(of: task)
            if let universe = task.attributes[SubmitDescription.universeAttribute], !localUniverseWarned {
                warnings.append(JobSpecError("universe \(universe): outside a DAG the job runs on a worker, like a "
                                             + "vanilla job (as a DAG node it runs on rank 0, beside the scheduler)",
                                             at: locations["universe"] ?? location))
                localUniverseWarned = true
            }
            if keeps { stored.append(task) }
            procs.survey.add(task)
            if task.requirements != nil || task.rank != nil || task.memoryMiB != nil || task.diskKiB != nil {
                procs.asksOfWorkers = true
            }
            referenced.formUnion(proc.referenced)
            if let name = proc.batchName { batchName = name }
            if proc.usesMatchTimeMacros, !matchTimeWarned {
                warnings.append(JobSpecError("'$$(...)' in output or error is not filled in (HTCondor fills "
                                             + "it in only in the commands that reach the job); the file name "
                                             + "keeps it as written", at: location))
                matchTimeWarned = true
            }
        }
        if keeps { segment.stored = stored }
        procs.append(segment)
    }

    /// Refuses a proc whose `executable` does not exist, as condor_submit does ("Executable
    /// file ... does not exist"), when ``JobLoadOptions/checksExecutables`` asks for it.
    private mutating func checkExecutable(of task: TaskSpec) throws(JobSpecError) {
        guard options.checksExecutables, task.attributes["condor.noop"] == nil,
              let program = task.command.executedArgv.first, !program.containsASCII("$$("),
              !existingExecutables.contains(program) else { return }
        if macros.definitions["transfer_executable"]?.lowercased().hasPrefix("f") == true { return }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: program, isDirectory: &isFolder), !isFolder.boolValue else {
            throw JobSpecError("executable \(program) does not exist (condor_submit refuses it too); expected a "
                               + "program path, absolute or relative to the folder taskfarm runs in",
                               at: locations["executable"] ?? task.source)
        }
        existingExecutables.insert(program)
    }

    /// Memory one expanded proc takes when it is kept (random macros), in bytes, measured
    /// with `taskfarm check` of a `queue 1000000` (2.2 GB), rounded up.
    static let bytesPerExpandedTask = 2_500

    /// Refuses a queue statement whose procs would not fit in ``JobLoadOptions/expansionBudgetBytes``.
    private func checkBudget(adding: (partialValue: Int, overflow: Bool), location: SourceLocation) throws(JobSpecError) {
        guard let budget = options.expansionBudgetBytes else { return }
        let limit = budget / Self.bytesPerExpandedTask
        guard adding.overflow || procs.count + adding.partialValue > limit else { return }
        let total = adding.overflow ? "more than \(Int.max)" : String(procs.count + adding.partialValue)
        throw JobSpecError("this queue statement makes \(total) tasks in all, more than the \(limit) whose expansion "
                           + "fits in memory here (about \(Self.bytesPerExpandedTask) bytes each, within "
                           + "\(budget / 1_048_576) MiB); a statement whose commands use $RANDOM_INTEGER or "
                           + "$RANDOM_CHOICE keeps its procs as drawn, so split the work over several submit "
                           + "descriptions, or write it as a task list, which streams",
                           at: location)
    }

    /// Refuses procs beyond ``FarmLimits/maximumSubmitProcs``: each is expanded once to check it.
    private func checkStreamedCount(adding: (partialValue: Int, overflow: Bool), location: SourceLocation) throws(JobSpecError) {
        guard adding.overflow || procs.count + adding.partialValue > FarmLimits.maximumSubmitProcs else { return }
        let total = adding.overflow ? "more than \(Int.max)" : String(procs.count + adding.partialValue)
        throw JobSpecError("this queue statement makes \(total) tasks in all, more than the farm's "
                           + "\(FarmLimits.maximumSubmitProcs) for one submit description (each proc is expanded once "
                           + "to check it); split the work over several submit descriptions, or write it as a task "
                           + "list", at: location)
    }

    /// The warnings, with unused user macros added, each naming the closest command.
    func finishWarnings() -> [JobSpecError] {
        var result = warnings
        let allText = rawTexts.joined(separator: "\n").lowercased()
        for (lowered, macro) in userMacros.sorted(by: { $0.value.location.line < $1.value.location.line }) {
            if referenced.contains(lowered) || allText.contains("$(\(lowered))") || allText.contains("$(\(lowered):") {
                continue
            }
            var message = "'\(macro.key)' is not a submit command and nothing uses it as a macro"
            if let guess = SubmitCommands.closest(to: lowered) { message += "; did you mean '\(guess)'?" }
            result.append(JobSpecError(message, at: macro.location))
        }
        return result
    }
}
