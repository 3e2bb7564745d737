/// The words of an `sbatch` command line, split as sbatch splits them: options (read later
/// by the same parser as `#SBATCH` directives, `SbatchOptions`), then the script and its
/// arguments; or `--wrap` and a command line; without either the script is read from
/// standard input. The options that concern `sbatch` itself (`--parsable`, `--wait`,
/// `--wrap`) are taken out here.
///
/// Source: Slurm sbatch manual ("sbatch [OPTIONS(0)...] [ : [OPTIONS(N)...]] script(0)
/// [args(0)...]", `--wrap`, `--parsable`, `--wait`).
public struct SbatchCommandLine: Sendable, Equatable {
    /// The option words for the script's parser (`--array=1-5`, `-c`, `2`).
    public var options: [String]
    /// The script file, or `nil` (standard input, or ``wrap``).
    public var script: String?
    /// The arguments after the script.
    public var arguments: [String]
    /// `--wrap`'s command line, or `nil`.
    public var wrap: String?
    /// `--parsable`: print only the job id.
    public var parsable: Bool
    /// `--wait`/`-W`: return when the job ends, with its exit status.
    public var waits: Bool

    /// Splits `words` (without the program name).
    ///
    /// - Throws: ``JobSpecError`` for an option missing its value, a script given with
    ///   `--wrap` (sbatch refuses both), and `--hold`/`-H`, which the farm cannot do (it has
    ///   no `scontrol release`).
    public init(_ words: [String]) throws(JobSpecError) {
        options = []
        script = nil
        arguments = []
        wrap = nil
        parsable = false
        waits = false
        var words = CommandLineWords(words, program: "sbatch")
        while let word = words.next() {
            guard word.hasPrefix("-"), word.count > 1 else {
                script = word
                arguments = words.rest()
                break
            }
            let name = word.hasPrefix("--") ? String(word.prefix { $0 != "=" }) : String(word.prefix(2))
            var value: String?
            if word.hasPrefix("--"), word.contains("=") {
                value = String(word.drop { $0 != "=" }.dropFirst())
            } else if !word.hasPrefix("--"), word.count > 2 {
                value = SbatchOptions.takesValue(name) ? String(word.dropFirst(2)) : nil
            } else if SbatchOptions.takesValue(name) {
                value = try words.value(for: name)
            }
            switch name {
            case "--wrap": wrap = value
            case "--parsable": parsable = true
            case "--wait", "-W": waits = true
            case "--hold", "-H":
                throw JobSpecError("sbatch: --hold is not possible inside the farm, which has no scontrol release; "
                                   + "use --dependency to order jobs", file: SourceLocation.commandLine)
            default:
                options.append(name)
                if let value { options.append(value) }
            }
        }
        if wrap != nil, script != nil {
            throw JobSpecError("sbatch: error: script arguments not permitted with --wrap option", file: SourceLocation.commandLine)
        }
    }

    /// The script sbatch writes for `--wrap COMMAND` (its job name is `wrap`).
    public static func wrapScript(_ command: String) -> String {
        "#!/bin/sh\n# This script was created by sbatch --wrap.\n\n\(command)\n"
    }

    /// For `--wrap`: the script sbatch writes and the job name it gives it (`wrap`); `nil`
    /// when a script is read instead.
    public var inlineScript: (text: String, name: String)? { wrap.map { (Self.wrapScript($0), "wrap") } }
}
