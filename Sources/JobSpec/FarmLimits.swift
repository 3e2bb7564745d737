/// The largest values the farm accepts, and the one check every edge (command line, job
/// file, queue submission, journal replay) applies to them, so that no accepted value can
/// overflow a conversion later.
///
/// | value | accepted | why this maximum |
/// |---|---|---|
/// | a duration (`--timeout`, `--kill-grace`, `--walltime`, `--task-time`, `--time`, `walltime`, `allowed_job_duration`) | finite seconds, 0 ... 365 days | Slurm caps time limits at 365 days (`INFINITE` aside) |
/// | retries (`--retries`, `max_retries`, DAG `RETRY`) | 0 ... 10,000 | an attempt number must fit the scheduler's counters; GNU parallel and HTCondor set no maximum |
/// | slots: a task's (`--cpus-per-task`, `ncpus`, `ppn`, `request_cpus`) and `--slots-per-worker` | 1 ... 65,536 | no node has more cores; keeps slot arithmetic far from overflow |
/// | `--prefetch` | 0 ... 1,024 per slot | |
/// | a job array (`--array`, `-J`, `-t`) | at most 1,000,000 indices, each 0 ... 2,147,483,647 | Slurm's `MaxArraySize` (at most 4,000,001) and PBS Pro's `max_array_size`; indices are 32-bit in Slurm, PBS and Torque |
///
/// Sources: Slurm slurm.conf (`MaxArraySize`), sbatch `--time`; PBS Pro reference
/// (`max_array_size`).
public enum FarmLimits {
    /// The longest duration accepted anywhere, in seconds: 365 days.
    public static let maximumDurationSeconds: Double = 365 * 86_400

    /// The most retries a task may have after its first attempt.
    public static let maximumRetries = 10_000

    /// The most slots a task may ask for, and a worker may offer.
    public static let maximumSlots = 65_536

    /// The most tasks a worker may hold queued per slot (`--prefetch`).
    public static let maximumPrefetch = 1_024

    /// What is wrong with `count` as a number of slots, or `nil` (1 ... ``maximumSlots``).
    public static func slotsProblem(_ count: Int) -> String? {
        (1...maximumSlots).contains(count) ? nil : slotsExpectation
    }

    /// "a number of slots from 1 to 65536".
    public static var slotsExpectation: String { "a number of slots from 1 to \(maximumSlots)" }

    /// The most indices one job array may have.
    public static let maximumArrayIndices = 1_000_000

    /// The most procs one submit description may make: each is expanded once when the file
    /// is read (about 10 s per million here), and made again when it runs.
    public static let maximumSubmitProcs = 10_000_000

    /// The largest array index.
    public static let maximumArrayIndex = Int(Int32.max)

    /// What is wrong with `seconds` as a duration, or `nil` when it is accepted: a finite
    /// number from 0 (above 0 when `allowsZero` is false) to ``maximumDurationSeconds``.
    /// The text completes "expected ..." and names the maximum.
    public static func durationProblem(_ seconds: Double, allowsZero: Bool = false) -> String? {
        let accepted = seconds.isFinite && (allowsZero ? seconds >= 0 : seconds > 0) && seconds <= maximumDurationSeconds
        return accepted ? nil : durationExpectation(allowsZero: allowsZero)
    }

    /// "a number of seconds above 0 and at most 31536000 (365 days)" (or "from 0 to ...").
    public static func durationExpectation(allowsZero: Bool = false) -> String {
        (allowsZero ? "a number of seconds from 0 to " : "a number of seconds above 0 and at most ")
            + "\(Int(maximumDurationSeconds)) (365 days)"
    }

    /// What is wrong with `count` as a number of retries, or `nil` when it is accepted
    /// (0 ... ``maximumRetries``).
    public static func retriesProblem(_ count: Int) -> String? {
        (0...maximumRetries).contains(count) ? nil : retriesExpectation
    }

    /// "a number of retries from 0 to 10000".
    public static var retriesExpectation: String { "a number of retries from 0 to \(maximumRetries)" }

    /// The first value of `task` the farm cannot run with (a time limit or a retry count
    /// past its limits, fewer than 1 slot, a negative memory or disk request), in words, or
    /// `nil`. Applied to tasks that arrive already built: queue submissions and tasks read
    /// back from a journal.
    public static func problem(in task: TaskSpec) -> String? {
        if let limit = task.timeLimit, let expected = durationProblem(limit) {
            return "timeLimit \(limit): expected \(expected)"
        }
        if let retries = task.maxRetries, let expected = retriesProblem(retries) {
            return "maxRetries \(retries): expected \(expected)"
        }
        if let expected = slotsProblem(task.slots) { return "slots \(task.slots): expected \(expected)" }
        if let memory = task.memoryMiB, memory < 0 { return "memoryMiB \(memory): expected 0 or more" }
        if let disk = task.diskKiB, disk < 0 { return "diskKiB \(disk): expected 0 or more" }
        if task.arrayIndex < 0 { return "arrayIndex \(task.arrayIndex): expected 0 or more" }
        return nil
    }
}
