/// The resource request of tasks in a plain task list: the command line's
/// `--cpus-per-task`, `--memory-per-task` and `--gpus-per-task` for every task, and a
/// directive line that changes it for the tasks after it:
///
/// ```
/// #TASKFARM RESOURCES cpus=2 memory=4G gpus=1
/// ```
///
/// The keys are `cpus` (also `cores`), `memory` (also `mem`; a size as Slurm's `--mem`
/// takes it: `4000` is MiB, `500M`, `4G`, `1T`) and `gpus`, each optional; a key left out
/// falls back to the command line's value, and a directive with no keys (or `default`)
/// returns to it. Because the line starts with `#` it is a comment to every other reader of
/// the file, and it is not a task: task numbering is unchanged.
public struct TaskListResources: Sendable, Equatable {
    /// Cores per task, or `nil` for the command line's (default 1).
    public var cores: Int?
    /// Memory per task in MiB, or `nil` for the command line's (default: not counted).
    public var memoryMiB: Int?
    /// GPUs per task, or `nil` for the command line's (default 0).
    public var gpus: Int?
    /// The directive's line, for refusals; `nil` for the command line's request.
    public var location: SourceLocation?

    /// A request; every argument is the property of the same name.
    public init(cores: Int? = nil, memoryMiB: Int? = nil, gpus: Int? = nil, location: SourceLocation? = nil) {
        self.cores = cores
        self.memoryMiB = memoryMiB
        self.gpus = gpus
        self.location = location
    }

    /// A size as Slurm's `--mem` takes it (`4000` MiB, `500M`, `4G`, `1T`), in MiB, or `nil`.
    public static func mebibytes(_ text: String) -> Int? { ResourceValues.slurmMemoryMiB(text) }

    /// Whether `line` (without its line ending) is a `#TASKFARM RESOURCES` directive.
    public static func isDirective<S: StringProtocol>(_ line: S) -> Bool {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        return words.count >= 2 && words[0].uppercased() == "#TASKFARM" && words[1].uppercased() == "RESOURCES"
    }

    /// Parses a `#TASKFARM RESOURCES key=value ...` line found at `location`.
    ///
    /// - Throws: ``JobSpecError`` at `location` for an unknown key or a bad value.
    public init(directive line: String, at location: SourceLocation) throws(JobSpecError) {
        self.init(location: location)
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst(2)
        for word in words where word.lowercased() != "default" {
            let pair = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else {
                throw JobSpecError("'\(word)': expected key=value with cpus, memory or gpus", at: location)
            }
            switch pair[0].lowercased() {
            case "cpus", "cores", "cpus-per-task":
                guard let count = Int(pair[1]), FarmLimits.slotsProblem(count) == nil else {
                    throw JobSpecError("cpus=\(pair[1]): expected \(FarmLimits.slotsExpectation)", at: location)
                }
                cores = count
            case "memory", "mem":
                guard let mib = Self.mebibytes(pair[1]) else {
                    throw JobSpecError("memory=\(pair[1]): expected a size such as 4000 (MiB), 500M or 4G", at: location)
                }
                memoryMiB = mib
            case "gpus":
                guard let count = Int(pair[1]), (0...FarmLimits.maximumSlots).contains(count) else {
                    throw JobSpecError("gpus=\(pair[1]): expected a number of GPUs from 0 to \(FarmLimits.maximumSlots)",
                                       at: location)
                }
                gpus = count
            default:
                let known = ["cpus", "memory", "gpus"]
                let meant = known.first { SubmitCommands.editDistance(pair[0].lowercased(), $0) <= 2 }
                throw JobSpecError("'\(pair[0])' is not a resource" + (meant.map { "; did you mean \($0)?" } ?? "")
                                   + "; expected cpus, memory or gpus", at: location)
            }
        }
    }

    /// This request with the keys it leaves out taken from `defaults`.
    public func over(_ defaults: TaskListResources) -> TaskListResources {
        TaskListResources(cores: cores ?? defaults.cores, memoryMiB: memoryMiB ?? defaults.memoryMiB,
                          gpus: gpus ?? defaults.gpus, location: location ?? defaults.location)
    }

    /// Sets `task`'s slots, memory, GPUs and request lines from this request.
    public func apply(to task: inout TaskSpec) {
        if let cores { task.slots = cores }
        if let memoryMiB { task.memoryMiB = memoryMiB }
        if let gpus, gpus > 0 { task.gpus = gpus }
        if cores != nil || memoryMiB != nil || gpus != nil {
            let at = location ?? SourceLocation(file: SourceLocation.commandLine, line: 0)
            task.requestLines = RequestLines(cores: cores.map { _ in at }, memory: memoryMiB.map { _ in at },
                                             gpus: gpus.map { _ in at })
        }
    }
}
