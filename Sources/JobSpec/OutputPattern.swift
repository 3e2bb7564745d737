/// A filename pattern with Slurm's replacement letters.
///
/// | letter | replaced by |
/// |---|---|
/// | `%A` | the run id (Slurm: the array's master job id) |
/// | `%a` | the task's array index |
/// | `%j` | the task's job id: `RUNID_INDEX` |
/// | `%J` | the same as `%j` |
/// | `%N` | the host name of the worker that runs the task |
/// | `%x` | the job name |
/// | `%u` | the user name |
/// | `%s` | the attempt number (1 for the first attempt) |
/// | `%%` | a literal `%` |
///
/// A number between `%` and the letter zero-pads it: `%4a` gives `0007`. As in Slurm, a
/// width over 10 pads to 10 (so no pattern, however long its number, can overflow or make a
/// huge name).
///
/// Source: Slurm sbatch manual, "filename pattern".
public struct OutputPattern: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String
    /// The pattern cut into literals and letters once, so that expanding it for a
    /// million tasks does not parse it a million times.
    private let parsed: [Piece]

    /// The values a pattern is expanded with.
    public struct Values: Sendable {
        /// The run id, for `%A`, `%j` and `%J`.
        public var runID: Int
        /// The task's array index, for `%a`, `%j` and `%J`.
        public var arrayIndex: Int
        /// The worker's host name, for `%N`.
        public var host: String
        /// The job name, for `%x`.
        public var jobName: String
        /// The user name, for `%u`.
        public var user: String
        /// The 1-based attempt number, for `%s`.
        public var attempt: Int

        /// Values for one task's attempt; `attempt` is 1-based.
        public init(runID: Int, arrayIndex: Int, host: String, jobName: String, user: String, attempt: Int = 1) {
            self.runID = runID
            self.arrayIndex = arrayIndex
            self.host = host
            self.jobName = jobName
            self.user = user
            self.attempt = attempt
        }
    }

    /// Checks the pattern's letters.
    ///
    /// - Throws: ``JobSpecError`` naming `location` for an unknown letter or a trailing `%`.
    public init(_ text: String, location: SourceLocation) throws(JobSpecError) {
        self.text = text
        parsed = Self.pieces(of: text)
        for piece in parsed {
            if case .invalid(let what) = piece {
                throw JobSpecError("bad filename pattern '\(text)': \(what); known letters are %A %a %j %J %N %x %u %s %%",
                                   at: location)
            }
        }
    }

    /// Whether the pattern names a different file for each task (`%a`, `%j` or `%J`).
    public var isPerTask: Bool {
        Self.pieces(of: text).contains { piece in
            if case .letter(let letter, _) = piece { return "ajJ".contains(letter) }
            return false
        }
    }

    /// Whether the pattern uses `%N`, which is only known on the worker.
    public var usesHost: Bool {
        Self.pieces(of: text).contains { if case .letter("N", _) = $0 { return true } else { return false } }
    }

    /// The file name for one task.
    public func expand(_ values: Values) -> String {
        var result = ""
        for piece in parsed {
            switch piece {
            case .literal(let text): result += text
            case .letter(let letter, let width):
                let value: String
                switch letter {
                case "A": value = String(values.runID)
                case "a": value = String(values.arrayIndex)
                case "j", "J": value = "\(values.runID)_\(values.arrayIndex)"
                case "N": value = values.host
                case "x": value = values.jobName
                case "u": value = values.user
                case "s": value = String(values.attempt)
                default: value = ""
                }
                if value.count < width, letter != "N", letter != "x", letter != "u" {
                    result += String(repeating: "0", count: width - value.count) + value
                } else {
                    result += value
                }
            case .invalid: break
            }
        }
        return result
    }

    /// Escapes `%` so that `name` is taken literally as a pattern.
    public static func literal(_ name: String) -> String {
        // Most names hold no `%`: no Foundation search for them (every proc names its files).
        guard name.utf8.contains(UInt8(ascii: "%")) else { return name }
        return name.replacingOccurrences(of: "%", with: "%%")
    }

    /// The pattern as written.
    public var description: String { text }

    enum Piece: Equatable {
        case literal(String)
        case letter(Character, width: Int)
        case invalid(String)
    }

    /// The widest zero-padding, as in Slurm ("the maximal number is 10").
    static let maximumWidth = 10

    static func pieces(of text: String) -> [Piece] {
        var pieces: [Piece] = []
        var literal = ""
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            guard character == "%" else { literal.append(character); continue }
            var width = 0
            var next = iterator.next()
            while let digit = next, let value = digit.wholeNumberValue, digit.isASCII {
                width = min(Self.maximumWidth, width * 10 + value)
                next = iterator.next()
            }
            guard let letter = next else { pieces.append(.invalid("it ends with '%'")); break }
            if letter == "%" { literal.append("%"); continue }
            guard "AajJNxus".contains(letter) else { pieces.append(.invalid("unknown letter %\(letter)")); continue }
            if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" }
            pieces.append(.letter(letter, width: width))
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        return pieces
    }
}
