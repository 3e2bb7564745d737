/// What a worker tells the name server about itself when it starts: the facts a
/// scheduler matches tasks against (HTCondor calls this the machine ad).
public struct WorkerAd: Sendable, Equatable {
    /// The worker's rank in the world communicator.
    public var rank: Int
    /// The host name (`gethostname`).
    public var host: String
    /// Online CPUs on the host.
    public var cores: Int
    /// Physical memory of the host, in bytes.
    public var memoryBytes: Int
    /// Task slots the worker offers (`--slots-per-worker`).
    public var slots: Int
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
                diskKiB: Int = 0, arch: String = "", opSys: String = "LINUX") {
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
    }

    init(from reader: inout WireReader) throws(WireError) {
        self.init(rank: try reader.readInt(), host: try reader.readString(), cores: try reader.readInt(),
                  memoryBytes: try reader.readInt(), slots: try reader.readInt(), services: try reader.readStrings(),
                  diskKiB: try reader.readInt(), arch: try reader.readString(), opSys: try reader.readString())
    }
}
