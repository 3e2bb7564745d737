import JobSpec

/// One attempt of one task, as the scheduler hands it to a worker.
struct TaskAssignment: Sendable, Equatable {
    var task: TaskSpec
    /// 1 for the first attempt: `TASKFARM_TASK_ATTEMPT` and `%s`.
    var attempt: Int
    /// The stdout pattern after the command line's options and the farm's defaults.
    var stdout: String?
    /// The stderr pattern, equal to `stdout` when both streams share a file.
    var stderr: String?

    func encode() -> [UInt8] {
        var writer = WireWriter(capacity: 128)
        writer.write(task.position)
        writer.write(task.arrayIndex)
        writer.write(attempt)
        switch task.command {
        case .argv(let words):
            writer.write(false)
            writer.write(words)
        case .shell(let line):
            writer.write(true)
            writer.write(line)
        }
        switch task.environment {
        case .inherit(let set):
            writer.write(0)
            writer.write(set)
        case .clean(let set):
            writer.write(1)
            writer.write(set)
        case .inheritOnly(let names, let set):
            writer.write(2)
            writer.write(names)
            writer.write(set)
        }
        writer.write(task.workingDirectory)
        writer.write(stdout)
        writer.write(stderr)
        writer.write(task.slots)
        writer.write(task.timeLimit)
        writer.write(task.attributes)
        writer.write(task.stdin)
        writer.write(task.successExitCode)
        return writer.bytes
    }

    init(task: TaskSpec, attempt: Int, stdout: String?, stderr: String?) {
        self.task = task
        self.attempt = attempt
        self.stdout = stdout
        self.stderr = stderr
    }

    init(decoding bytes: [UInt8]) throws(WireError) {
        var reader = WireReader(bytes)
        let position = try reader.readInt()
        let arrayIndex = try reader.readInt()
        attempt = try reader.readInt()
        let command: TaskCommand = try reader.readBool() ? .shell(try reader.readString()) : .argv(try reader.readStrings())
        let environment: TaskEnvironment
        switch try reader.readInt() {
        case 0: environment = .inherit(set: try reader.readDictionary())
        case 1: environment = .clean(set: try reader.readDictionary())
        default:
            let names = try reader.readStrings()
            environment = .inheritOnly(names: names, set: try reader.readDictionary())
        }
        let workingDirectory = try reader.readOptionalString()
        stdout = try reader.readOptionalString()
        stderr = try reader.readOptionalString()
        let slots = try reader.readInt()
        let timeLimit = try reader.readOptionalDouble()
        let attributes = try reader.readDictionary()
        let stdin = try reader.readOptionalString()
        let successExitCode = try reader.readOptionalInt()
        task = TaskSpec(position: position, arrayIndex: arrayIndex, command: command, environment: environment,
                        workingDirectory: workingDirectory, stdout: stdout, stderr: stderr, slots: slots,
                        timeLimit: timeLimit, source: SourceLocation(file: "", line: 0), label: "",
                        attributes: attributes)
        task.stdin = stdin
        task.successExitCode = successExitCode
    }
}
