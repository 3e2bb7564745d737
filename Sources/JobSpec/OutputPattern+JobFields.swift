extension OutputPattern {
    /// The pattern with every letter known before the task runs replaced (`%A`, `%a`, `%j`,
    /// `%J`, `%x`, `%u` from `values`), and `%N` (the worker's host) and `%s` (the attempt)
    /// kept for the worker: what a front end submits when the job's own id, not the served
    /// farm's, names the files (sbatch's `slurm-%A_%a.out`).
    public func fixingJobFields(_ values: Values) -> String {
        var result = ""
        for piece in Self.pieces(of: text) {
            switch piece {
            case .literal(let text): result += Self.literal(text)
            case .letter(let letter, let width) where letter == "N" || letter == "s":
                result += "%" + (width > 0 ? String(width) : "") + String(letter)
            case .letter:
                result += Self.literal(OutputPattern.expandOne(piece, values))
            case .invalid: break
            }
        }
        return result
    }

    private static func expandOne(_ piece: Piece, _ values: Values) -> String {
        var text = ""
        if case .letter(let letter, let width) = piece {
            text = "%" + (width > 0 ? String(width) : "") + String(letter)
        }
        return ((try? OutputPattern(text, location: SourceLocation(file: "", line: 0)))?.expand(values)) ?? ""
    }
}
