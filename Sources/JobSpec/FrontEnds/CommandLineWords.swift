/// The words of a submit program's command line (`qsub`, `sbatch`), read one at a time,
/// for the parsers that split them as the real program does.
struct CommandLineWords {
    private var words: ArraySlice<String>
    /// The program, for messages: `qsub`.
    private let program: String

    /// `words` without the program name, read for `program`.
    init(_ words: [String], program: String) {
        self.words = words[...]
        self.program = program
    }

    /// The next word, or `nil` when none is left.
    mutating func next() -> String? { words.popFirst() }

    /// Every word not read yet (the script's arguments, the command after `--`); none is
    /// left after.
    mutating func rest() -> [String] {
        defer { words = [] }
        return Array(words)
    }

    /// The next word, as the value of `option` just read.
    ///
    /// - Throws: ``JobSpecError`` ("PROGRAM: option NAME needs a value", at the command
    ///   line) when none is left.
    mutating func value(for option: String) throws(JobSpecError) -> String {
        guard let word = words.popFirst() else {
            throw JobSpecError("\(program): option \(option) needs a value", file: SourceLocation.commandLine)
        }
        return word
    }
}
