/// The words of a `qsub` command line, split as qsub splits them: options (read later by
/// the same parser as `#PBS` directives, ``PBSScript``), then the script, or `--` and a
/// command to run directly; without either the script is read from standard input.
///
/// Source: PBS Professional Reference Guide, qsub ("qsub [options] [script]",
/// "qsub [options] -- executable [arguments]").
public struct QsubCommandLine: Sendable, Equatable {
    /// The option words, as qsub takes them (`-N`, `A`, `-W`, `depend=afterok:12.server`).
    public var options: [String]
    /// The script file, or `nil` when it comes from standard input or ``command`` is given.
    public var script: String?
    /// The executable and its arguments after `--`, or `nil`.
    public var command: [String]?
    /// Whether the job id is printed (`-z` keeps qsub quiet).
    public var printsJobID: Bool

    /// Splits `words` (without the program name).
    ///
    /// - Throws: ``JobSpecError`` for an option missing its value, words after the script
    ///   (qsub takes none), `--` with no command, and `-I` (interactive) and `-h` (held
    ///   until `qrls`), which the farm cannot do: the job would run at once.
    public init(_ words: [String]) throws(JobSpecError) {
        options = []
        script = nil
        command = nil
        printsJobID = true
        var words = CommandLineWords(words, program: "qsub")
        while let word = words.next() {
            if word == "--" {
                let rest = words.rest()
                guard !rest.isEmpty else {
                    throw JobSpecError("qsub: '--' must be followed by the executable to run", file: SourceLocation.commandLine)
                }
                command = rest
                return
            }
            guard word.hasPrefix("-"), word.count > 1 else {
                guard script == nil else {
                    throw JobSpecError("qsub: '\(word)' after the script \(script!): qsub takes one script and no "
                                       + "arguments (use '-- executable arguments', or -v to pass values)",
                                       file: SourceLocation.commandLine)
                }
                script = word
                continue
            }
            let short = String(word.prefix(2))
            switch short {
            case "-I":
                throw JobSpecError("qsub: -I (an interactive job) is not possible inside the farm; run the "
                                   + "commands directly in this allocation", file: SourceLocation.commandLine)
            case "-h":
                throw JobSpecError("qsub: -h (hold until qrls) is not possible inside the farm, which has no qrls; "
                                   + "use -W depend=afterok:JOBID to order jobs", file: SourceLocation.commandLine)
            case "-z":
                printsJobID = false
            default: break
            }
            options.append(word)
            if word.count == 2, PBSRequest.takesValue(word) { options.append(try words.value(for: word)) }
        }
    }

    /// For `-- executable [arguments]`: a script that runs the command, and the job name qsub
    /// gives it (the executable's file name); `nil` when a script is read instead.
    public var inlineScript: (text: String, name: String)? {
        command.map { command in
            ("#!/bin/sh\nexec \(command.map(ShellQuoting.quote).joined(separator: " "))\n", Paths.lastComponent(command[0]))
        }
    }
}
