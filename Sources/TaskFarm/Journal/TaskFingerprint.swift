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
        hash.add(task.slots)
        hash.add(task.timeLimit.map { String($0) } ?? "")
        hash.add(task.maxRetries ?? -1)
        hash.add(task.requirements ?? "")
        hash.add(task.attributes)
        return hash.value
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
