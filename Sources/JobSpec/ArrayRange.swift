/// The index set of a job array, as written after `#SBATCH --array=`, `#PBS -J` or
/// `#PBS -t`, with its optional `%N` limit on tasks running at once.
///
/// | dialect | accepted | source |
/// |---|---|---|
/// | ``Dialect/slurm`` | comma list of `N` and `A-B[:S]`, then `%M` | Slurm sbatch: `--array` |
/// | ``Dialect/torque`` | the same as Slurm | Torque qsub: `-t` |
/// | ``Dialect/pbsPro`` | exactly one `A-B[:S]` with `A < B`, then `%M` | PBS Pro reference: qsub `-J` |
///
/// Indices are returned sorted and without repeats, as Slurm and Torque keep them in a
/// bitmap. PBS Pro rejects a single-index range (`4-4`) and lists (`3,9,27`); so do we,
/// naming the file, line and column, so that such a script never runs zero tasks.
public struct ArrayRange: Sendable, Equatable {
    /// Which scheduler's rules apply.
    public enum Dialect: Sendable {
        /// `slurm`: Slurm sbatch `--array`; `torque`: Torque qsub `-t` (Slurm's rules);
        /// `pbsPro`: PBS Pro qsub `-J`.
        case slurm, torque, pbsPro

        var option: String {
            switch self {
            case .slurm: return "--array"
            case .torque: return "-t"
            case .pbsPro: return "-J"
            }
        }
    }

    /// The array indices, ascending, each once.
    public let indices: [Int]
    /// The `%N` limit on tasks running at once, or `nil`.
    public let maxConcurrent: Int?
    /// The step of a single `A-B:S` range; 1 for lists and plain ranges
    /// (`SLURM_ARRAY_TASK_STEP`).
    public let step: Int

    /// Parses `text`; `location` is where `text` starts (its column is used to point at
    /// the bad character).
    ///
    /// - Throws: ``JobSpecError`` for an empty set, a malformed number, a range whose end is
    ///   below its start, a step below 1, a `%` limit below 1, (PBS Pro) a list or a
    ///   range with `start >= end`, an index above ``FarmLimits/maximumArrayIndex``, or more
    ///   than ``FarmLimits/maximumArrayIndices`` indices (counted before any is made, as
    ///   Slurm's `MaxArraySize` refuses a submission).
    public init(parsing text: String, dialect: Dialect, location: SourceLocation) throws(JobSpecError) {
        func failure(_ message: String, at offset: Int) -> JobSpecError {
            var place = location
            if place.column > 0 { place.column += offset }
            return JobSpecError("bad \(dialect.option) '\(text)': \(message)", at: place)
        }
        let characters = Array(text)
        var body = characters[...]
        var limit: Int?
        if let percent = characters.firstIndex(of: "%") {
            let digits = String(characters[(percent + 1)...])
            guard let value = Int(digits), value >= 1 else {
                throw failure("expected a whole number of at least 1 after '%'", at: percent + 1)
            }
            limit = value
            body = characters[..<percent]
        }
        if dialect == .pbsPro, let comma = body.firstIndex(of: ",") {
            throw failure("PBS Pro takes one range start-end[:step], not a list (Slurm's --array and Torque's -t take lists)",
                          at: comma)
        }
        var parts: [(start: Int, end: Int, step: Int)] = []
        var count = 0
        var offset = 0
        for part in body.split(separator: ",", omittingEmptySubsequences: false) {
            defer { offset += part.count + 1 }
            let piece = String(part)
            guard !piece.isEmpty else { throw failure("empty entry; expected N or A-B[:S]", at: offset) }
            let (rangeText, stepText) = piece.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                .map(String.init).pairOrSingle
            var step = 1
            if let stepText {
                guard let value = Int(stepText), value >= 1 else {
                    throw failure("expected a step of at least 1 after ':'", at: offset + rangeText.count + 1)
                }
                step = value
            }
            let bounds = rangeText.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let start = Int(bounds[0]), start >= 0 else {
                throw failure("expected a non-negative index", at: offset)
            }
            var end = start
            if bounds.count == 2 {
                guard let value = Int(bounds[1]), value >= 0 else {
                    throw failure("expected a non-negative index after '-'", at: offset + bounds[0].count + 1)
                }
                end = value
            } else if stepText != nil {
                throw failure("a step needs a range A-B:S", at: offset)
            }
            guard end >= start else { throw failure("the range ends below its start", at: offset) }
            guard end <= FarmLimits.maximumArrayIndex else {
                throw failure("index \(end) is above the largest array index, \(FarmLimits.maximumArrayIndex)",
                              at: offset + (bounds.count == 2 ? bounds[0].count + 1 : 0))
            }
            if dialect == .pbsPro {
                guard bounds.count == 2 else {
                    throw failure("PBS Pro needs a range start-end[:step]; one index alone is not a job array", at: offset)
                }
                guard start < end else {
                    throw failure("PBS Pro requires start < end; for one task drop -J (or write \(start)-\(start + 1):2)",
                                  at: offset)
                }
            }
            parts.append((start, end, step))
            // Counted, not made: both bounds are at most Int32.max, so nothing overflows.
            count += (end - start) / step + 1
            guard count <= FarmLimits.maximumArrayIndices else {
                throw failure("more than \(FarmLimits.maximumArrayIndices) indices, the farm's largest job array "
                              + "(as Slurm's MaxArraySize limits sbatch); split the array", at: offset)
            }
        }
        var all: [Int] = []
        all.reserveCapacity(count)
        for part in parts { all += stride(from: part.start, through: part.end, by: part.step) }
        if parts.count > 1 {
            all.sort()
            var unique: [Int] = []
            unique.reserveCapacity(all.count)
            for index in all where unique.last != index { unique.append(index) }
            all = unique
        }
        indices = all
        maxConcurrent = limit
        step = parts.count == 1 ? parts[0].step : 1
    }
}

extension Array where Element == String {
    /// `[a, b]` as `(a, b)`; `[a]` as `(a, nil)`.
    fileprivate var pairOrSingle: (String, String?) { count > 1 ? (self[0], self[1]) : (self[0], nil) }
}
