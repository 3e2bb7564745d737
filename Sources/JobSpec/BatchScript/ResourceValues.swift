/// Parsers for the time and size values of batch directives.
enum ResourceValues {
    /// A Slurm `--time` value in seconds, or `nil` for no limit (`0`, `UNLIMITED`,
    /// `INFINITE`).
    ///
    /// Accepted: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`.
    /// Source: Slurm sbatch manual, `--time`.
    static func slurmTime(_ text: String) -> Double?? {
        let lowered = text.lowercased()
        if lowered == "unlimited" || lowered == "infinite" || text == "0" || text == "-1" { return .some(nil) }
        var days = 0.0
        var rest = Substring(text)
        if let dash = rest.firstIndex(of: "-") {
            guard let value = Int(rest[..<dash]), value >= 0 else { return nil }
            days = Double(value)
            rest = rest[rest.index(after: dash)...]
        }
        let fields = rest.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard !fields.isEmpty, fields.count <= 3, fields.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
        // In Double: a huge value must reach the caller's range check, not overflow here.
        let values = fields.map { Double($0!) }
        let seconds: Double
        if text.contains("-") {
            // D-H, D-H:M, D-H:M:S
            let hours = values[0]
            let minutes = values.count > 1 ? values[1] : 0
            let secs = values.count > 2 ? values[2] : 0
            seconds = ((days * 24 + hours) * 60 + minutes) * 60 + secs
        } else {
            switch values.count {
            case 1: seconds = values[0] * 60
            case 2: seconds = values[0] * 60 + values[1]
            default: seconds = (values[0] * 60 + values[1]) * 60 + values[2]
            }
        }
        // "A time limit of zero requests that no time limit be imposed" (sbatch --time).
        return .some(seconds == 0 ? nil : seconds)
    }

    /// A PBS `walltime` in seconds: `[[H:]M:]S[.fraction]`.
    /// Source: PBS Pro reference, "duration" format.
    static func pbsDuration(_ text: String) -> Double? {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...3).contains(fields.count) else { return nil }
        var total = 0.0
        for (offset, field) in fields.enumerated() {
            let isLast = offset == fields.count - 1
            guard let value = isLast ? Double(field) : Double(Int(field) ?? -1), value >= 0 else { return nil }
            total = total * 60 + value
        }
        return total
    }

    /// A PBS size in MiB, rounded up: an integer with `b`, `kb`, `mb`, `gb`, `tb`, `pb`
    /// (or `w`-based words of 8 bytes); no suffix means bytes.
    /// Source: PBS Pro reference, "size" format.
    static func pbsSizeMiB(_ text: String) -> Int? {
        let lowered = text.lowercased()
        let digits = lowered.prefix(while: { $0.isASCII && $0.isNumber })
        guard let number = Double(digits) else { return nil }
        var suffix = String(lowered.dropFirst(digits.count))
        var bytesPerUnit = 1.0
        if suffix.hasSuffix("w") {
            bytesPerUnit = 8
            suffix.removeLast()
        } else if suffix.hasSuffix("b") {
            suffix.removeLast()
        } else if !suffix.isEmpty {
            return nil
        }
        let powers: [String: Double] = ["": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5]
        guard let power = powers[suffix] else { return nil }
        let bytes = number * bytesPerUnit * pow1024(power)
        return exactMiB((bytes / (1024 * 1024)).rounded(.up))
    }

    static func pow1024(_ power: Double) -> Double {
        var result = 1.0
        for _ in 0 ..< Int(power) { result *= 1024 }
        return result
    }

    /// A Slurm `--mem` value in MiB: an integer with `K`, `M`, `G`, `T` (default `M`).
    /// Source: Slurm sbatch manual, `--mem`.
    static func slurmMemoryMiB(_ text: String) -> Int? {
        let digits = text.prefix(while: { $0.isASCII && $0.isNumber })
        guard let number = Double(digits) else { return nil }
        let factor: Double
        switch text.dropFirst(digits.count).uppercased() {
        case "", "M", "MB": factor = 1
        case "K", "KB": factor = 1.0 / 1024
        case "G", "GB": factor = 1024
        case "T", "TB": factor = 1024 * 1024
        default: return nil
        }
        return exactMiB((number * factor).rounded(.up))
    }

    /// `mib` as an `Int`, or `nil` beyond 2^53 MiB (no machine has that much; a parse
    /// error is better than a trap in the conversion).
    static func exactMiB(_ mib: Double) -> Int? {
        mib <= 9_007_199_254_740_992 ? Int(mib) : nil
    }
}
