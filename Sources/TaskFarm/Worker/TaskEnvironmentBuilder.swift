#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JobSpec

/// Builds each task's environment from the rank's own: the inherited part once per worker,
/// as C strings ready for `execve`, and per task only its own variables (the farm's
/// `TASKFARM_*` and the format's), so that a task costs no copy of the whole environment.
///
/// Open MPI's variables (`OMPI_*`, `PMIX_*`, `ORTE_*`, `OPAL_*`) are removed whatever
/// the format asks: a task that is itself an MPI program fails in `MPI_Init` when it
/// sees its parent's.
struct TaskEnvironmentBuilder {
    /// Prefixes of variables that belong to the rank's MPI launch, never to a task.
    static let launcherPrefixes = ["OMPI_", "PMIX_", "ORTE_", "OPAL_"]

    /// Open MPI variables that are the user's settings, not the rank's launch: kept, so a
    /// task can start its own `mpirun` as root.
    static let userSettings: Set<String> = ["OMPI_ALLOW_RUN_AS_ROOT", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"]

    private let inherited: InheritedEntries
    /// The shape of the last `.inherit` task's environment, for the next task's.
    private let memo = EnvironmentShapeMemo()

    /// - Parameter environment: the rank's environment.
    init(environment: [String: String]) {
        let kept = environment.filter { entry in
            Self.userSettings.contains(entry.key) || !Self.launcherPrefixes.contains { entry.key.hasPrefix($0) }
        }
        inherited = InheritedEntries(kept)
    }

    /// The value of `name` in the rank's environment, after removing the launcher's.
    func inheritedValue(_ name: String) -> String? { inherited.values[name] }

    /// A task's environment: its base, then `extra` (the farm's variables), then the
    /// format's own overrides, later ones winning.
    func environment(for environment: TaskEnvironment, extra: [(String, String)]) -> SpawnEnvironment {
        var overrides = extra
        for (key, value) in environment.overrides.sorted(by: { $0.key < $1.key }) {
            overrides.append((key, value))
        }
        let names = overrides.map(\.0)
        let shape: EnvironmentShape
        if case .inherit = environment {
            shape = memo.shape(overriding: names) { Self.shape(of: environment, overriding: names, inherited: inherited) }
        } else {
            shape = Self.shape(of: environment, overriding: names, inherited: inherited)
        }
        let own = shape.own.map { (key: overrides[$0].0, value: overrides[$0].1) }
        return SpawnEnvironment(inherited: inherited, kept: shape.kept, own: own)
    }

    /// Which inherited entries a task keeps and which of its `names` (in override order,
    /// later ones winning) it sets itself: what depends on the names alone, not the values.
    private static func shape(of environment: TaskEnvironment, overriding names: [String],
                              inherited: InheritedEntries) -> EnvironmentShape {
        var overridden = Set<String>()
        overridden.reserveCapacity(names.count)
        for name in names { overridden.insert(name) }

        var kept: [Int] = []
        switch environment {
        case .inherit:
            kept.reserveCapacity(inherited.keys.count)
            for index in inherited.keys.indices where !overridden.contains(inherited.keys[index]) {
                kept.append(index)
            }
        case .clean:
            break
        case .inheritOnly(let only, _):
            for name in only where !overridden.contains(name) {
                if let index = inherited.indexByName[name] { kept.append(index) }
            }
        }
        var own: [Int] = []
        var seen = Set<String>()
        for index in names.indices.reversed() where seen.insert(names[index]).inserted {
            own.append(index)
        }
        return EnvironmentShape(kept: kept, own: own)
    }

    /// `KEY=VALUE` entries for a task, as ``environment(for:extra:)`` builds them.
    func entries(for environment: TaskEnvironment, extra: [(String, String)]) -> [String] {
        self.environment(for: environment, extra: extra).entries
    }

    /// The rank's variables a task may inherit, sorted by name, each held once as the C
    /// string `KEY=VALUE` for the worker's life.
    final class InheritedEntries: @unchecked Sendable {
        let keys: [String]
        let values: [String: String]
        let indexByName: [String: Int]
        let pointers: [UnsafeMutablePointer<CChar>]

        init(_ environment: [String: String]) {
            let sorted = environment.sorted { $0.key < $1.key }
            keys = sorted.map(\.key)
            values = environment
            indexByName = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($0.element, $0.offset) })
            pointers = sorted.map { strdup($0.key + "=" + $0.value)! }
        }

        deinit {
            for pointer in pointers { free(pointer) }
        }
    }
}

/// One task's environment for ``ProcessSpawn``: the inherited entries it keeps (shared C
/// strings) and its own variables.
struct SpawnEnvironment {
    fileprivate let inherited: TaskEnvironmentBuilder.InheritedEntries
    fileprivate let kept: [Int]
    /// The task's own variables, made into C strings at the spawn.
    let own: [(key: String, value: String)]

    /// The value `name` has in the task's environment.
    func value(of name: String) -> String? {
        if let entry = own.first(where: { $0.key == name }) { return entry.value }
        guard let index = inherited.indexByName[name], kept.contains(index) else { return nil }
        return inherited.values[name]
    }

    /// Every entry as `KEY=VALUE`, inherited ones first.
    var entries: [String] {
        kept.map { String(cString: inherited.pointers[$0]) } + own.map { $0.key + "=" + $0.value }
    }

    /// Calls `body` with the NULL-terminated `envp`: the shared inherited strings and
    /// copies of the task's own, freed afterwards.
    func withEnvironmentPointers<R>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = []
        pointers.reserveCapacity(kept.count + own.count + 1)
        for index in kept { pointers.append(inherited.pointers[index]) }
        let copies = own.map { strdup($0.key + "=" + $0.value) }
        pointers += copies
        pointers.append(nil)
        defer { for copy in copies { free(copy) } }
        return withExtendedLifetime(inherited) { pointers.withUnsafeBufferPointer { body($0.baseAddress!) } }
    }
}
