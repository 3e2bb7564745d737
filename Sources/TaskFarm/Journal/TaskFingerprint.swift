import JobSpec

/// Fingerprints of the expanded tasks, so that a resume against different tasks is caught
/// even when the job file is unchanged (`queue from`, `matching` and `$ENV()` can change
/// the tasks) and the user is told which tasks changed.
///
/// Each task's fingerprint is a 64-bit FNV-1a hash of everything that decides what runs:
/// the command, environment, working directory, outputs, slots, limits and index.
public enum TaskFingerprint {
    /// The fingerprint of one task.
    public static func of(_ task: TaskSpec) -> UInt64 {
        var hash = FNV1a()
        hash.add(task.arrayIndex)
        switch task.command {
        case .argv(let words):
            hash.add("argv")
            for word in words { hash.add(word) }
        case .shell(let line):
            hash.add("shell")
            hash.add(line)
        }
        switch task.environment {
        case .inherit(let set): hash.add("inherit"); hash.add(set)
        case .clean(let set): hash.add("clean"); hash.add(set)
        case .inheritOnly(let names, let set):
            hash.add("only")
            for name in names { hash.add(name) }
            hash.add(set)
        }
        hash.add(task.workingDirectory ?? "")
        hash.add(task.stdout ?? "")
        hash.add(task.stderr ?? "")
        // Added later: hashed only when set, so fingerprints of earlier runs still match.
        if let stdin = task.stdin {
            hash.add("stdin")
            hash.add(stdin)
        }
        hash.add(task.slots)
        if let gpus = task.gpus {
            hash.add("gpus")
            hash.add(gpus)
        }
        hash.add(task.timeLimit.map { String($0) } ?? "")
        hash.add(task.maxRetries ?? -1)
        hash.add(task.requirements ?? "")
        hash.add(task.attributes)
        return hash.value
    }

    /// A folder whose paths count relative to it: `folder` (absolute, without a trailing
    /// slash) stands as `name` in fingerprinted paths.
    public struct Anchor: Sendable {
        /// The folder, absolute.
        public var folder: String
        /// What stands for it, such as `$STATE`.
        public var name: String

        /// An anchor; both arguments are the properties of the same name.
        public init(folder: String, name: String) {
            self.folder = folder
            self.name = name
        }
    }

    /// `task` with each path under an anchor's folder (outputs, working directory, argv
    /// words, environment values) rewritten relative to it, the first anchor that holds it
    /// winning; what `of(_:)` is given, so that a state folder copied or moved together
    /// with its job file keeps its tasks' fingerprints (the default outputs live inside it).
    public static func relocatable(_ task: TaskSpec, anchors: [Anchor]) -> TaskSpec {
        func anchored(_ text: String) -> String {
            for anchor in anchors where text == anchor.folder || text.hasPrefix(anchor.folder + "/") {
                return anchor.name + text.dropFirst(anchor.folder.count)
            }
            return text
        }
        var task = task
        task.stdout = task.stdout.map(anchored)
        task.stderr = task.stderr.map(anchored)
        task.workingDirectory = task.workingDirectory.map(anchored)
        switch task.command {
        case .argv(let words): task.command = .argv(words.map(anchored))
        case .shell(let line): task.command = .shell(line)
        }
        switch task.environment {
        case .inherit(let set): task.environment = .inherit(set: set.mapValues(anchored))
        case .clean(let set): task.environment = .clean(set: set.mapValues(anchored))
        case .inheritOnly(let names, let set): task.environment = .inheritOnly(names: names, set: set.mapValues(anchored))
        }
        task.attributes = task.attributes.mapValues(anchored)
        return task
    }

    /// The fingerprints of every task of `job`, by position.
    public static func all(_ job: any Job) -> [UInt64] {
        (0..<job.taskCount).map { of(job.task(at: $0)) }
    }

    /// One fingerprint for the whole job, as 16 hex digits.
    public static func combined(_ fingerprints: [UInt64]) -> String {
        var hash = FNV1a()
        hash.add(fingerprints.count)
        for value in fingerprints { hash.add(value) }
        let text = String(hash.value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}

/// The 64-bit FNV-1a hash, with a separator after each field.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(byte: UInt8) {
        value ^= UInt64(byte)
        value = value &* 0x0000_0100_0000_01b3
    }

    mutating func add(_ text: String) {
        for byte in text.utf8 { add(byte: byte) }
        add(byte: 0xff)
    }

    mutating func add(_ number: Int) { add(UInt64(bitPattern: Int64(number))) }

    mutating func add(_ number: UInt64) {
        var rest = number
        for _ in 0..<8 {
            add(byte: UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        }
    }

    mutating func add(_ dictionary: [String: String]) {
        for key in dictionary.keys.sorted() {
            add(key)
            add(dictionary[key]!)
        }
    }
}
