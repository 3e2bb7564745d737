import Foundation
import JobSpec

/// What the farm does with a job once its file is read, done on the fuzzer's jobs: build the
/// tasks `run` hands out and `check` prints, their argv, output files and prerequisites,
/// and the JSON a served queue journals.
public enum JobExercise {
    /// The options every job target loads with: fixed ids, a small environment, and
    /// ``FuzzInput/scratchFolder`` as the working directory.
    public static let options: JobLoadOptions = {
        var options = JobLoadOptions(runID: 7, environment: ["HOME": "/home/fuzz", "USER": "fuzz", "PATH": "/usr/bin:/bin",
                                                             "SLURM_JOB_ID": "99", "PBS_JOBID": "99.server"],
                                     workingDirectory: FuzzInput.scratchFolder, hostname: "node01")
        // `run` allows half the memory available; the fuzzer's RSS limit is 2 GiB.
        options.expansionBudgetBytes = 256 << 20
        return options
    }()

    /// The job file target for one format: the input read as the loader reads `file` (a batch
    /// script for `submitter`, when given), parsed with `parse`, and its job run through ``run(_:)``.
    public static func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int, file: String, submitter: String? = nil,
                            parse: (String) throws(JobSpecError) -> any Job) -> CInt {
        guard let text = FuzzInput.jobText(data, size, file: file, submitter: submitter),
              let job = try? parse(text) else { return 0 }
        run(job)
        return 0
    }

    /// The tasks looked at: the first and last few (jobs may hold millions of tasks, built on
    /// demand), few enough to keep the fuzzer fast.
    static let edge = 4

    /// Builds and renders the tasks of `job` as `check` and `run` would; traps (a finding)
    /// when a task does not survive the JSON round trip of a served queue's journal.
    public static func run(_ job: any Job) {
        let count = job.taskCount
        precondition(count >= 0, "a negative task count")
        let positions = count <= 2 * edge ? Array(0..<count) : Array(0..<edge) + Array(count - edge ..< count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for position in positions {
            let task = job.task(at: position)
            _ = task.command.executedArgv
            _ = task.command.displayString
            _ = job.prerequisites(of: position).count
            for pattern in [task.stdout, task.stderr].compactMap({ $0 }) {
                if let output = try? OutputPattern(pattern, location: task.source) {
                    _ = output.expand(.init(runID: 7, arrayIndex: task.arrayIndex, host: "node01", jobName: job.name,
                                            user: "fuzz", attempt: 2))
                }
            }
            guard let json = try? encoder.encode(task) else { fatalError("task \(position) cannot be encoded as JSON") }
            guard let back = try? JSONDecoder().decode(TaskSpec.self, from: json) else {
                fatalError("task \(position)'s JSON cannot be decoded: \(String(decoding: json, as: UTF8.self))")
            }
            // NaN is never equal to itself; the limits refuse it, so it is no finding here.
            if back != task, task.timeLimit.map({ !$0.isNaN }) ?? true {
                fatalError("task \(position) changed in the JSON round trip: \(String(decoding: json, as: UTF8.self))")
            }
        }
        for warning in job.warnings { _ = warning.description }
        _ = job.maxConcurrent
        if count <= 2 * edge {
            _ = JobCheck.table(job, runID: 7, user: "fuzz")
            _ = JobCheck.json(job, runID: 7, user: "fuzz")
        }
    }
}
