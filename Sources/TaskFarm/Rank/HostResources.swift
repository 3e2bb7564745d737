import CTaskSpawn
import Foundation
import JobSpec

/// The command line's word on the hosts' resources (`--cpus-per-host`, `--memory-per-host`,
/// `--gpus-per-host`, `--slots-per-worker`, `--bind`): what it overrides of what each rank
/// finds (``HostResources``).
public struct HostResourceOptions: Sendable, Equatable {
    /// `--cpus-per-host N`: the cores of every host's pool, instead of those found.
    public var cpusPerHost: Int?
    /// `--memory-per-host SIZE`, in MiB: every host's memory for tasks, instead of that found.
    public var memoryPerHostMiB: Int?
    /// Every host's GPU ids, instead of those found (an empty list: no GPUs):
    /// `--gpus-per-host N` gives `0` ... `N-1`, `--gpu-ids-per-host ID,ID,...` the ids named.
    public var gpusPerHost: [String]?
    /// `--slots-per-worker N` (the older way): each worker adds N cores to its host's pool,
    /// instead of the CPUs the ranks were given.
    public var slotsPerWorker: Int?
    /// `--bind` (the default; `--no-bind`): pin each task to the CPUs it holds, where the
    /// host's CPU numbers are real.
    public var bind = true

    /// Options; every argument is the property of the same name.
    public init(cpusPerHost: Int? = nil, memoryPerHostMiB: Int? = nil, gpusPerHost: [String]? = nil,
                slotsPerWorker: Int? = nil, bind: Bool = true) {
        self.cpusPerHost = cpusPerHost
        self.memoryPerHostMiB = memoryPerHostMiB
        self.gpusPerHost = gpusPerHost
        self.slotsPerWorker = slotsPerWorker
        self.bind = bind
    }
}

/// What one rank finds of its host's cores, memory and GPUs at start, as its worker ad
/// reports them; the scheduler merges the ads of one host into its pool (``HostPool``).
///
/// - cores: the CPUs of the rank's affinity mask (`sched_getaffinity`), and the batch
///   system's count where it gives one (`SLURM_CPUS_ON_NODE`; PBS's `NCPUS`, Torque's
///   `PBS_NUM_PPN`) as a limit;
/// - memory: `MemTotal` of /proc/meminfo, or the cgroup's limit where smaller
///   (`memory.max`, cgroup v1's `memory.limit_in_bytes`);
/// - GPUs: NVIDIA's from /proc/driver/nvidia/gpus, AMD's from /sys/class/kfd (nodes with a
///   `gfx_target_version`), numbered from 0, or exactly the allocation's
///   `CUDA_VISIBLE_DEVICES`, `ROCR_VISIBLE_DEVICES` or `SLURM_JOB_GPUS` where set.
public enum HostResources {
    /// The CPU numbers this process may run on, ascending; empty when they cannot be read.
    static var affinityCPUs: [Int] {
        var cpus = [Int32](repeating: 0, count: 1024)
        let count = cpus.withUnsafeMutableBufferPointer { tf_affinity_cpus($0.baseAddress, Int32($0.count)) }
        return count > 0 ? cpus.prefix(Int(count)).map(Int.init) : []
    }

    /// Whether this process may already run on every CPU the system has configured, as a
    /// task given "every CPU" would (`tf_spawn`'s widening sets 0 ..< `_SC_NPROCESSORS_CONF`);
    /// false when the mask cannot be read.
    static var affinityCoversEveryCPU: Bool {
        let configured = sysconf(Int32(_SC_NPROCESSORS_CONF))
        return configured > 0 && affinityCPUs == Array(0..<configured)
    }

    /// The batch system's count of this host's CPUs for the job: `SLURM_CPUS_ON_NODE`,
    /// PBS Pro's `NCPUS` or Torque's `PBS_NUM_PPN`, the smallest given; `nil` when none is.
    public static func batchCPULimit(environment: [String: String]) -> Int? {
        ["SLURM_CPUS_ON_NODE", "NCPUS", "PBS_NUM_PPN"].compactMap { environment[$0].flatMap { Int($0) } }
            .filter { $0 > 0 }.min()
    }

    /// The memory for tasks in bytes: `memTotal`, or `cgroupLimit` where it is smaller
    /// (`max`, or a value beyond the machine's memory, means no limit).
    public static func memoryBytes(memTotal: Int, cgroupLimit: String?) -> Int {
        guard let text = cgroupLimit?.trimmingCharacters(in: .whitespacesAndNewlines), let limit = Int(text), limit > 0
        else { return memTotal }
        return min(memTotal, limit)
    }

    /// The GPU ids of the host for the job: the allocation's list where one is set
    /// (`CUDA_VISIBLE_DEVICES`, then `ROCR_VISIBLE_DEVICES`, then `SLURM_JOB_GPUS`; an empty
    /// value or `-1`/`NoDevFiles` means none), else 0 ..< `found`.
    public static func gpuIDs(environment: [String: String], found: Int) -> [String] {
        for name in ["CUDA_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "SLURM_JOB_GPUS"] {
            guard let value = environment[name] else { continue }
            let ids = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if ids.isEmpty || ids == ["-1"] || ids == ["NoDevFiles"] { return [] }
            return ids
        }
        return (0..<max(0, found)).map(String.init)
    }

    /// GPUs the drivers list: NVIDIA's /proc/driver/nvidia/gpus entries, plus AMD's kfd
    /// topology nodes that are GPUs (a non-zero `gfx_target_version`).
    static var installedGPUs: Int {
        let files = FileManager.default
        let nvidia = (try? files.contentsOfDirectory(atPath: "/proc/driver/nvidia/gpus"))?.count ?? 0
        let nodes = "/sys/class/kfd/kfd/topology/nodes"
        let amd = ((try? files.contentsOfDirectory(atPath: nodes)) ?? []).filter { node in
            guard let text = try? String(contentsOfFile: "\(nodes)/\(node)/properties", encoding: .utf8) else { return false }
            return text.split(separator: "\n").contains { line in
                line.hasPrefix("gfx_target_version") && line.split(separator: " ").last.map { $0 != "0" } == true
            }
        }.count
        return nvidia + amd
    }

    /// The cgroup memory limit of this process, as the file holds it, or `nil`.
    static var cgroupMemoryLimit: String? {
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { return text }
        }
        return nil
    }

    /// This host's pool as one rank finds it (``found(environment:options:)``), for `check`.
    public static func capacity(environment: [String: String], options: HostResourceOptions) -> HostCapacity {
        let found = found(environment: environment, options: options)
        let ad = WorkerAd(rank: 0, host: HostFacts.hostName, cores: HostFacts.cores, memoryBytes: found.memoryBytes,
                          slots: 1, cpuIDs: found.cpus, cpuLimit: found.cpuLimit, gpuIDs: found.gpus)
        let pool = HostPool.merging([ad])
        return HostCapacity(host: pool.host, pool: pool.capacity)
    }

    /// The facts this rank reports for its host's pool: its CPUs and the count they are
    /// cut to, the memory (bytes) and the GPU ids, each overridden by `options`.
    static func found(environment: [String: String], options: HostResourceOptions)
        -> (cpus: [Int], cpuLimit: Int, memoryBytes: Int, gpus: [String]) {
        var cpus = options.slotsPerWorker == nil ? affinityCPUs : []
        var limit = 0
        if let declared = options.cpusPerHost {
            limit = declared
        } else if options.slotsPerWorker == nil, let batch = batchCPULimit(environment: environment) {
            limit = batch
        }
        if cpus.isEmpty, options.slotsPerWorker == nil, options.cpusPerHost == nil { cpus = Array(0..<HostFacts.cores) }
        let memory = options.memoryPerHostMiB.map { $0 * 1024 * 1024 }
            ?? memoryBytes(memTotal: HostFacts.memoryBytes, cgroupLimit: cgroupMemoryLimit)
        let gpus = options.gpusPerHost ?? gpuIDs(environment: environment, found: installedGPUs)
        return (cpus, limit, memory, gpus)
    }
}
