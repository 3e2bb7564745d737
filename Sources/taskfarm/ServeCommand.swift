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

    @Option(name: .long, parsing: .unconditional, help: "Client connections each endpoint keeps open at once; past it, the oldest not yet authenticated is closed.")
    var maxConnections: Int = ClientLimits.defaults.maximumConnections

    @Option(name: .long, parsing: .unconditional, help: "Seconds a new client connection has to present the token.")
    var authTimeout: Double = ClientLimits.defaults.authenticationTimeout

    @Option(name: .long, parsing: .unconditional, help: "Seconds an authenticated connection with no request open may stay silent.")
    var idleTimeout: Double = ClientLimits.defaults.idleTimeout

    @Option(name: .shortAndLong, help: "Per-task stdout pattern (default: STATE_DIR/output/%a.out, %a being the task id).")
    var output: String?

    @Option(name: .shortAndLong, help: "Per-task stderr pattern.")
    var error: String?

    @OptionGroup var settings: FarmSettingsOptions

    private var clientLimits: ClientLimits {
        ClientLimits(maximumConnections: maxConnections, authenticationTimeout: authTimeout, idleTimeout: idleTimeout)
    }

    func validate() throws {
        if let problem = clientLimits.problem { throw ValidationError(problem) }
    }

    func run() throws {
        let logger = global.makeLogger()
        let farm = settings.farmOptions(jobPath: "(queue)", stateDirectory: stateDir, output: output, error: error)
        let options = ServeOptions(farm: farm, connectionFile: connectionFile, listen: listen, clientLimits: clientLimits)
        let status = Farm.serve(options, logger: logger)
        if status != .success { throw ExitCode(status.rawValue) }
    }
}
