import ArgumentParser

/// `--state-dir DIR` for the commands that read a run's state folder (`status`, `output`,
/// `report`): the folder as given to `taskfarm run --state-dir`, so that the command the run
/// was started with works after it, the job file then being optional.
struct StateDirOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The state folder, as given to taskfarm run --state-dir; then the job file may be left out.",
                                            valueName: "dir"))
    var stateDir: String?

    /// Refuses `--state-dir` beside `--connect` (`connect`), which reads a served farm's.
    ///
    /// - Throws: `ValidationError` (64) naming both.
    func validate(connect: String?) throws {
        if connect != nil, stateDir != nil {
            throw ValidationError("--connect asks a served farm and --state-dir names a folder; give one")
        }
    }
}
