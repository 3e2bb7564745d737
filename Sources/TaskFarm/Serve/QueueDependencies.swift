/// The queue's `--after` rule, PBS's `afterok`: a task waits until every parent has
/// succeeded; a parent that fails, times out or is cancelled cancels it, with the reason.
/// Pure bookkeeping, so it is tested without MPI.
public struct QueueDependencies: Sendable {
    /// What becomes of a task when it is submitted.
    public enum Admission: Equatable, Sendable {
        /// Every parent has succeeded (or there are none): it may start.
        case ready
        /// It waits for parents that have not ended.
        case held
        /// A parent already failed: it is cancelled with this reason.
        case cancelled(reason: String)
    }

    /// Held task → parents not yet succeeded.
    private var waitingOn: [Int: Set<Int>] = [:]
    /// Parent → held tasks waiting on it.
    private var children: [Int: [Int]] = [:]

    /// No task held.
    public init() {}

    /// Tasks held now.
    public var heldCount: Int { waitingOn.count }

    /// Admits `task` whose parents are `parents`, given each parent's current state.
    public mutating func admit(_ task: Int, parents: [Int], stateOf: (Int) -> TaskState) -> Admission {
        var open = Set<Int>()
        for parent in parents {
            let state = stateOf(parent)
            if state == .succeeded { continue }
            if state.isFinal { return .cancelled(reason: Self.reason(parent: parent, state: state)) }
            open.insert(parent)
        }
        guard !open.isEmpty else { return .ready }
        waitingOn[task] = open
        for parent in open { children[parent, default: []].append(task) }
        return .held
    }

    /// A task ended in `state` (a final one): the held tasks it releases, and those it cancels.
    public mutating func ended(_ task: Int, state: TaskState) -> (released: [Int], cancelled: [(task: Int, reason: String)]) {
        guard let waiting = children.removeValue(forKey: task) else { return ([], []) }
        var released: [Int] = []
        var cancelled: [(task: Int, reason: String)] = []
        for child in waiting {
            guard var open = waitingOn[child] else { continue }  // already cancelled by another parent
            if state == .succeeded {
                open.remove(task)
                if open.isEmpty {
                    waitingOn[child] = nil
                    released.append(child)
                } else {
                    waitingOn[child] = open
                }
            } else {
                waitingOn[child] = nil
                cancelled.append((child, Self.reason(parent: task, state: state)))
            }
        }
        return (released, cancelled)
    }

    /// Forgets a held task that was cancelled directly.
    public mutating func forget(_ task: Int) { waitingOn[task] = nil }

    private static func reason(parent: Int, state: TaskState) -> String {
        "parent task \(parent) \(state == .cancelled ? "was cancelled" : state == .failed ? "failed" : state.description) (afterok)"
    }
}
