/// The queue's dependency rules, PBS's and Slurm's `afterok`, `afterany` and `afternotok`:
/// a task waits until each parent has ended as its condition asks (succeeded, ended at
/// all, ended without succeeding); a parent that ends otherwise cancels it, with the
/// reason. Pure bookkeeping, so it is tested without MPI.
///
/// Source: PBS Professional Reference Guide, qsub `-W depend`; Slurm sbatch `--dependency`.
public struct QueueDependencies: Sendable {
    /// What a parent's end must be for its child to run.
    public enum Condition: String, Codable, Sendable, CaseIterable {
        /// The parent succeeded (`afterok`, the `--after` of `taskfarm submit`).
        case ok = "afterok"
        /// The parent ended, however (`afterany`).
        case any = "afterany"
        /// The parent ended without succeeding: failed, timed out or cancelled (`afternotok`).
        case notOK = "afternotok"

        /// Whether a parent that ended in `state` (a final state) satisfies the condition.
        func isMet(by state: TaskState) -> Bool {
            switch self {
            case .ok: return state == .succeeded
            case .any: return true
            case .notOK: return state != .succeeded
            }
        }
    }

    /// One parent of a task and the condition on its end.
    public struct Parent: Hashable, Codable, Sendable {
        /// The parent's task id.
        public var id: Int
        /// What its end must be.
        public var condition: Condition
        /// A parent `id` under `condition`.
        public init(id: Int, condition: Condition) {
            self.id = id
            self.condition = condition
        }
    }

    /// What becomes of a task when it is submitted.
    public enum Admission: Equatable, Sendable {
        /// Every parent has ended as asked (or there are none): it may start.
        case ready
        /// It waits for parents that have not ended.
        case held
        /// A parent already ended otherwise: it is cancelled with this reason.
        case cancelled(reason: String)
    }

    /// Held task → parents not yet ended.
    private var waitingOn: [Int: Set<Parent>] = [:]
    /// Parent id → held tasks waiting on it.
    private var children: [Int: [Int]] = [:]

    /// No task held.
    public init() {}

    /// Tasks held now.
    public var heldCount: Int { waitingOn.count }

    /// The parents a held task still waits for, or `[]`.
    public func openParents(of task: Int) -> [Parent] {
        (waitingOn[task] ?? []).sorted { ($0.id, $0.condition.rawValue) < ($1.id, $1.condition.rawValue) }
    }

    /// Admits `task` whose parents are `parents` (all `afterok`), given each parent's current state.
    public mutating func admit(_ task: Int, parents: [Int], stateOf: (Int) -> TaskState) -> Admission {
        admit(task, requiring: parents.map { Parent(id: $0, condition: .ok) }, stateOf: stateOf)
    }

    /// Admits `task` whose parents are `parents`, each with its condition, given each
    /// parent's current state.
    public mutating func admit(_ task: Int, requiring parents: [Parent], stateOf: (Int) -> TaskState) -> Admission {
        var open = Set<Parent>()
        for parent in parents {
            let state = stateOf(parent.id)
            if state.isFinal {
                if parent.condition.isMet(by: state) { continue }
                return .cancelled(reason: Self.reason(parent, state: state))
            }
            open.insert(parent)
        }
        guard !open.isEmpty else { return .ready }
        waitingOn[task] = open
        for id in Set(open.map(\.id)) { children[id, default: []].append(task) }
        return .held
    }

    /// A task ended in `state` (a final one): the held tasks it releases, and those it cancels.
    public mutating func ended(_ task: Int, state: TaskState) -> (released: [Int], cancelled: [(task: Int, reason: String)]) {
        guard let waiting = children.removeValue(forKey: task) else { return ([], []) }
        var released: [Int] = []
        var cancelled: [(task: Int, reason: String)] = []
        for child in waiting {
            guard var open = waitingOn[child] else { continue }  // already cancelled by another parent
            let edges = open.filter { $0.id == task }
            if let unmet = edges.first(where: { !$0.condition.isMet(by: state) }) {
                waitingOn[child] = nil
                cancelled.append((child, Self.reason(unmet, state: state)))
                continue
            }
            open.subtract(edges)
            if open.isEmpty {
                waitingOn[child] = nil
                released.append(child)
            } else {
                waitingOn[child] = open
            }
        }
        return (released, cancelled)
    }

    /// Forgets a held task that was cancelled directly.
    public mutating func forget(_ task: Int) { waitingOn[task] = nil }

    private static func reason(_ parent: Parent, state: TaskState) -> String {
        let what = state == .succeeded ? "succeeded" : state == .cancelled ? "was cancelled"
            : state == .failed ? "failed" : state.description
        return "parent task \(parent.id) \(what) (\(parent.condition.rawValue))"
    }
}
