import Logging

extension Scheduler.Settings {
    /// The settings `taskfarm run` and `taskfarm serve` share, from the command line's
    /// options: the ranks of `rank`'s farm, what every task gets (`taskDefaults`), the kill
    /// grace (seconds), the farm's working folder, `--max-failures`, `--worker-timeout` (seconds),
    /// `--crash-limit`, and the walltime's end from `--walltime`
    /// or the batch system.
    init(_ options: FarmOptions, rank: FarmRank, runID: Int, taskDefaults: TaskDefaults, workingDirectory: String,
         logger: Logger) {
        self.init(runID: runID, workerRanks: rank.layout.workerRanks, allRanks: Array(0..<rank.size),
                  taskDefaults: taskDefaults, killGrace: options.killGrace,
                  workingDirectory: workingDirectory, startupTimeout: 300,
                  walltimeEnd: Farm.walltimeEnd(options, environment: rank.environment, logger: logger),
                  taskTime: options.taskTime)
        maxFailures = options.maxFailures
        workerTimeout = options.workerTimeout
        crashLimit = options.crashLimit
        bindTasks = options.resources.bind
        enforceMemory = options.enforceMemory
        // Rank 0 runs no task, but the CPUs it was given are its host's: they join the pool.
        if options.resources.slotsPerWorker == nil, !rank.isWorker {
            schedulerCPUs = rank.workerAd(resources: options.resources, workingDirectory: workingDirectory)
        }
    }
}
