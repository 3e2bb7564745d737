/// How a batch script is started as a task: by its `#!` interpreter, else by a shell.
///
/// sbatch and qsub copy the script and run it; we run the file in place, which is the
/// same on a shared file system.
enum ScriptCommand {
    /// The argv that runs `script` (absolute) with `arguments`.
    ///
    /// - Parameters:
    ///   - shebang: the `#!` line without `#!`; its first word is the interpreter and the
    ///     rest is one optional argument, as Linux passes it.
    ///   - shell: the shell to use when there is no `#!` line (PBS `-S`, else `/bin/sh`).
    static func argv(script: String, shebang: String?, shell: String?, arguments: [String]) -> [String] {
        if let shell { return [shell, script] + arguments }
        if let shebang, !shebang.isEmpty {
            let parts = shebang.split(separator: " ", maxSplits: 1).map { $0.trimmingBlanks }
            return parts.filter { !$0.isEmpty } + [script] + arguments
        }
        return ["/bin/sh", script] + arguments
    }
}
