/// A job id as a user passes it to `qdel`, `scancel`, `condor_rm`, a dependency or DRMAA:
/// a job number and, for one array element, its index (PBS, Slurm) or proc (HTCondor).
///
/// Accepted: PBS `12`, `12.server`, `12[]`, `12[].server`, `12[3]`, `12[3].server`;
/// Slurm `12`, `12_3`; HTCondor `12`, `12.3`.
public struct FrontEndJobID: Sendable, Equatable, CustomStringConvertible {
    /// The job number (the first task's queue id + 1, ``FrontEndJob/number``; HTCondor's cluster).
    public var job: Int
    /// The element: the array index (PBS, Slurm) or the proc (HTCondor); `nil` for the
    /// whole job.
    public var element: Int?

    /// A whole job, or one element of it.
    public init(job: Int, element: Int? = nil) {
        self.job = job
        self.element = element
    }

    /// Reads `text` as `scheduler` writes job ids.
    ///
    /// - Throws: ``ClientError`` of kind ``ClientError/Kind-swift.enum/invalid`` naming the text.
    public init(parsing text: String, scheduler: FrontEndJob.Scheduler) throws(ClientError) {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard let job = Int(digits) else {
            throw ClientError("'\(text)' is not a job id", kind: .invalid)
        }
        self.job = job
        var rest = text.dropFirst(digits.count)
        switch scheduler {
        case .pbs:
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { throw ClientError("'\(text)' is not a job id", kind: .invalid) }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                if !inside.isEmpty {
                    guard let index = Int(inside) else { throw ClientError("'\(text)' is not a job id", kind: .invalid) }
                    element = index
                }
                rest = rest[rest.index(after: close)...]
            }
            guard rest.isEmpty || rest.hasPrefix(".") else { throw ClientError("'\(text)' is not a job id", kind: .invalid) }
        case .slurm:
            if rest.hasPrefix("_") {
                guard let index = Int(rest.dropFirst()) else { throw ClientError("'\(text)' is not a job id", kind: .invalid) }
                element = index
            } else if !rest.isEmpty {
                throw ClientError("'\(text)' is not a job id", kind: .invalid)
            }
        case .condor, .drmaa:
            if rest.hasPrefix(".") {
                guard let proc = Int(rest.dropFirst()) else { throw ClientError("'\(text)' is not a job id", kind: .invalid) }
                element = proc
            } else if !rest.isEmpty {
                throw ClientError("'\(text)' is not a job id", kind: .invalid)
            }
        }
    }

    /// `12` or `12.3`.
    public var description: String { element.map { "\(job).\($0)" } ?? String(job) }

    /// The queue ids this id names, read from the farm: every task of the job, or the one
    /// element.
    ///
    /// - Throws: ``ClientError`` (kind ``ClientError/Kind-swift.enum/invalid``) when the
    ///   queue has no such job or element.
    public func taskIDs(in client: QueueClient) throws(ClientError) -> [Int] {
        guard let first = FrontEndJob.queueID(ofNumber: job) else {
            throw ClientError("Unknown Job Id \(description): job numbers start at 1", kind: .invalid)
        }
        let listing: [QueuedTask]
        do {
            listing = try client.tasks([first]).tasks
        } catch {
            guard error.kind == .invalid else { throw error }
            throw ClientError("Unknown Job Id \(description)", kind: .invalid)
        }
        guard let head = listing.first else { throw ClientError("Unknown Job Id \(description)", kind: .invalid) }
        if let headFirst = head.attributes[FrontEndJob.Key.job].flatMap(Int.init), headFirst != first {
            throw ClientError("Unknown Job Id \(description): it is part of job \(FrontEndJob.number(ofQueueID: headFirst))",
                              kind: .invalid)
        }
        let count = head.attributes[FrontEndJob.Key.count].flatMap(Int.init) ?? 1
        let ids = Array(first..<(first + count))
        guard let element else { return ids }
        let tasks = try client.tasks(ids).tasks
        if let task = tasks.first(where: { $0.attributes[FrontEndJob.Key.index] == String(element) }) { return [task.id] }
        // HTCondor's procs and DRMAA count from 0 without an index attribute.
        if head.attributes[FrontEndJob.Key.index] == nil || head.attributes[FrontEndJob.Key.scheduler] == "condor",
           element >= 0, element < count {
            return [first + element]
        }
        throw ClientError("Unknown Job Id \(description): job \(job) has no element \(element)", kind: .invalid)
    }
}
