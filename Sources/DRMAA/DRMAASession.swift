import Foundation
import JobSpec
import TaskFarm

/// The one DRMAA session of a process: a client of the served farm named by the contact
/// string (a connection file; default `TASKFARM_CONNECTION`, else `./taskfarm.connection`),
/// the jobs this session submitted, and those already reaped by `drmaa_wait`.
final class DRMAASession: @unchecked Sendable {
    /// The active session, if any.
    nonisolated(unsafe) static var active: DRMAASession?
    /// Guards ``active`` and every session's state and client.
    static let lock = NSLock()

    let contact: String
    private let client: QueueClient
    private var jobs: [Int] = []
    private var reaped = Set<Int>()
    /// Seconds between looks at the queue while waiting.
    static let pollInterval = 0.1

    /// The default contact: the connection file the front ends use.
    static var defaultContact: String { ConnectionFile.clientDefaultPath }

    /// Opens a session on the farm `contact` names, checking that it answers.
    ///
    /// - Throws: ``DRMAAFailure`` `DRMAA_ERRNO_INVALID_CONTACT_STRING` for a missing or bad
    ///   connection file, `DRMAA_ERRNO_DRMS_INIT_FAILED` when the farm does not answer,
    ///   `DRMAA_ERRNO_AUTH_FAILURE` for a refused token.
    init(contact: String?) throws(DRMAAFailure) {
        self.contact = contact.flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultContact
        do {
            client = try QueueClient(connectionFile: self.contact)
        } catch {
            throw DRMAAFailure(error.kind == .notPermitted ? .authFailure : .invalidContactString, error.message)
        }
        do {
            _ = try client.tasks([])
        } catch {
            throw DRMAAFailure(error.kind == .notPermitted ? .authFailure : .drmsInitFailed, error.message)
        }
    }

    /// One request to the farm, under the lock; a client error becomes DRMAA's.
    private func request<Answer>(_ body: (QueueClient) throws(ClientError) -> Answer) throws(DRMAAFailure) -> Answer {
        Self.lock.lock()
        defer { Self.lock.unlock() }
        do {
            return try body(client)
        } catch {
            switch error.kind {
            case .invalid: throw DRMAAFailure(.invalidJob, error.message)
            case .notPermitted: throw DRMAAFailure(.authFailure, error.message)
            case .tryLater: throw DRMAAFailure(.tryLater, error.message)
            default: throw DRMAAFailure(.drmCommunicationFailure, error.message)
            }
        }
    }

    /// Submits the template once (`indices` nil) or for each bulk index; returns the job ids.
    func run(_ template: DRMAAJobTemplate, indices: [Int]?) throws(DRMAAFailure) -> [Int] {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        var specs: [TaskSpec] = []
        for index in indices ?? [0] {
            specs.append(try template.task(index: indices == nil ? nil : index, home: home, native: Self.native))
        }
        let name = template.scalars["drmaa_job_name"] ?? specs[0].label
        let ids: [Int]
        do {
            ids = try request { client throws(ClientError) in
                do {
                    return try FrontEndSubmission.submit(client) { first in
                        FrontEndSubmission.tasks(FrontEndJob.stamp(specs, scheduler: .drmaa, first: first, name: name,
                                                                   isArray: indices != nil), parents: [])
                    }
                } catch let error as ClientError {
                    throw error
                } catch {
                    throw ClientError("\(error)", kind: .invalid)
                }
            }
        } catch where error.code == .invalidJob {
            throw DRMAAFailure(.deniedByDRM, error.diagnosis)
        }
        Self.lock.withLock { jobs += ids }
        return ids
    }

    /// The native specification read as sbatch options, by the Slurm script parser.
    static func native(_ text: String) throws(DRMAAFailure) -> TaskSpec? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        guard !words.isEmpty else { return nil }
        var options = JobLoadOptions(runID: 0, environment: ProcessInfo.processInfo.environment,
                                     workingDirectory: FileManager.default.currentDirectoryPath)
        options.batchOptions = words
        do {
            let script = try SlurmScript(text: "#!/bin/sh\n", file: "drmaa_native_specification", options: options)
            return script.job.task(at: 0)
        } catch {
            throw DRMAAFailure(.invalidAttributeValue, "drmaa_native_specification: \(error.message)")
        }
    }

    /// The queue id of `text`, a job id as the session gives them: the task's queue id + 1,
    /// so that a one-task job's id is the job number qstat, squeue and condor_q show.
    func jobID(_ text: String) throws(DRMAAFailure) -> Int {
        guard let number = Int(text), let id = FrontEndJob.queueID(ofNumber: number) else {
            throw DRMAAFailure(.invalidJob, "'\(text)' is not a job id")
        }
        return id
    }

    /// The job id the session gives for queue id `id` (``jobID(_:)`` reads it back).
    static func jobText(_ id: Int) -> String { String(FrontEndJob.number(ofQueueID: id)) }

    /// The session's jobs not yet reaped.
    var openJobs: [Int] { Self.lock.withLock { jobs.filter { !reaped.contains($0) } } }

    /// How the tasks `ids` stand now.
    func tasks(_ ids: [Int]) throws(DRMAAFailure) -> [QueuedTask] {
        try request { client throws(ClientError) in try client.tasks(ids).tasks }
    }

    /// `drmaa_job_ps`.
    func state(of id: Int) throws(DRMAAFailure) -> DRMAAJobState {
        guard let task = try tasks([id]).first else { throw DRMAAFailure(.invalidJob) }
        switch task.state {
        case "pending", "interrupted": return .queuedActive
        case "held": return .systemOnHold
        case "running": return .running
        // DRMAA's DONE is a job that ran to its exit, whatever its exit status (read by
        // drmaa_wait); FAILED one that did not: killed, timed out, removed, never started.
        case "succeeded": return .done
        case "failed" where task.end?.exitCode != nil: return .done
        case "failed", "timed out", "memory exceeded", "cancelled": return .failed
        default: return .undetermined
        }
    }

    /// Waits until one of `ids` has ended (`any`) or all have; `timeout` in seconds, -1 forever.
    ///
    /// - Returns: the ended tasks.
    /// - Throws: ``DRMAAFailure`` `DRMAA_ERRNO_EXIT_TIMEOUT` when the time ran out first.
    func wait(for ids: [Int], any: Bool, timeout: Int) throws(DRMAAFailure) -> [QueuedTask] {
        let deadline = timeout < 0 ? nil : Date().addingTimeInterval(Double(timeout))
        while true {
            let listing = try tasks(ids)
            let ended = listing.filter(\.hasEnded)
            if any ? !ended.isEmpty : ended.count == listing.count { return ended }
            if let deadline, Date() >= deadline { throw DRMAAFailure(.exitTimeout) }
            Thread.sleep(forTimeInterval: Self.pollInterval)
        }
    }

    /// Marks `ids` reaped: `drmaa_wait` no longer returns them.
    func reap(_ ids: [Int]) { Self.lock.withLock { reaped.formUnion(ids) } }

    /// Whether the session submitted `id` and has not reaped it.
    func isOpen(_ id: Int) -> Bool { Self.lock.withLock { jobs.contains(id) && !reaped.contains(id) } }

    /// Cancels `ids`.
    func cancel(_ ids: [Int]) throws(DRMAAFailure) {
        _ = try request { client throws(ClientError) in try client.cancel(ids) }
    }
}

/// The `stat` of `drmaa_wait`: a wait status as `waitpid` gives it (exit code in bits 8-15,
/// signal in bits 0-6), and bit 16 for a job that ended without running to an exit
/// (cancelled, or it could not start): `drmaa_wifaborted`.
enum DRMAAStatus {
    static let abortedBit: Int32 = 1 << 16

    static func encode(_ task: QueuedTask) -> Int32 {
        if let code = task.end?.exitCode, task.state != "cancelled" { return Int32(code & 0xff) << 8 }
        if let signal = task.end?.signal { return Int32(signal & 0x7f) }
        return abortedBit
    }

    static func aborted(_ stat: Int32) -> Bool { stat & abortedBit != 0 }
    static func exited(_ stat: Int32) -> Bool { !aborted(stat) && stat & 0x7f == 0 }
    static func signaled(_ stat: Int32) -> Bool { !aborted(stat) && stat & 0x7f != 0 }
    static func exitStatus(_ stat: Int32) -> Int32 { (stat >> 8) & 0xff }
    static func signal(_ stat: Int32) -> Int32 { stat & 0x7f }

    /// The signal's name, as DRMAA gives it (`SIGKILL`).
    static func signalName(_ number: Int32) -> String {
        let names: [Int32: String] = [1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS",
                                      8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2",
                                      13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 24: "SIGXCPU", 25: "SIGXFSZ"]
        return names[number] ?? "SIG\(number)"
    }
}
