import JobSpec

/// The cores, GPUs and memory a task holds while it runs (or will hold, when it waits
/// queued on its worker behind a task whose grant it takes over): CPU numbers, GPU ids
/// and MiB, all from its host's ``HostPool``.
public struct ResourceGrant: Sendable, Equatable {
    /// The CPU numbers (`sched_setaffinity` numbering when the pool's ``HostPool/bindable``;
    /// otherwise counters 0..<cores).
    public var cpus: [Int]
    /// The GPU ids, as `CUDA_VISIBLE_DEVICES` names them.
    public var gpus: [String]
    /// Memory in MiB (0: the task named none).
    public var memoryMiB: Int

    /// A grant; every argument is the property of the same name.
    public init(cpus: [Int], gpus: [String] = [], memoryMiB: Int = 0) {
        self.cpus = cpus
        self.gpus = gpus
        self.memoryMiB = memoryMiB
    }

    /// The part of this grant that `request` needs, taken from its front: what a task queued
    /// behind the holder takes over when the holder ends.
    func prefix(for request: ResourceRequest) -> ResourceGrant {
        ResourceGrant(cpus: Array(cpus.prefix(request.cores)), gpus: Array(gpus.prefix(request.gpus)),
                      memoryMiB: request.memoryMiB)
    }

    /// This grant without the CPUs, GPUs and memory of `part` (a prefix of it).
    func removing(_ part: ResourceGrant) -> ResourceGrant {
        ResourceGrant(cpus: Array(cpus.dropFirst(part.cpus.count)), gpus: Array(gpus.dropFirst(part.gpus.count)),
                      memoryMiB: memoryMiB - part.memoryMiB)
    }

    /// The amounts held.
    var amounts: ResourceRequest { ResourceRequest(cores: cpus.count, memoryMiB: memoryMiB, gpus: gpus.count) }
}

/// One host's resources, shared by every worker rank on it: its cores (by CPU number), its
/// GPUs (by id) and its memory, and which of them running tasks hold. A task takes its whole
/// request from one pool or does not start; each core and GPU goes to one task at a time.
///
/// Pure bookkeeping for ``SchedulerCore``: no MPI, no system calls.
public struct HostPool: Sendable, Equatable {
    /// The host's name, as its workers' ads give it.
    public let host: String
    /// Every CPU number of the pool, ascending.
    public let cpus: [Int]
    /// Whether ``cpus`` are the host's real CPU numbers (from the ranks' affinity), so a task
    /// may be pinned to them (`--bind`); declared counts are not.
    public let bindable: Bool
    /// Every GPU id of the pool, in the order found.
    public let gpus: [String]
    /// The host's memory for tasks, in MiB.
    public let memoryMiB: Int

    private var cpuFree: [Bool]
    private var gpuFree: [Bool]
    private var cpuIndex: [Int: Int]
    private var gpuIndex: [String: Int]
    /// Cores, GPUs and memory not held by any task.
    public private(set) var free: ResourceRequest

    /// A pool with everything free.
    public init(host: String, cpus: [Int], bindable: Bool, gpus: [String], memoryMiB: Int) {
        self.host = host
        self.cpus = cpus
        self.bindable = bindable
        self.gpus = gpus
        self.memoryMiB = max(0, memoryMiB)
        cpuFree = Array(repeating: true, count: cpus.count)
        gpuFree = Array(repeating: true, count: gpus.count)
        cpuIndex = Dictionary(cpus.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        gpuIndex = Dictionary(gpus.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        free = ResourceRequest(cores: cpus.count, memoryMiB: self.memoryMiB, gpus: gpus.count)
        free.cores = cpus.count
    }

    /// Everything the host has, free or not.
    public var capacity: ResourceRequest {
        var whole = ResourceRequest(cores: cpus.count, memoryMiB: memoryMiB, gpus: gpus.count)
        whole.cores = cpus.count
        return whole
    }

    /// Whether the host could ever hold `request`, with nothing else running.
    public func canEverHold(_ request: ResourceRequest) -> Bool { request.fits(in: capacity) }

    /// Whether `request` fits in what is free now.
    public func fitsNow(_ request: ResourceRequest) -> Bool { request.fits(in: free) }

    /// Takes `request` from the free resources: the lowest free CPU numbers and GPUs.
    ///
    /// - Returns: the grant, or `nil` (nothing taken) when it does not fit now.
    public mutating func take(_ request: ResourceRequest) -> ResourceGrant? {
        guard fitsNow(request) else { return nil }
        var grant = ResourceGrant(cpus: [], gpus: [], memoryMiB: request.memoryMiB)
        for index in cpuFree.indices where cpuFree[index] && grant.cpus.count < request.cores {
            cpuFree[index] = false
            grant.cpus.append(cpus[index])
        }
        for index in gpuFree.indices where gpuFree[index] && grant.gpus.count < request.gpus {
            gpuFree[index] = false
            grant.gpus.append(gpus[index])
        }
        free.cores -= grant.cpus.count
        free.gpus -= grant.gpus.count
        free.memoryMiB -= grant.memoryMiB
        return grant
    }

    /// Gives a grant (or the part of one) back: its CPUs, GPUs and memory are free again.
    /// Ids the pool does not hold, or holds free already, are ignored; memory is counted, so
    /// each grant must be given back once.
    public mutating func give(_ grant: ResourceGrant) {
        for cpu in grant.cpus {
            guard let index = cpuIndex[cpu], !cpuFree[index] else { continue }
            cpuFree[index] = true
            free.cores += 1
        }
        for gpu in grant.gpus {
            guard let index = gpuIndex[gpu], !gpuFree[index] else { continue }
            gpuFree[index] = true
            free.gpus += 1
        }
        free.memoryMiB = min(memoryMiB, free.memoryMiB + grant.memoryMiB)
    }

    /// The pool of the workers of one host, from their ads:
    /// - cores: the union of the ranks' CPUs (their affinity masks), cut to the smallest
    ///   count any of them was given (`--cpus-per-host`, `SLURM_CPUS_ON_NODE`, PBS's
    ///   `ncpus`); when the count is larger than the CPUs seen, or no CPUs were reported
    ///   (`--slots-per-worker`), counters 0..<count that cannot be bound;
    /// - GPUs: the union of the ids the ads list, in order;
    /// - memory: the largest of the ads' memory.
    public static func merging(_ ads: [WorkerAd]) -> HostPool {
        let host = ads.first?.host ?? ""
        var union = Set<Int>()
        var declared: Int?
        var slotSum = 0
        var gpus: [String] = []
        var memory = 0
        for ad in ads {
            union.formUnion(ad.cpuIDs)
            if ad.cpuLimit > 0 { declared = min(declared ?? .max, ad.cpuLimit) }
            slotSum += ad.slots
            for gpu in ad.gpuIDs where !gpus.contains(gpu) { gpus.append(gpu) }
            memory = max(memory, ad.memoryBytes / (1024 * 1024))
        }
        let real = union.sorted()
        let count = declared ?? (real.isEmpty ? slotSum : real.count)
        let cpus: [Int]
        let bindable: Bool
        if !real.isEmpty, count <= real.count {
            cpus = Array(real.prefix(count))
            bindable = true
        } else {
            cpus = Array(0..<max(1, count))
            bindable = false
        }
        return HostPool(host: host, cpus: cpus, bindable: bindable, gpus: gpus, memoryMiB: memory)
    }
}
