import Foundation
import Glibc

/// Shows a run's progress on rank 0's standard error, driven by a timer, never per task:
/// as a recorder it only adds to counters, and as a role of rank 0's loop it writes at most
/// once a second.
///
/// - On a terminal (``TerminalCheck``) or with `--progress`: one line, redrawn in place
///   (`\r` and "erase line") at most once a second, and erased at the end, like GNU
///   parallel's `--bar`.
/// - Otherwise (a batch log): one summary line every `--progress-interval` seconds (60 by
///   default; 0 turns it off), like HyperQueue's periodic server log line.
final class ProgressReporter: RunRecorder, RankRole {
    /// How progress is shown.
    enum Mode: Equatable {
        /// A line redrawn in place.
        case line
        /// A summary line every `interval` seconds.
        case summaries(interval: Double)
    }

    private let mode: Mode
    private let write: (String) -> Void
    private var meter: ProgressMeter
    private var counts: ProgressMeter.Counts
    /// Attempts handed out and not ended, prefetched ones included.
    /// Positions whose attempt the worker reported started and that have not ended: a
    /// prefetched task counts only once it really runs.
    private var running = Set<Int>()
    /// Slots of the whole pool; running attempts never exceed it.
    private var slots = Int.max
    private var nextOutput: Double
    private var lineShown = false

    /// - Parameters:
    ///   - mode: a redrawn line or periodic summaries.
    ///   - total: tasks in the job.
    ///   - done, failed: tasks already ended at the start (a resume's skipped ones).
    ///   - now: the start, in ``Clock/monotonicSeconds()``.
    ///   - write: where text goes (rank 0's standard error).
    init(mode: Mode, total: Int, done: Int, failed: Int, now: Double,
         write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.mode = mode
        self.write = write
        meter = ProgressMeter(start: now, endedAtStart: done + failed)
        counts = ProgressMeter.Counts(done: done, failed: failed, running: 0, total: total)
        switch mode {
        case .line: nextOutput = now + 1
        case .summaries(let interval): nextOutput = now + interval
        }
    }

    /// The reporter `--progress`, `--no-progress` and `--progress-interval` ask for, or
    /// `nil` when nothing is to be shown.
    static func mode(forced: Bool?, interval: Double, terminal: () -> Bool) -> Mode? {
        switch forced {
        case true?: return .line
        case false?: return nil
        case nil: return terminal() ? .line : interval > 0 ? .summaries(interval: interval) : nil
        }
    }

    // MARK: Counting (per task: additions only)

    func workersKnown(_ workers: [WorkerAd]) { slots = workers.reduce(0) { $0 + $1.slots } }

    func taskStarted(position: Int, attempt: Int, worker: WorkerAd, time: Double) { running.insert(position) }

    func taskRetrying(position: Int, completion: TaskCompletion) { running.remove(position) }

    func taskReturned(position: Int, attempt: Int) { running.remove(position) }

    func taskEnded(position: Int, state: TaskState, completion: TaskCompletion, worker: WorkerAd?) {
        running.remove(position)
        switch state {
        case .succeeded: counts.done += 1
        case .failed, .timedOut, .cancelled, .memoryExceeded: counts.failed += 1
        case .pending, .running, .interrupted: break
        }
    }

    func taskUnrunnable(position: Int, reason: String) { counts.failed += 1 }

    // MARK: Showing (timer-driven)

    var tags: Set<MessageTag> { [] }
    func handle(_ envelope: Envelope) throws {}
    var isFinished: Bool { true }

    func step() throws -> Bool {
        let now = Clock.monotonicSeconds()
        guard now >= nextOutput else { return false }
        counts.running = min(running.count, max(slots, 1))
        meter.record(now: now, ended: counts.done + counts.failed)
        let text = meter.line(counts, now: now)
        switch mode {
        case .line:
            ProgressLineOnScreen.drawn { write("\r\u{1B}[K" + "taskfarm: " + text) }
            lineShown = true
            nextOutput = now + 1
        case .summaries(let interval):
            write("taskfarm: progress: " + text + "\n")
            nextOutput = now + interval
        }
        return false
    }

    /// Erases the line, so the summary that follows starts on a clean line. Under `mpirun`,
    /// standard error and standard output reach the terminal through separate pipes: a
    /// short pause lets the erasure arrive before the summary does.
    func finish() {
        guard lineShown else { return }
        ProgressLineOnScreen.erase { write("\r\u{1B}[K") }
        lineShown = false
        if isatty(STDERR_FILENO) == 0 { usleep(100_000) }
    }
}

/// Whether a progress line stands on the terminal now, so that anything else written to
/// standard error (a log message) first erases it instead of running on after it; the next
/// timer tick draws the line again below.
public enum ProgressLineOnScreen {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var shown = false

    /// Erases the line if one is shown: call before writing anything else to standard error.
    public static func clearForOtherOutput() {
        erase { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// Runs `draw` and notes that a line is shown.
    static func drawn(_ draw: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        draw()
        shown = true
    }

    /// Runs `wipe` if a line is shown, and notes that none is.
    static func erase(_ wipe: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard shown else { return }
        wipe()
        shown = false
    }
}

/// Whether the person who started the run watches a terminal.
enum TerminalCheck {
    /// Whether standard error reaches a terminal. Under `mpirun` a rank's standard error is a
    /// pipe to `mpirun`, which copies it to its own: then `mpirun`'s (rank 0's parent's)
    /// standard error decides.
    static func standardErrorIsTerminal(environment: [String: String]) -> Bool {
        if isatty(STDERR_FILENO) != 0 { return true }
        guard environment["OMPI_COMM_WORLD_RANK"] != nil || environment["PMIX_RANK"] != nil else { return false }
        var buffer = [CChar](repeating: 0, count: 256)
        let length = readlink("/proc/\(getppid())/fd/2", &buffer, buffer.count - 1)
        guard length > 0 else { return false }
        let target = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.hasPrefix("/dev/pts/") || target.hasPrefix("/dev/tty")
    }
}
