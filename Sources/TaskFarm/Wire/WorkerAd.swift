/// What a worker tells the name server about itself when it starts: the facts a
/// scheduler matches tasks against (HTCondor calls this the machine ad).
public struct WorkerAd: Sendable, Equatable {
    /// The worker's rank in the world communicator.
    public var rank: Int
    /// The host name (`gethostname`).
    public var host: String
    /// Online CPUs on the host: HTCondor's `TotalCpus`.
    public var cores: Int
    /// Memory of the host for tasks, in bytes: `MemTotal`, the cgroup's limit where smaller,
    /// or `--memory-per-host`.
    public var memoryBytes: Int
    /// As registered, the cores this worker adds to its host's pool when it reports no
    /// ``cpuIDs`` (`--slots-per-worker`); in the scheduler's copy, the pool's cores.
    public var slots: Int
    /// The CPU numbers this rank may run on (its affinity mask), from which the host's pool
    /// is the union; empty when not known or when `--slots-per-worker` counts instead.
    public var cpuIDs: [Int]
    /// The most cores the host's pool may have (`--cpus-per-host`, `SLURM_CPUS_ON_NODE`,
    /// PBS's `ncpus`), or 0 for no limit.
    public var cpuLimit: Int
    /// The host's GPU ids as `CUDA_VISIBLE_DEVICES` names them (found, or `--gpus-per-host`, `--gpu-ids-per-host`).
    public var gpuIDs: [String]
    /// Names of the services the worker offers.
    public var services: [String]
    /// Free space of the worker's working directory's file system, in KiB (`statvfs`), or
    /// 0 when unknown: HTCondor's `Disk`.
    public var diskKiB: Int
    /// The machine architecture as HTCondor names it (`X86_64`, `aarch64`): HTCondor's `Arch`.
    public var arch: String
    /// The operating system as HTCondor names it (`LINUX`): HTCondor's `OpSys`.
    public var opSys: String

    /// An ad; every argument is the property of the same name (`memoryBytes` in bytes,
    /// `diskKiB` in KiB).
    public init(rank: Int, host: String, cores: Int, memoryBytes: Int, slots: Int, services: [String] = [],
                diskKiB: Int = 0, arch: String = "", opSys: String = "LINUX", cpuIDs: [Int] = [], cpuLimit: Int = 0,
                gpuIDs: [String] = []) {
        self.cpuIDs = cpuIDs
        self.cpuLimit = cpuLimit
        self.gpuIDs = gpuIDs
        self.rank = rank
        self.host = host
        self.cores = cores
        self.memoryBytes = memoryBytes
        self.slots = slots
        self.services = services
        self.diskKiB = diskKiB
        self.arch = arch
        self.opSys = opSys
    }
}

extension WorkerAd: WireMessage {
    func write(to writer: inout WireWriter) {
        writer.write(rank, host, cores, memoryBytes, slots, services, diskKiB, arch, opSys)
        writer.write(cpuIDs.map(String.init))
        writer.write(cpuLimit)
        writer.write(gpuIDs)
    }

    init(from reader: inout WireReader) throws(WireError) {
        self.init(rank: try reader.readInt(), host: try reader.readString(), cores: try reader.readInt(),
                  memoryBytes: try reader.readInt(), slots: try reader.readInt(), services: try reader.readStrings(),
                  diskKiB: try reader.readInt(), arch: try reader.readString(), opSys: try reader.readString())
        cpuIDs = try reader.readStrings().compactMap { Int($0) }
        cpuLimit = try reader.readInt()
        gpuIDs = try reader.readStrings()
    }
}
