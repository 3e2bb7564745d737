import JobSpec

/// One attempt of one task, as the scheduler hands it to a worker.
struct TaskAssignment: Sendable, Equatable {
    var task: TaskSpec
    /// 1 for the first attempt: `TASKFARM_TASK_ATTEMPT` and `%s`.
    var attempt: Int
    /// The CPU numbers the task holds on its host (``ResourceGrant/cpus``): the worker starts
    /// it only once none of them is held by a task running there, and with `bind` pins it to them.
    var cpus: [Int] = []
    /// The GPU ids the task holds, given to it as `CUDA_VISIBLE_DEVICES` and its format's variables.
    var gpus: [String] = []
    /// Whether the host knows its GPUs (the task then sees an empty `CUDA_VISIBLE_DEVICES`
    /// when it holds none, so it cannot use another task's).
    var hostHasGPUs = false
    /// Whether to pin the task to ``cpus`` (`--bind`, on a host whose CPU numbers are real).
    var bind = false
}

extension TaskAssignment: WireMessage {
    var encodedSizeHint: Int { 128 }

    func write(to writer: inout WireWriter) {
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
        writer.write(task.workingDirectory, task.stdout, task.stderr, task.slots, task.timeLimit, task.attributes,
                     task.stdin, task.successExitCode)
        writer.write(UInt64(cpus.count))
        for cpu in cpus { writer.write(cpu) }
        writer.write(gpus)
        writer.write(hostHasGPUs)
        writer.write(bind)
        writer.write(task.memoryMiB)
    }

    init(from reader: inout WireReader) throws(WireError) {
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
        let stdout = try reader.readOptionalString()
        let stderr = try reader.readOptionalString()
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
        let cpuCount = try reader.readCount()
        cpus = []
        cpus.reserveCapacity(cpuCount)
        for _ in 0..<cpuCount { cpus.append(try reader.readInt()) }
        gpus = try reader.readStrings()
        hostHasGPUs = try reader.readBool()
        bind = try reader.readBool()
        task.memoryMiB = try reader.readOptionalInt()
        task.gpus = gpus.isEmpty ? nil : gpus.count
    }
}
