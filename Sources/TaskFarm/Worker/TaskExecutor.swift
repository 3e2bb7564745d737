import CTaskSpawn
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JobSpec
import SystemPackage

/// Runs tasks as child processes on one worker: starts them with `tf_spawn` (a vfork +
/// exec that puts each task in its own process group with clean signals and descriptors),
/// notices their end through pidfds, enforces time limits, and reports each end with
/// its resource use from `wait4`.
///
/// Every task's process group is registered with a watchdog process, so that no task
/// outlives its worker, even when the worker is killed with SIGKILL.
final class TaskExecutor {
    struct Running {
        var assignment: TaskAssignment
        var pid: pid_t
        var pidDescriptor: Int32
        var startTime: Double
        var deadline: Double?
        /// When set, the task is being stopped for this reason.
        var stopping: TaskOutcome?
        var killAt: Double?
        /// The attempt's temporary folder, removed when it ends.
        var scratch: TaskScratch?
        /// Why `--enforce-memory` stopped it, for its completion.
        var memoryNote: String?
    }

    private let context: JobContext
    private let workerRank: Int
    private let host: String
    private let user: String
    private let environment: TaskEnvironmentBuilder
    /// Where per-task temporary folders go: the worker's `TMPDIR`, or `/tmp`.
    private let scratchBase: String
    private var lookup = ExecutableLookup()
    /// Whether each task's affinity is widened to every CPU, undoing mpirun's binding of the
    /// rank, which a task inherits. Read once: when the rank is not bound, the widening is a
    /// system call per task, made while the worker waits in `vfork`, that changes nothing.
    private let widensAffinity = !HostResources.affinityCoversEveryCPU
    private var files = OutputFiles()
    private var watchdog: Int32 = -1
    private(set) var running: [Running] = []
    private var readiness: [UInt8] = []
    /// When the resident sets of tasks with a memory request are next read
    /// (`--enforce-memory`), on the monotonic clock.
    private var nextMemoryCheck = 0.0
    /// Seconds between two readings of the tasks' resident sets.
    static let memoryCheckInterval = 0.5

    /// Slots held by running tasks.
    private(set) var usedSlots = 0

    /// A task attempt's output files, opened before it starts.
    private struct OpenedOutputs {
        var position: Int
        var attempt: Int
        var stdout: Int32
        var stderr: Int32
        /// Files created for the task, removed again if it is given back.
        var created: [String] = []
        /// Files that existed: emptied when the task starts, as opening with O_TRUNC would.
        var existing: [Int32] = []
    }
    /// The next task's outputs, opened while others run (see ``prepare(_:)``).
    private var prepared: OpenedOutputs?

    init(context: JobContext, workerRank: Int, host: String, user: String, environment: TaskEnvironmentBuilder) {
        self.context = context
        self.workerRank = workerRank
        self.host = host
        self.user = user
        self.environment = environment
        scratchBase = environment.inheritedValue("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var descriptor: Int32 = -1
        if tf_watchdog_start(&descriptor) == 0 { watchdog = descriptor }
    }

    deinit {
        if watchdog >= 0 { close(watchdog) }
    }

    // MARK: Starting

    /// Starts one attempt.
    ///
    /// - Returns: `nil` once the process runs, or the completion of an attempt that could
    ///   not start (program not found, output file not writable, argument list too long).
    func start(_ assignment: TaskAssignment) -> TaskCompletion? {
        let task = assignment.task
        let startTime = Clock.epochSeconds()
        let directory = workingDirectory(of: task)

        var extra = farmVariables(assignment)
        if let reason = task.attributes[MachinePlacement.failureAttribute] {
            return failure(assignment, startTime, exitCode: 126, message: reason)
        }
        var scratch: TaskScratch?
        if !task.attributes.isEmpty, TaskScratch.wanted(task.attributes) {
            switch TaskScratch.make(for: task, runID: context.runID, attempt: assignment.attempt, base: scratchBase,
                                     host: host) {
            case .failure(let error): return failure(assignment, startTime, exitCode: 126, message: error.message)
            case .success(let made):
                scratch = made
                extra += made.variables
            }
        }
        var started = false
        defer {
            if !started {
                scratch?.remove()
                discardPrepared(position: task.position)
            }
        }
        let taskEnvironment = environment.environment(for: task.environment, extra: extra)
        let argv = task.command.executedArgv
        let searchPath = taskEnvironment.value(of: "PATH")
        guard let program = argv.first, let path = lookup.resolve(program, searchPath: searchPath) else {
            return failure(assignment, startTime, exitCode: 127,
                           message: "\(argv.first ?? "(empty command)"): command not found in PATH")
        }

        let outputs: OpenedOutputs
        if let ahead = takePrepared(assignment) {
            outputs = ahead
        } else {
            switch openOutputs(assignment) {
            case .failure(let error): return failure(assignment, startTime, exitCode: 127, message: error.message)
            case .success(let opened): outputs = opened
            }
        }
        for descriptor in outputs.existing { files.truncate(descriptor) }
        let (stdoutDescriptor, stderrDescriptor) = (outputs.stdout, outputs.stderr)
        defer {
            files.close(stdoutDescriptor)
            if stderrDescriptor != stdoutDescriptor { files.close(stderrDescriptor) }
        }

        let stdinDescriptor: Int32
        switch openInput(assignment, directory: directory) {
        case .failure(let error): return failure(assignment, startTime, exitCode: 127, message: error.message)
        case .success(let descriptor): stdinDescriptor = descriptor
        }
        defer { if stdinDescriptor != files.nullDescriptor { close(stdinDescriptor) } }

        let pid: pid_t
        switch ProcessSpawn.start(path: path, argv: argv, environment: taskEnvironment, directory: directory,
                                  stdin: stdinDescriptor, stdout: stdoutDescriptor, stderr: stderrDescriptor,
                                  deathSignal: SIGKILL, widenAffinity: widensAffinity,
                                  bindCPUs: assignment.bind ? assignment.cpus : []) {
        case .success(let child): pid = child
        case .failure(let error):
            let (exitCode, message) = Self.startFailure(error.code, path: path, directory: directory)
            return failure(assignment, startTime, exitCode: exitCode, message: message)
        }
        if watchdog >= 0 { _ = tf_watchdog_add(watchdog, pid) }
        let pidDescriptor = tf_pidfd_open(pid)
        let now = Clock.monotonicSeconds()
        running.append(Running(assignment: assignment, pid: pid, pidDescriptor: pidDescriptor, startTime: startTime,
                               deadline: task.timeLimit.map { now + $0 }, stopping: nil, killAt: nil,
                               scratch: scratch))
        started = true
        usedSlots += task.slots
        return nil
    }

    /// The variables every task gets: the farm's `TASKFARM_*` (index, count, run id, attempt,
    /// worker rank and host), `OMP_NUM_THREADS` (the task's cores) and its GPUs'.
    private func farmVariables(_ assignment: TaskAssignment) -> [(String, String)] {
        let task = assignment.task
        return [
            ("TASKFARM_TASK_INDEX", String(task.arrayIndex)),
            ("TASKFARM_TASK_COUNT", String(context.taskCount)),
            ("TASKFARM_RUN_ID", String(context.runID)),
            ("TASKFARM_TASK_ATTEMPT", String(assignment.attempt)),
            ("TASKFARM_WORKER_RANK", String(workerRank)),
            ("TASKFARM_WORKER_HOST", host),
            ("OMP_NUM_THREADS", String(task.slots)),
        ] + Self.gpuVariables(assignment)
    }

    /// The task's standard input: its `input` file (HTCondor `input`, sbatch `--input`),
    /// relative to its folder, or `/dev/null`.
    private func openInput(_ assignment: TaskAssignment, directory: String) -> Result<Int32, CannotOpen> {
        guard let pattern = assignment.task.stdin else { return .success(files.nullDescriptor) }
        let file = Self.outputPath(pattern, outputValues(assignment).values)
        let absolute = file.hasPrefix("/") ? file : directory + "/" + file
        let descriptor = open(absolute, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            return .failure(CannotOpen(message: "cannot open input \(absolute): \(Errno(rawValue: errno).description)"))
        }
        return .success(descriptor)
    }

    /// The exit status (127 not found, else 126, as a shell gives) and the message for a
    /// program that could not start with `errno`. The child's `chdir` fails with the same
    /// errno as its exec: the folder is named when it is the culprit.
    static func startFailure(_ code: Int32, path: String, directory: String) -> (exitCode: Int, message: String) {
        if [ENOENT, ENOTDIR, EACCES].contains(code), let problem = folderProblem(directory) {
            return (126, "cannot start \(path): the working folder \(directory) \(problem)")
        }
        let detail = code == E2BIG ? " (the command line or environment exceeds the kernel's limit)" : ""
        return (code == ENOENT ? 127 : 126, "cannot start \(path): \(Errno(rawValue: code).description)\(detail)")
    }

    /// The variables that name a task's GPUs, by id, as each scheduler names them: CUDA's,
    /// ROCm's and HIP's `*_VISIBLE_DEVICES` and `GPU_DEVICE_ORDINAL` for every task (Slurm
    /// sets them all), and the format's own: Slurm's `SLURM_JOB_GPUS`/`SLURM_STEP_GPUS`,
    /// HTCondor's `_CONDOR_AssignedGPUs` (`CUDA0,CUDA1`). On a host with GPUs a task that
    /// holds none sees them empty, so it cannot take another task's. None elsewhere.
    ///
    /// Sources: Slurm gres.conf and sbatch "OUTPUT ENVIRONMENT VARIABLES"; HTCondor manual,
    /// "Jobs That Require GPUs".
    static func gpuVariables(_ assignment: TaskAssignment) -> [(String, String)] {
        guard assignment.hostHasGPUs || !assignment.gpus.isEmpty else { return [] }
        let list = assignment.gpus.joined(separator: ",")
        var variables = ["CUDA_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL"]
            .map { ($0, list) }
        let attributes = assignment.task.attributes
        if attributes["slurm.array_job_id"] != nil {
            variables += [("SLURM_JOB_GPUS", list), ("SLURM_STEP_GPUS", list)]
        }
        if attributes["condor.cluster"] != nil {
            let named = assignment.gpus.map { id in id.allSatisfy(\.isNumber) ? "CUDA" + id : id }
            variables.append(("_CONDOR_AssignedGPUs", named.joined(separator: ",")))
        }
        return variables
    }

    /// Why `directory` cannot be a task's working folder ("does not exist", "is not a
    /// folder", "cannot be entered"), or `nil` when it can.
    private static func folderProblem(_ directory: String) -> String? {
        var status = stat()
        guard stat(directory, &status) == 0 else { return "does not exist" }
        guard status.st_mode & S_IFMT == S_IFDIR else { return "is not a folder" }
        return access(directory, X_OK) == 0 ? nil : "cannot be entered (no search permission)"
    }

    private static func outputPath(_ pattern: String, _ values: OutputPattern.Values) -> String {
        let location = SourceLocation(file: "output", line: 0)
        return (try? OutputPattern(pattern, location: location))?.expand(values) ?? pattern
    }

    private func outputValues(_ assignment: TaskAssignment) -> (values: OutputPattern.Values, directory: String) {
        let task = assignment.task
        let values = OutputPattern.Values(runID: context.runID, arrayIndex: task.arrayIndex, host: host,
                                          jobName: context.jobName, user: user, attempt: assignment.attempt)
        return (values, workingDirectory(of: task))
    }

    /// Where `task` runs, and where its relative output paths start.
    private func workingDirectory(of task: TaskSpec) -> String {
        task.workingDirectory.map { $0.hasPrefix("/") ? $0 : context.workingDirectory + "/" + $0 } ?? context.workingDirectory
    }

    // MARK: Opening the next task's outputs ahead

    /// Opens the output files of `assignment`, the next task to start, while others run:
    /// creating a file takes a few hundred microseconds on a busy file system, which would
    /// otherwise fall between one task's end and the next one's start. Any failure is left
    /// for ``start(_:)`` to meet again and report.
    func prepare(_ assignment: TaskAssignment) {
        guard prepared?.position != assignment.task.position else { return }
        discardPrepared()
        if case .success(let opened) = openOutputs(assignment) { prepared = opened }
    }

    /// Opens an attempt's stdout and stderr (one file when they are the same), without
    /// emptying existing files yet.
    ///
    /// - Returns: the files, or why the task cannot start.
    private func openOutputs(_ assignment: TaskAssignment) -> Result<OpenedOutputs, CannotOpen> {
        let (values, directory) = outputValues(assignment)
        var outputs = OpenedOutputs(position: assignment.task.position, attempt: assignment.attempt,
                                    stdout: files.nullDescriptor, stderr: files.nullDescriptor)
        func open(_ pattern: String?, _ stream: String) throws(CannotOpen) -> Int32 {
            guard let pattern else { return files.nullDescriptor }
            switch files.openAhead(Self.outputPath(pattern, values), relativeTo: directory) {
            case .failure(let error):
                throw CannotOpen(message: "cannot open \(stream) \(error.path): \(error.message)")
            case .success(let opened):
                if let created = opened.created {
                    outputs.created.append(created)
                } else if opened.descriptor != files.nullDescriptor {
                    outputs.existing.append(opened.descriptor)
                }
                return opened.descriptor
            }
        }
        do throws(CannotOpen) {
            let task = assignment.task
            outputs.stdout = try open(task.stdout, "output")
            outputs.stderr = task.stderr == task.stdout ? outputs.stdout : try open(task.stderr, "error")
            return .success(outputs)
        } catch {
            release(outputs)
            return .failure(error)
        }
    }

    /// Why an attempt's output files could not be opened.
    private struct CannotOpen: Error {
        var message: String
    }

    /// Releases the files opened ahead for `position` (for any task when nil): closes them
    /// and removes those created for it, as for a task given back before it started.
    func discardPrepared(position: Int? = nil) {
        guard let ahead = prepared, position == nil || ahead.position == position else { return }
        prepared = nil
        release(ahead)
    }

    private func release(_ ahead: OpenedOutputs) {
        files.close(ahead.stdout)
        if ahead.stderr != ahead.stdout { files.close(ahead.stderr) }
        for path in ahead.created { unlink(path) }
    }

    /// The outputs opened ahead for this very attempt, if any.
    private func takePrepared(_ assignment: TaskAssignment) -> OpenedOutputs? {
        guard let ahead = prepared, ahead.position == assignment.task.position, ahead.attempt == assignment.attempt
        else { return nil }
        prepared = nil
        return ahead
    }

    private func failure(_ assignment: TaskAssignment, _ startTime: Double, exitCode: Int, message: String) -> TaskCompletion {
        TaskCompletion(position: assignment.task.position, attempt: assignment.attempt, workerRank: workerRank,
                       outcome: .failedToStart, exitCode: exitCode, startTime: startTime,
                       endTime: Clock.epochSeconds(), message: message)
    }

    // MARK: Waiting and reaping

    /// Waits up to `microseconds` (0: only checks) for a task to end, then reaps every
    /// task that has ended.
    func reap(waitingUpTo microseconds: Int) -> [TaskCompletion] {
        guard !running.isEmpty else {
            if microseconds > 0 { tf_sleep_microseconds(microseconds) }
            return []
        }
        var wait = microseconds
        if context.enforceMemory, running.contains(where: { $0.assignment.task.memoryMiB != nil }) {
            let until = Int(saturating: (nextMemoryCheck - Clock.monotonicSeconds()) * 1e6)
            wait = max(0, min(wait, until))
        }
        if let next = nextDeadline() {
            // Saturating: a deadline years away (or a corrupt one) must not trap the worker.
            let until = Int(saturating: (next - Clock.monotonicSeconds()) * 1e6)
            wait = max(0, min(wait, until))
        }
        let descriptors = running.map(\.pidDescriptor)
        if readiness.count < descriptors.count { readiness = Array(repeating: 0, count: descriptors.count) }
        let ready = descriptors.withUnsafeBufferPointer { fds in
            readiness.withUnsafeMutableBufferPointer { flags in
                tf_poll_fds(fds.baseAddress, Int32(fds.count), wait, flags.baseAddress)
            }
        }
        var completions: [TaskCompletion] = []
        if ready > 0 || descriptors.contains(-1) {
            var index = running.count - 1
            while index >= 0 {
                if (index < readiness.count && readiness[index] != 0) || running[index].pidDescriptor < 0,
                   let completion = collect(at: index) {
                    completions.append(completion)
                }
                index -= 1
            }
        }
        enforceDeadlines()
        enforceMemory()
        return completions.reversed()
    }

    private func nextDeadline() -> Double? {
        var earliest: Double?
        for task in running {
            for candidate in [task.deadline, task.killAt].compactMap({ $0 }) where earliest == nil || candidate < earliest! {
                earliest = candidate
            }
        }
        return earliest
    }

    /// Reaps the task at `index` if its process has exited; first kills whatever it left
    /// in its process group, while the exited leader still pins the group id.
    private func collect(at index: Int) -> TaskCompletion? {
        let task = running[index]
        _ = tf_kill_group(task.pid, SIGKILL)
        var status: Int32 = 0
        var usage = rusage()
        let result = tf_reap(task.pid, &status, &usage)
        guard result == task.pid else { return nil }
        if task.pidDescriptor >= 0 { close(task.pidDescriptor) }
        if watchdog >= 0 { _ = tf_watchdog_remove(watchdog, task.pid) }
        running.remove(at: index)
        usedSlots -= task.assignment.task.slots
        task.scratch?.remove()

        var outcome: TaskOutcome = .exited
        var exitCode: Int?
        var signal: Int?
        if tf_status_exited(status) != 0 {
            exitCode = Int(tf_status_exit_code(status))
        } else if tf_status_signaled(status) != 0 {
            signal = Int(tf_status_signal(status))
            outcome = .signaled
        }
        var message: String?
        if let stopping = task.stopping {
            outcome = stopping
            message = stopping == .timedOut ? "ran past its time limit of \(task.assignment.task.timeLimit ?? 0) s"
                : stopping == .memoryExceeded ? task.memoryNote : nil
            if stopping == .timedOut, signal == nil { signal = Int(SIGTERM) }
        }
        var completion = TaskCompletion(
            position: task.assignment.task.position, attempt: task.assignment.attempt, workerRank: workerRank,
            outcome: outcome, exitCode: exitCode, signal: signal, startTime: task.startTime,
            endTime: Clock.epochSeconds(),
            userSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            systemSeconds: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
            maxResidentKiB: Int(usage.ru_maxrss), message: message)
        completion.successExitCode = task.assignment.task.successExitCode
        return completion
    }

    // MARK: Stopping

    /// `--enforce-memory`: a task whose process group's resident set passes its request is
    /// stopped (SIGTERM, SIGKILL after the grace) and ends ``TaskOutcome/memoryExceeded``.
    private func enforceMemory() {
        guard context.enforceMemory else { return }
        let now = Clock.monotonicSeconds()
        guard now >= nextMemoryCheck else { return }
        nextMemoryCheck = now + Self.memoryCheckInterval
        for index in running.indices where running[index].stopping == nil {
            guard let limit = running[index].assignment.task.memoryMiB else { continue }
            let resident = ResidentMemory.bytes(ofGroup: running[index].pid)
            guard resident > limit * 1024 * 1024 else { continue }
            running[index].memoryNote = "its resident set, \(resident / (1024 * 1024)) MiB, passed its request of \(limit) MiB"
            stop(at: index, reason: .memoryExceeded, now: now)
        }
    }

    private func enforceDeadlines() {
        let now = Clock.monotonicSeconds()
        for index in running.indices {
            if let deadline = running[index].deadline, running[index].stopping == nil, now >= deadline {
                stop(at: index, reason: .timedOut, now: now)
            }
            if let killAt = running[index].killAt, now >= killAt {
                _ = tf_kill_group(running[index].pid, SIGKILL)
                running[index].killAt = nil
            }
        }
    }

    private func stop(at index: Int, reason: TaskOutcome, now: Double, grace: Double? = nil) {
        running[index].stopping = reason
        running[index].deadline = nil
        _ = tf_kill_group(running[index].pid, SIGTERM)
        running[index].killAt = now + (grace ?? context.killGrace)
    }

    /// Stops the running attempt of `position`: SIGTERM to its process group, SIGKILL
    /// after the kill grace. Its completion carries `reason`.
    /// - Returns: whether it was running here.
    @discardableResult
    func stop(position: Int, reason: TaskOutcome) -> Bool {
        guard let index = running.firstIndex(where: { $0.assignment.task.position == position }) else { return false }
        stop(at: index, reason: reason, now: Clock.monotonicSeconds())
        return true
    }

    /// Stops every running task for `reason`: SIGTERM now, SIGKILL after `grace` seconds
    /// (the kill grace when `nil`).
    func stopAll(reason: TaskOutcome, grace: Double? = nil) {
        let now = Clock.monotonicSeconds()
        for index in running.indices where running[index].stopping == nil {
            stop(at: index, reason: reason, now: now, grace: grace)
        }
    }
}
