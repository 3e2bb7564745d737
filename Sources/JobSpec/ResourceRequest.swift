/// What one task asks of the host it runs on: cores, memory and GPUs, all taken from the
/// host's pool while it runs (Slurm's `--cpus-per-task`/`--mem`/`--gres=gpu:N`, HTCondor's
/// `request_cpus`/`request_memory`/`request_gpus`, PBS's `ncpus`/`mem`/`ngpus`).
///
/// Built from a ``TaskSpec`` by ``init(_:)``; the scheduler places tasks by it and `check`
/// refuses one that no host could ever hold.
public struct ResourceRequest: Sendable, Hashable {
    /// Cores, at least 1 (a task's ``TaskSpec/slots``).
    public var cores: Int
    /// Memory in MiB; 0 when the task names none (it is then not counted).
    public var memoryMiB: Int
    /// GPUs, each a whole device; 0 for none.
    public var gpus: Int

    /// A request; `cores` is raised to 1, negative amounts to 0.
    public init(cores: Int = 1, memoryMiB: Int = 0, gpus: Int = 0) {
        self.cores = max(1, cores)
        self.memoryMiB = max(0, memoryMiB)
        self.gpus = max(0, gpus)
    }

    /// The request of `task`: its slots, memory and GPUs.
    public init(_ task: TaskSpec) {
        self.init(cores: task.slots, memoryMiB: task.memoryMiB ?? 0, gpus: task.gpus ?? 0)
    }

    /// Whether every amount of this request is at most `other`'s.
    public func fits(in other: ResourceRequest) -> Bool {
        cores <= other.cores && memoryMiB <= other.memoryMiB && gpus <= other.gpus
    }

    /// `2 cores, 4096 MiB, 1 GPU`: the amounts asked for, for messages.
    public var summary: String {
        var parts = ["\(cores) core\(cores == 1 ? "" : "s")"]
        if memoryMiB > 0 { parts.append("\(memoryMiB) MiB") }
        if gpus > 0 { parts.append("\(gpus) GPU\(gpus == 1 ? "" : "s")") }
        return parts.joined(separator: ", ")
    }
}

/// Where each part of a task's resource request was written: the directive's own file and
/// line (`#SBATCH --cpus-per-task=64` at `array.slurm:3`, `request_cpus = 64` at
/// `job.sub:5`), so a refusal points at it rather than at the script's first line.
public struct RequestLines: Sendable, Equatable, Codable {
    /// The line that set the cores (`--cpus-per-task`, `request_cpus`, `ncpus`, `ppn`).
    public var cores: SourceLocation?
    /// The line that set the memory (`--mem`, `--mem-per-cpu`, `request_memory`, `mem`).
    public var memory: SourceLocation?
    /// The line that set the GPUs (`--gres`, `--gpus`, `request_gpus`, `ngpus`).
    public var gpus: SourceLocation?

    /// Lines; each argument is the property of the same name.
    public init(cores: SourceLocation? = nil, memory: SourceLocation? = nil, gpus: SourceLocation? = nil) {
        self.cores = cores
        self.memory = memory
        self.gpus = gpus
    }
}

/// The largest amounts one host offers, for the refusal of requests that can never fit
/// (``refusal(of:largest:)``): a host's cores, memory and GPUs, and its name.
public struct HostCapacity: Sendable, Equatable {
    /// The host's name.
    public var host: String
    /// Cores, memory (MiB) and GPUs of its pool.
    public var pool: ResourceRequest

    /// A capacity; every argument is the property of the same name.
    public init(host: String, pool: ResourceRequest) {
        self.host = host
        self.pool = pool
    }

    /// Why `task` can never run on any of `hosts`, naming the directive's file and line and
    /// the largest host, or `nil` when some host could hold it. A host counts only whole:
    /// cores, memory and GPUs must all fit on the same host.
    ///
    /// Example: `job.sub:4: request_cpus 64 can never be met: the largest host, node1, has 2 cores`.
    public static func refusal(of task: TaskSpec, hosts: [HostCapacity]) -> JobSpecError? {
        let request = ResourceRequest(task)
        guard !hosts.contains(where: { request.fits(in: $0.pool) }) else { return nil }
        // The dimension to blame: the first that no host meets, else cores.
        let largestCores = hosts.max { $0.pool.cores < $1.pool.cores }
        let largestMemory = hosts.max { $0.pool.memoryMiB < $1.pool.memoryMiB }
        let largestGPUs = hosts.max { $0.pool.gpus < $1.pool.gpus }
        let lines = task.requestLines ?? RequestLines()
        let location: SourceLocation
        let text: String
        if let host = largestCores, request.cores > host.pool.cores {
            location = lines.cores ?? task.source
            text = "asks for \(request.cores) cores, and the largest host, \(host.host), has \(host.pool.cores)"
        } else if let host = largestMemory, request.memoryMiB > host.pool.memoryMiB {
            location = lines.memory ?? task.source
            text = "asks for \(request.memoryMiB) MiB of memory, and the largest host, \(host.host), has \(host.pool.memoryMiB) MiB"
        } else if let host = largestGPUs, request.gpus > host.pool.gpus {
            location = lines.gpus ?? task.source
            text = "asks for \(request.gpus) GPU\(request.gpus == 1 ? "" : "s"), and the largest host, \(host.host), has \(host.pool.gpus == 0 ? "none" : String(host.pool.gpus))"
        } else {
            location = lines.cores ?? task.source
            let offers = hosts.map { "\($0.host): \($0.pool.summary)" }.joined(separator: "; ")
            text = "asks for \(request.summary) on one host, and no host has all of it (\(offers))"
        }
        return JobSpecError("task \(task.arrayIndex) \(text); it can never run (lower the request, or give the hosts' "
                            + "resources with --cpus-per-host, --memory-per-host or --gpus-per-host)", at: location)
    }
}

extension HostCapacity {
    /// The refusal of the first task of `job` that no host of `hosts` could ever hold (see
    /// ``refusal(of:hosts:)``), or `nil` when every task fits some host. An array script's
    /// elements share one request, and a task list's change only at its `#TASKFARM
    /// RESOURCES` lines, so those are checked once each; a job with a ``Job/survey`` (a
    /// submit description) at the first task of each distinct request it found; other jobs
    /// task by task, each distinct request once. The first task refused is always the first
    /// with its request, so each way names the same task.
    public static func firstRefusal(in job: any Job, hosts: [HostCapacity]) -> JobSpecError? {
        guard job.taskCount > 0 else { return nil }
        let positions: [Int]
        if job is ArrayJob {
            positions = [0]
        } else if let list = job as? TaskList {
            positions = list.requestSegmentStarts
        } else if let surveyed = job.survey?.requestPositions {
            positions = surveyed
        } else {
            positions = Array(0..<job.taskCount)
        }
        var fitting = Set<ResourceRequest>()
        for position in positions {
            let task = job.task(at: position)
            let request = ResourceRequest(task)
            guard !fitting.contains(request) else { continue }
            if let refusal = refusal(of: task, hosts: hosts) { return refusal }
            fitting.insert(request)
        }
        return nil
    }
}
