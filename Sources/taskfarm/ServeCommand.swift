import ArgumentParser
import TaskFarm

/// `taskfarm serve`: a farm with an empty task queue that clients fill through the
/// connection file.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a task queue inside the allocation: start it under mpirun, then submit from any shell.",
        discussion: """
            Rank 0 is the broker, the name-server rank writes the connection file (the name \
            server's address, the run id and a secret token, mode 0600), the others wait for \
            tasks. Clients use it: taskfarm submit/wait/status/cancel/shutdown --connect FILE. \
            It runs until taskfarm shutdown (exit 0), SIGTERM or the walltime (exit 75). \
            Serving again from the same --state-dir brings back the queue.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The state folder: journal, run id, task outputs (default: ./queue.taskfarm).")
    var stateDir: String?

    @Option(name: .long, help: "Where the name server writes the connection file.")
    var connectionFile: String = ConnectionFile.defaultPath

    @Option(name: .long, help: "HOST or HOST:PORT for the client endpoints (default: this host's name, any free port).")
    var listen: String?

    @Option(name: .shortAndLong, help: "Per-task stdout pattern (default: STATE_DIR/output/%a.out, %a being the task id).")
    var output: String?

    @Option(name: .shortAndLong, help: "Per-task stderr pattern.")
    var error: String?

    @Option(name: .long, help: "Task slots each worker offers.")
    var slotsPerWorker: Int = 1

    @Option(name: .long, help: "The name server's rank (0 runs it beside the broker).")
    var nameServerRank: Int?

    @Option(name: .long, help: "Retries after the first attempt of a failed task.")
    var retries: Int = 0

    @Option(name: .long, help: "Never retry a task that exits with this code.")
    var retryUnlessExit: Int?

    @Option(name: .long, help: "Per-task time limit, in seconds.")
    var timeout: Double?

    @Option(name: .long, help: "Seconds between SIGTERM and SIGKILL when a task is stopped.")
    var killGrace: Double = 1.0

    @Option(name: .customLong("chdir"), help: "The working directory of tasks that name none.")
    var workingDirectory: String?

    @Option(name: .long, help: "How long the farm may run (SECONDS, HH:MM:SS, 30m, ...; default: the allocation's end).")
    var walltime: String?

    @Option(name: .long, help: "Expected seconds per task, for walltime draining.")
    var taskTime: Double?

    func validate() throws {
        guard slotsPerWorker >= 1 else { throw ValidationError("--slots-per-worker must be at least 1") }
        guard retries >= 0 else { throw ValidationError("--retries must be 0 or more") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
        if let walltime, Walltime.parseDuration(walltime) == nil {
            throw ValidationError("--walltime '\(walltime)' is not a duration; expected SECONDS, HH:MM:SS, D-HH:MM:SS or 30m")
        }
    }

    func run() throws {
        let logger = global.makeLogger()
        var farm = FarmOptions(jobPath: "(queue)", stateDirectory: stateDir, output: output, error: error,
                               slotsPerWorker: slotsPerWorker, nameServerRank: nameServerRank, retries: retries,
                               retryUnlessExit: retryUnlessExit, timeout: timeout, killGrace: killGrace,
                               workingDirectory: workingDirectory)
        farm.walltime = walltime.flatMap(Walltime.parseDuration)
        farm.taskTime = taskTime
        let status = Farm.serve(ServeOptions(farm: farm, connectionFile: connectionFile, listen: listen), logger: logger)
        if status != .success { throw ExitCode(status.rawValue) }
    }
}
