import JobSpec

extension WorkerAd {
    /// The worker's machine ad as HTCondor's matchmaking sees it: `Machine` (host),
    /// `Cpus` (the cores of its host's pool), `TotalCpus` (the host's online CPUs),
    /// `Memory` (the pool's memory, MiB), `GPUs` (the pool's GPUs, on a host that has some), `Disk` (KiB free in the
    /// working directory), `Arch`, `OpSys`, and the non-HTCondor `TaskFarmRank`.
    ///
    /// Source: HTCondor manual, "Machine ClassAd Attributes".
    public var classAd: ClassAd {
        var ad: ClassAd = [
            "Machine": .string(host),
            "Cpus": .integer(slots),
            "TotalCpus": .integer(cores),
            "Memory": .integer(memoryBytes / (1024 * 1024)),
            "Disk": .integer(diskKiB),
            "Arch": .string(arch),
            "OpSys": .string(opSys),
            "TaskFarmRank": .integer(rank),
        ]
        // As HTCondor advertises it: only on a host with GPUs (elsewhere `GPUs` is undefined).
        if !gpuIDs.isEmpty { ad["GPUs"] = .integer(gpuIDs.count) }
        return ad
    }
}
