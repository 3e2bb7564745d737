import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hands out new run ids (`$(Cluster)`, `%A`, `SLURM_ARRAY_JOB_ID` inside the farm) the way
/// a batch system hands out job ids: each new run gets a number no earlier run of this user
/// on this host (or sharing this home folder) got, so that two jobs started in the same
/// second never write the same `slurm-%A_%a.out`.
///
/// The last id given is kept in `$XDG_STATE_HOME/taskfarm/last-run-id` (default
/// `~/.local/state/taskfarm/last-run-id`), read and written under `flock(2)`. A new id is
/// the larger of the last one plus 1 and a clock-based id (seconds since the epoch, mod
/// 9,000,000, plus 1,000,000: 7 digits, as Slurm's job ids), so ids keep rising even when
/// the file is removed. Where the file cannot be used (no `HOME`, or one that does not exist:
/// it is never created), the clock-based id is mixed with the process id instead.
enum RunIDSequence {
    /// A new run id (a positive integer of 7 or more digits).
    static func next(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        let clock = Int(Date().timeIntervalSince1970) % 9_000_000 + 1_000_000
        guard let file = sequenceFile(environment: environment),
              let id = update(file, { max(clock, ($0 ?? 0) + 1) }) else { return fallback(clock) }
        return id
    }

    /// Makes sure no later ``next(environment:)`` gives an id up to `last`: a run whose
    /// tasks name job ids `runID ..< runID + count` (``Job/jobIDsUsed``) reserves them.
    /// Nothing happens where the sequence file cannot be used.
    static func reserve(through last: Int, environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let file = sequenceFile(environment: environment) else { return }
        update(file) { max($0 ?? 0, last) }
    }

    /// Reads the last id under the file's lock, writes `change(last)` back and returns it;
    /// `nil` when the file cannot be read or written.
    @discardableResult
    private static func update(_ file: String, _ change: (Int?) -> Int) -> Int? {
        let descriptor = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { return nil }
        defer { _ = flock(descriptor, LOCK_UN) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        let last = count > 0 ? Int(String(decoding: buffer.prefix(count), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)) : nil
        let id = change(last)
        let text = Array("\(id)\n".utf8)
        guard ftruncate(descriptor, 0) == 0, pwrite(descriptor, text, text.count, 0) == text.count else { return nil }
        return id
    }

    private static func sequenceFile(environment: [String: String]) -> String? {
        let base: String
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            base = state
        } else if let home = environment["HOME"], home.hasPrefix("/"), FileManager.default.fileExists(atPath: home) {
            base = home + "/.local/state"
        } else {
            return nil
        }
        let folder = base + "/taskfarm"
        guard (try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)) != nil
        else { return nil }
        return folder + "/last-run-id"
    }

    /// Without the sequence file: the clock-based id made distinct per process.
    private static func fallback(_ clock: Int) -> Int {
        clock * 100 + Int(getpid()) % 100
    }
}
