import Foundation

/// What `taskfarm check FILE` prints: the expanded tasks, without running anything.
///
/// Both renderings list, per task: its position and array index, the argv that is
/// executed (``TaskCommand/executedArgv``), the environment differences (the base, and
/// the variables set on top of it), the output files, and the requirements.
public enum JobCheck {
    /// A text table: a header with the job, the environment shared by every task, then one
    /// row per task with `POS`, `INDEX`, `ARGV` (shell-quoted), `STDOUT`, `STDERR`, the
    /// variables that differ between tasks (`ENV`) and `REQUIREMENTS`.
    ///
    /// - Parameters:
    ///   - runID: expands `%A`/`%j` in output patterns.
    ///   - user: expands `%u`. `%N` (the worker's host) is shown as `%N`.
    public static func table(_ job: any Job, runID: Int = 1, user: String = "") -> String {
        let tasks = (0 ..< job.taskCount).map(job.task(at:))
        let shared = sharedEnvironment(tasks)
        var text = "job \(job.name) (\(job.file)): \(tasks.count) task\(tasks.count == 1 ? "" : "s")"
        if let limit = job.maxConcurrent { text += ", at most \(limit) at once" }
        text += "\n"
        if let first = tasks.first {
            text += "environment: \(baseDescription(first.environment))"
            if !shared.isEmpty {
                text += "; every task sets " + shared.sorted(by: { $0.key < $1.key })
                    .map { "\($0.key)=\(ShellQuoting.quote($0.value))" }.joined(separator: " ")
            }
            text += "\n"
        }
        var rows = [["POS", "INDEX", "ARGV", "STDOUT", "STDERR", "ENV", "REQUIREMENTS"]]
        for task in tasks {
            let own = task.environment.overrides.filter { shared[$0.key] != $0.value }
                .sorted(by: { $0.key < $1.key }).map { "\($0.key)=\(ShellQuoting.quote($0.value))" }
            rows.append([String(task.position), String(task.arrayIndex),
                         task.command.executedArgv.map(ShellQuoting.quote).joined(separator: " "),
                         outputFile(task.stdout, task: task, job: job, runID: runID, user: user) ?? "-",
                         outputFile(task.stderr, task: task, job: job, runID: runID, user: user) ?? "-",
                         own.isEmpty ? "-" : own.joined(separator: " "),
                         task.requirements ?? "-"])
        }
        let widths = (0 ..< rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            text += cells.joined(separator: "  ").trimmingBlanks + "\n"
        }
        return text
    }

    /// JSON: `{"name", "file", "taskCount", "maxConcurrent", "warnings": [...], "tasks":
    /// [{"position", "index", "argv", "environment": {"base", "names", "set"},
    /// "workingDirectory", "stdout", "stderr", "slots", "memoryMiB", "diskKiB",
    /// "timeLimit", "maxRetries", "requirements", "rank", "attributes"}]}`, keys sorted.
    public static func json(_ job: any Job, runID: Int = 1, user: String = "") -> String {
        let tasks = (0 ..< job.taskCount).map { position -> TaskReport in
            let task = job.task(at: position)
            var names: [String]?
            if case .inheritOnly(let only, _) = task.environment { names = only }
            return TaskReport(
                position: task.position, index: task.arrayIndex, argv: task.command.executedArgv,
                environment: EnvironmentReport(base: baseName(task.environment), names: names,
                                               set: task.environment.overrides),
                workingDirectory: task.workingDirectory,
                stdout: outputFile(task.stdout, task: task, job: job, runID: runID, user: user),
                stderr: outputFile(task.stderr, task: task, job: job, runID: runID, user: user),
                slots: task.slots, memoryMiB: task.memoryMiB, diskKiB: task.diskKiB, timeLimit: task.timeLimit,
                maxRetries: task.maxRetries, requirements: task.requirements, rank: task.rank,
                attributes: task.attributes)
        }
        let report = JobReport(name: job.name, file: job.file, taskCount: job.taskCount,
                               maxConcurrent: job.maxConcurrent, warnings: job.warnings.map(\.warningDescription),
                               tasks: tasks)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(report) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    struct JobReport: Encodable {
        var name: String
        var file: String
        var taskCount: Int
        var maxConcurrent: Int?
        var warnings: [String]
        var tasks: [TaskReport]
    }

    struct EnvironmentReport: Encodable {
        var base: String
        var names: [String]?
        var set: [String: String]
    }

    struct TaskReport: Encodable {
        var position: Int
        var index: Int
        var argv: [String]
        var environment: EnvironmentReport
        var workingDirectory: String?
        var stdout: String?
        var stderr: String?
        var slots: Int
        var memoryMiB: Int?
        var diskKiB: Int?
        var timeLimit: Double?
        var maxRetries: Int?
        var requirements: String?
        var rank: String?
        var attributes: [String: String]
    }

    /// An output pattern expanded for `task`; `%N` stays `%N` (known only on the worker).
    static func outputFile(_ pattern: String?, task: TaskSpec, job: any Job, runID: Int, user: String) -> String? {
        guard let pattern else { return nil }
        let values = OutputPattern.Values(runID: runID, arrayIndex: task.arrayIndex, host: "%N",
                                          jobName: job.name, user: user)
        let checked = try? OutputPattern(pattern, location: SourceLocation(file: job.file, line: 0))
        return checked?.expand(values) ?? pattern
    }

    /// The variables every task sets to the same value.
    static func sharedEnvironment(_ tasks: [TaskSpec]) -> [String: String] {
        guard var shared = tasks.first?.environment.overrides else { return [:] }
        for task in tasks.dropFirst() {
            let overrides = task.environment.overrides
            shared = shared.filter { overrides[$0.key] == $0.value }
        }
        return shared
    }

    static func baseName(_ environment: TaskEnvironment) -> String {
        switch environment {
        case .inherit: return "inherit"
        case .clean: return "clean"
        case .inheritOnly: return "inheritOnly"
        }
    }

    static func baseDescription(_ environment: TaskEnvironment) -> String {
        switch environment {
        case .inherit: return "the worker's environment"
        case .clean: return "empty (only what is set)"
        case .inheritOnly(let names, _): return "only " + names.joined(separator: " ") + " from the worker"
        }
    }
}
