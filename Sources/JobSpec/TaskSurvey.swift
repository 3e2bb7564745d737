/// What every task of a job has in common, and where its distinct resource requests first
/// appear, gathered while the tasks are made once (a submit description's procs, when the
/// file is read), so that `check`'s listing header and the capacity check
/// (``HostCapacity/firstRefusal(in:hosts:)``) need not make every task again.
///
/// Both answers are those of a pass over every task in position order: the survey only
/// saves that pass, and changes nothing it finds.
public struct TaskSurvey: Sendable {
    /// The most distinct requests whose first positions are kept; a job with more (a
    /// request that grows with `$(Process)`) is checked task by task instead.
    static let maximumRequests = 4096

    /// The variables every task so far sets to the same value (``TaskEnvironment/overrides``).
    public private(set) var sharedEnvironment: [String: String] = [:]
    /// The position of the first task with each distinct request, in position order, or
    /// `nil` when there were more than ``maximumRequests`` of them.
    public private(set) var requestPositions: [Int]? = []
    private var requests = Set<ResourceRequest>()
    private var tasks = 0

    /// An empty survey.
    public init() {}

    /// Counts the task at the next position (tasks must come in position order).
    public mutating func add(_ task: TaskSpec) {
        if tasks == 0 {
            sharedEnvironment = task.environment.overrides
        } else if !sharedEnvironment.isEmpty {
            let overrides = task.environment.overrides
            // Most tasks share everything: remove nothing, copy nothing.
            if sharedEnvironment.contains(where: { overrides[$0.key] != $0.value }) {
                sharedEnvironment = sharedEnvironment.filter { overrides[$0.key] == $0.value }
            }
        }
        if requestPositions != nil {
            let request = ResourceRequest(task)
            if requests.insert(request).inserted {
                if requests.count > Self.maximumRequests {
                    requestPositions = nil
                    requests = []
                } else {
                    requestPositions?.append(task.position)
                }
            }
        }
        tasks += 1
    }
}
