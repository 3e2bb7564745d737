import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JobSpec
import SystemPackage

/// Writes HTCondor job event logs ("user logs") for the tasks whose submit description
/// names a `log` (attribute `condor.log`), so that `condor_wait`, DAGMan and
/// `htcondor2.JobEventLog` can follow the farm's tasks.
///
/// Events: 000 for every task to run, when the run starts; 001 when an attempt starts;
/// 005 when a task ends by exiting (`Normal termination (return value N)`) or by a signal
/// (`Abnormal termination (signal N)`, timeouts included); 009 when it is cancelled,
/// cannot start, or can never run. A retry writes no event: the next attempt's 001
/// follows. A task interrupted by the farm's own stop writes nothing; it runs on resume.
///
/// Several tasks usually share one log: each distinct file is opened once for appending,
/// through one buffered stream, and made durable by ``flush()``.
///
/// DAG jobs are left out: their nodes' logs belong to the DAG runtime.
///
/// Source: HTCondor manual, "Job Event Log Codes" and condor_submit `log`.
final class EventLogRecorder: RunRecorder {
    private let job: any Job
    /// Per position: the index of its log in `streams`, or -1.
    private var logOf: [Int32]
    private var streams: [UnsafeMutablePointer<FILE>?] = []
    private var paths: [String] = []
    private(set) var problems: [String] = []

    /// Opens every log named by the job's tasks and writes event 000 for each task that
    /// will run in this run. Returns `nil` when no task names a log.
    ///
    /// - Parameters:
    ///   - initialStates: the tasks' states at the start (a resume), or `nil` for a new run.
    ///   - submitHost: the host `taskfarm` runs on, for `Job submitted from host:`.
    init?(job: any Job, initialStates: [TaskState]?, submitHost: String) {
        // DAG nodes all expand with the run id as their cluster, so their ids would collide;
        // a DAG's node logs are the DAG runtime's to write.
        guard !(job is TaskList), !(job is ArrayJob), !(job is DAGJob), job.taskCount > 0 else { return nil }
        self.job = job
        logOf = [Int32](repeating: -1, count: job.taskCount)
        var indexByPath: [String: Int32] = [:]
        for position in 0..<job.taskCount {
            guard let path = job.task(at: position).attributes["condor.log"] else { continue }
            if let index = indexByPath[path] {
                logOf[position] = index
                continue
            }
            let stream = fopen(path, "a")
            if stream == nil {
                problems.append("cannot open the event log \(path): \(Errno(rawValue: errno).description)")
            }
            streams.append(stream)
            paths.append(path)
            indexByPath[path] = Int32(streams.count - 1)
            logOf[position] = Int32(streams.count - 1)
        }
        guard !streams.isEmpty else { return nil }
        let now = Date()
        let host = "<\(submitHost)>"
        for position in 0..<job.taskCount where logOf[position] >= 0 {
            if let states = initialStates, position < states.count, states[position].isFinal { continue }
            write(position, UserLogEvent.submitted(jobID(position), at: now, host: host))
        }
    }

    deinit {
        for stream in streams where stream != nil { fclose(stream) }
    }

    /// The attempt whose executing event was written, by position, while it runs.
    private var executingWritten: [Int: Int] = [:]

    func taskStarted(position: Int, attempt: Int, worker: WorkerAd, time: Double) {
        guard logOf[position] >= 0 else { return }
        // A prefetched task given back and handed to another worker keeps its attempt
        // number: one executing event per attempt.
        guard executingWritten[position] != attempt else { return }
        executingWritten[position] = attempt
        write(position, UserLogEvent.executing(jobID(position), at: Date(timeIntervalSince1970: time), host: "<\(worker.host)>",
                                               slotName: "slot\(worker.rank)@\(worker.host)"))
    }

    func taskEnded(position: Int, state: TaskState, completion: TaskCompletion, worker: WorkerAd?) {
        guard logOf[position] >= 0 else { return }
        executingWritten[position] = nil
        let time = Date(timeIntervalSince1970: completion.endTime)
        let termination: UserLogEvent.Termination
        switch completion.outcome {
        case .exited:
            termination = .exited(completion.exitCode ?? 0)
        case .signaled, .timedOut, .memoryExceeded:
            if let signal = completion.signal {
                termination = .signaled(signal, coreFile: nil)
            } else {
                termination = .exited(completion.exitCode ?? 0)
            }
        case .cancelled, .failedToStart, .workerLost:
            write(position, UserLogEvent.aborted(jobID(position), at: time,
                                                 reason: completion.message ?? "cancelled by the farm"))
            return
        case .interrupted, .revoked:
            return
        }
        let task = job.task(at: position)
        let usage = UserLogEvent.Usage(userSeconds: Int(completion.userSeconds), systemSeconds: Int(completion.systemSeconds))
        let resources = UserLogEvent.Resources(cpus: task.slots, diskKiB: task.diskKiB, memoryMiB: task.memoryMiB)
        write(position, UserLogEvent.terminated(jobID(position), at: time, termination: termination,
                                                runUsage: usage, resources: resources))
    }

    func taskUnrunnable(position: Int, reason: String) {
        guard logOf[position] >= 0 else { return }
        write(position, UserLogEvent.aborted(jobID(position), at: Date(), reason: "can never run: \(reason)"))
    }

    func flush() {
        for stream in streams where stream != nil { fflush(stream) }
    }

    private func jobID(_ position: Int) -> UserLogEvent.JobID {
        let attributes = job.task(at: position).attributes
        return UserLogEvent.JobID(cluster: attributes["condor.cluster"].flatMap { Int($0) } ?? 0,
                                  proc: attributes["condor.proc"].flatMap { Int($0) } ?? position)
    }

    private func write(_ position: Int, _ text: String) {
        guard let stream = streams[Int(logOf[position])] else { return }
        fputs(text, stream)
    }
}
