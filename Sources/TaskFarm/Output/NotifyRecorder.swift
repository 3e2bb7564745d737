import Foundation
import JobSpec

/// Runs the `--notify-command` hook on rank 0 where HTCondor would send mail: when a task
/// whose submit description sets `notification` ends accordingly. No mail is sent.
///
/// `notification = Always` or `Complete`: any end (exit, signal, time limit, cannot start,
/// can never run). `Error`: an abnormal end only, as HTCondor's manual defines it (a
/// signal or time limit, or a task that cannot start or never runs); a non-zero exit is
/// not an error there. `Never` (the default): nothing.
///
/// The command runs as `/bin/sh -c CMD` with rank 0's environment (Open MPI's variables
/// removed) plus `TASKFARM_NOTIFY_INDEX` (the task's index), `TASKFARM_NOTIFY_STATE`
/// (`succeeded`, `failed`, `timed out`, `cancelled`), `TASKFARM_NOTIFY_EXIT_CODE` and
/// `TASKFARM_NOTIFY_SIGNAL` (empty when not applicable), `TASKFARM_NOTIFY_USER`
/// (`notify_user`, may be empty), `TASKFARM_NOTIFY_CLUSTER`, `TASKFARM_NOTIFY_PROC` and
/// `TASKFARM_NOTIFY_LABEL`. It runs in the background so scheduling never waits for it;
/// ``waitForAll(timeout:)`` waits for it at the end of the run, for a bounded time.
///
/// Source: HTCondor manual, condor_submit `notification` and `notify_user`.
final class NotifyRecorder: RunRecorder {
    private let command: String
    private let job: any Job
    private let baseEnvironment: [String: String]
    private var running: [HelperCommand] = []
    private(set) var problems: [String] = []

    /// - Parameters:
    ///   - command: the shell command line to run.
    ///   - environment: rank 0's environment.
    init(command: String, job: any Job, environment: [String: String]) {
        self.command = command
        self.job = job
        baseEnvironment = environment.filter { entry in
            !TaskEnvironmentBuilder.launcherPrefixes.contains { entry.key.hasPrefix($0) }
        }
    }

    func taskEnded(position: Int, state: TaskState, completion: TaskCompletion, worker: WorkerAd?) {
        guard state.isFinal else { return }
        let abnormal = completion.outcome != .exited
        notify(position: position, state: state.description, exitCode: completion.exitCode,
               signal: completion.signal, abnormal: abnormal)
    }

    func taskUnrunnable(position: Int, reason: String) {
        notify(position: position, state: TaskState.failed.description, exitCode: nil, signal: nil, abnormal: true)
    }

    private func notify(position: Int, state: String, exitCode: Int?, signal: Int?, abnormal: Bool) {
        let task = job.task(at: position)
        guard let notification = task.attributes["condor.notification"]?.lowercased() else { return }
        switch notification {
        case "always", "complete": break
        case "error" where abnormal: break
        default: return
        }
        var environment = baseEnvironment
        environment["TASKFARM_NOTIFY_INDEX"] = String(task.arrayIndex)
        environment["TASKFARM_NOTIFY_STATE"] = state
        environment["TASKFARM_NOTIFY_EXIT_CODE"] = exitCode.map(String.init) ?? ""
        environment["TASKFARM_NOTIFY_SIGNAL"] = signal.map(String.init) ?? ""
        environment["TASKFARM_NOTIFY_USER"] = task.attributes["condor.notify_user"] ?? ""
        environment["TASKFARM_NOTIFY_CLUSTER"] = task.attributes["condor.cluster"] ?? ""
        environment["TASKFARM_NOTIFY_PROC"] = task.attributes["condor.proc"] ?? String(task.arrayIndex)
        environment["TASKFARM_NOTIFY_LABEL"] = task.label
        do {
            running.append(try HelperCommand(argv: ["/bin/sh", "-c", command], environment: environment))
        } catch {
            problems.append("--notify-command could not start: \(error)")
        }
        running.removeAll { $0.poll() != nil }
    }

    /// Waits up to `timeout` seconds for the notifications still running, so that none is cut
    /// off when the farm exits; those still running then are left running and reported.
    func waitForAll(timeout: Double) {
        let deadline = Clock.monotonicSeconds() + timeout
        running.removeAll { $0.wait(timeout: max(0, deadline - Clock.monotonicSeconds())) != nil }
        if !running.isEmpty {
            problems.append("\(running.count) --notify-command run(s) still going after \(Int(timeout)) s were left running (pids \(running.map { String($0.pid) }.joined(separator: ", ")))")
        }
        running.removeAll()
    }
}
