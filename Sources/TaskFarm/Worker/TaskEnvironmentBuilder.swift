import JobSpec

/// Builds each task's environment from the rank's own, once per task, cheaply.
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

    private let inherited: [(key: String, value: String)]
    private let inheritedByName: [String: String]

    /// - Parameter environment: the rank's environment.
    init(environment: [String: String]) {
        let kept = environment.filter { entry in
            Self.userSettings.contains(entry.key) || !Self.launcherPrefixes.contains { entry.key.hasPrefix($0) }
        }
        inherited = kept.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
        inheritedByName = kept
    }

    /// The value of `name` in the rank's environment, after removing the launcher's.
    func inheritedValue(_ name: String) -> String? { inheritedByName[name] }

    /// `KEY=VALUE` entries for a task: its base, then `extra` (the farm's variables),
    /// then the format's own overrides, later ones winning.
    func entries(for environment: TaskEnvironment, extra: [(String, String)]) -> [String] {
        var overrides = extra
        for (key, value) in environment.overrides.sorted(by: { $0.key < $1.key }) {
            overrides.append((key, value))
        }
        var overridden = Set<String>()
        overridden.reserveCapacity(overrides.count)
        for (key, _) in overrides { overridden.insert(key) }

        var result: [String] = []
        switch environment {
        case .inherit:
            result.reserveCapacity(inherited.count + overrides.count)
            for entry in inherited where !overridden.contains(entry.key) {
                result.append(entry.key + "=" + entry.value)
            }
        case .clean:
            break
        case .inheritOnly(let names, _):
            for name in names where !overridden.contains(name) {
                if let value = inheritedByName[name] { result.append(name + "=" + value) }
            }
        }
        var seen = Set<String>()
        for (key, value) in overrides.reversed() where seen.insert(key).inserted {
            result.append(key + "=" + value)
        }
        return result
    }
}
