/// What a task learns only when it is placed on a worker: HTCondor's `$$(Attr)` and
/// `$$([expression])` references, filled in from the machine ad of the worker the task
/// starts on (HTCondor manual, condor_submit, "$$(attribute)"), and the host-dependent
/// variables of PBS and Slurm (`SLURM_JOB_NODELIST`, written `$$(Machine)` by the loader).
///
/// A task that holds such references says where in attribute ``attribute``: `argv`, `env`
/// and `stdin`, comma-separated. Other tasks are handed out unchanged, at no cost.
public enum MachinePlacement {
    /// The attribute naming the parts of a task that hold `$$(...)` references.
    public static let attribute = "machine.macros"
    /// Set by ``place(_:on:)`` when a reference cannot be filled in; the task must then
    /// not start, and the value says why (HTCondor puts such a job on hold).
    public static let failureAttribute = "machine.macros.error"

    /// `$$(name)`: a reference to the machine ad's attribute `name`.
    public static func reference(_ name: String) -> String { "$$(\(name))" }

    /// Whether `task` has `$$(...)` macros to fill from a machine's ad (``attribute`` is
    /// set): the dispatch loop builds a machine ad only for such a task.
    public static func wantsMachine(_ task: TaskSpec) -> Bool { task.attributes[attribute] != nil }

    /// `task` with every `$$(...)` in the parts its ``attribute`` names filled in from
    /// `machine`:
    /// - `$$(Name)` is the attribute's value (a string without quotes);
    /// - `$$(Name:default)` gives `default` when the machine ad has no `Name`;
    /// - `$$([expression])` is the expression evaluated against the machine ad.
    ///
    /// A reference without a value leaves the text as written and records why in
    /// ``failureAttribute``.
    public static func place(_ task: TaskSpec, on machine: ClassAd) -> TaskSpec {
        guard let parts = task.attributes[attribute] else { return task }
        var placed = task
        var failures: [String] = []
        let job = jobAd(task.attributes)
        func fill(_ text: String) -> String {
            guard text.contains("$$(") else { return text }
            return substitute(text, machine: machine, job: job, failures: &failures)
        }
        for part in parts.split(separator: ",") {
            switch part {
            case "argv":
                switch task.command {
                case .argv(let words): placed.command = .argv(words.map(fill))
                case .shell(let line): placed.command = .shell(fill(line))
                }
            case "env":
                switch task.environment {
                case .inherit(let set): placed.environment = .inherit(set: set.mapValues(fill))
                case .clean(let set): placed.environment = .clean(set: set.mapValues(fill))
                case .inheritOnly(let names, let set):
                    placed.environment = .inheritOnly(names: names, set: set.mapValues(fill))
                }
            case "stdin":
                placed.stdin = task.stdin.map(fill)
            default:
                break
            }
        }
        if !failures.isEmpty {
            placed.attributes[failureAttribute] = "cannot fill in " + failures.joined(separator: ", ")
                + " from the machine ad of the worker (it has no such attribute)"
        }
        return placed
    }

    /// `text` with its `$$(...)` references replaced; those without a value are kept
    /// and named in `failures`.
    static func substitute(_ text: String, machine: ClassAd, job: ClassAd = [:], failures: inout [String]) -> String {
        let characters = Array(text)
        var result = ""
        var index = 0
        while index < characters.count {
            guard characters[index] == "$", index + 2 < characters.count, characters[index + 1] == "$",
                  characters[index + 2] == "(" else {
                result.append(characters[index])
                index += 1
                continue
            }
            // The matching `)`, counting nested parentheses (`$$([a*(b+1)])`).
            var depth = 0
            var close: Int?
            for position in (index + 2) ..< characters.count {
                if characters[position] == "(" { depth += 1 }
                if characters[position] == ")" {
                    depth -= 1
                    if depth == 0 { close = position; break }
                }
            }
            guard let close else {
                result += String(characters[index...])
                break
            }
            let body = String(characters[(index + 3) ..< close])
            let whole = String(characters[index...close])
            if let value = value(of: body, machine: machine, job: job) {
                result += value
            } else {
                failures.append(whole)
                result += whole
            }
            index = close + 1
        }
        return result
    }

    /// The job's own ad, for `MY.` in `$$([expression])`: its `+Name` / `MY.Name` attributes
    /// (attributes `classad.Name`, from the submit file or a DAG node's `VARS +Name`).
    static func jobAd(_ attributes: [String: String]) -> ClassAd {
        var ad: ClassAd = [:]
        for (key, text) in attributes where key.hasPrefix("classad.") {
            let name = String(key.dropFirst("classad.".count))
            if let parsed = try? ClassAdExpression(parsing: text, location: SourceLocation(file: "", line: 0)) {
                ad[name] = parsed.evaluate([:])
            }
        }
        return ad
    }

    /// The text a reference body stands for: `[expression]` (evaluated against the machine
    /// ad, with `MY.` the job's own attributes), `Name` or `Name:default`.
    static func value(of body: String, machine: ClassAd, job: ClassAd = [:]) -> String? {
        if body == "DOLLARDOLLAR" { return "$$" }
        if body.hasPrefix("["), body.hasSuffix("]") {
            let expression = String(body.dropFirst().dropLast())
            guard let parsed = try? ClassAdExpression(parsing: expression, location: SourceLocation(file: "", line: 0))
            else { return nil }
            return text(of: parsed.evaluate(machine, my: job))
        }
        let (name, fallback) = SubmitMacros.nameAndDefault(body)
        let key = machine.keys.first { $0.lowercased() == name.lowercased() }
        if let key, let value = machine[key], let shown = text(of: value) { return shown }
        return fallback
    }

    /// A value as HTCondor writes it into the job: strings without their quotes, numbers
    /// and booleans as ClassAd text; `nil` for UNDEFINED and ERROR.
    static func text(of value: ClassAdValue) -> String? {
        switch value {
        case .undefined, .error: return nil
        case .string(let text): return text
        default: return value.description
        }
    }
}
