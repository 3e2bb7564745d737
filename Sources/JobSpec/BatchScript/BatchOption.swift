/// One option of a batch system's submit command, from a directive line (`#SBATCH -c 2`)
/// or from the command line (`taskfarm run -c 2 job.sh`): both are read by the same code,
/// so that a front end taking `sbatch` or `qsub` words later reads them the same way.
///
/// Sources: Slurm sbatch manual ("options on the command line ... #SBATCH"); PBS
/// Professional Reference Guide, qsub.
struct BatchOption: Equatable {
    /// As written: `-J`, `--array`.
    var name: String
    /// Its argument, or `nil` for a flag.
    var value: String?
    /// Where the option starts.
    var location: SourceLocation
    /// Where its value starts (the option's own place for a flag).
    var valueLocation: SourceLocation

    /// Splits words into options: `--name=value`, `--name value`, `-X value` and `-Xvalue`
    /// (a short option glued to its argument), and flags.
    ///
    /// - Parameters:
    ///   - words: the words with where each starts.
    ///   - takesValue: whether an option name (`-J`, `--array`) takes an argument when not
    ///     written `--name=value`.
    /// - Throws: ``JobSpecError`` at the word for a word that is not an option and for an
    ///   option missing its argument.
    static func options(from words: [(String, SourceLocation)],
                        takesValue: (String) -> Bool) throws(JobSpecError) -> [BatchOption] {
        var options: [BatchOption] = []
        var index = 0
        while index < words.count {
            let (word, location) = words[index]
            index += 1
            if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
                let name = String(word[..<equals])
                options.append(BatchOption(name: name, value: String(word[word.index(after: equals)...]),
                                           location: location, valueLocation: location.advanced(by: name.count + 1)))
            } else if word.hasPrefix("-"), word.count > 1 {
                var name = word
                var value: String?
                var valueLocation = location
                // `-Jname` and `-lselect=1`: a short option glued to its argument.
                if !word.hasPrefix("--"), word.count > 2 {
                    let short = String(word.prefix(2))
                    if takesValue(short) {
                        name = short
                        value = String(word.dropFirst(2))
                        valueLocation = location.advanced(by: 2)
                    }
                }
                if value == nil, takesValue(name) {
                    guard index < words.count else {
                        throw JobSpecError("option \(name) needs a value", at: location)
                    }
                    value = words[index].0
                    valueLocation = words[index].1
                    index += 1
                }
                options.append(BatchOption(name: name, value: value, location: location, valueLocation: valueLocation))
            } else {
                throw JobSpecError("expected an option starting with '-', found '\(word)'", at: location)
            }
        }
        return options
    }

    /// The options of command-line words, each located as `<command line>` word N (1-based).
    static func commandLine(_ words: [String], takesValue: (String) -> Bool) throws(JobSpecError) -> [BatchOption] {
        try options(from: words.enumerated().map { ($1, SourceLocation(file: SourceLocation.commandLine, line: 0, column: $0 + 1)) },
                    takesValue: takesValue)
    }
}
