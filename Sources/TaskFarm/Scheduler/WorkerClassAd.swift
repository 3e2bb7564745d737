import JobSpec

extension WorkerAd {
    /// The worker's machine ad as HTCondor's matchmaking sees it: `Machine` (host),
    /// `Cpus` (the worker's slots), `Memory` (the host's memory, MiB), `Disk` (KiB free in
    /// the working directory), `Arch`, `OpSys`, and the non-HTCondor `TaskFarmRank`.
    ///
    /// Source: HTCondor manual, "Machine ClassAd Attributes".
    public var classAd: ClassAd {
        [
            "Machine": .string(host),
            "Cpus": .integer(slots),
            "Memory": .integer(memoryBytes / (1024 * 1024)),
            "Disk": .integer(diskKiB),
            "Arch": .string(arch),
            "OpSys": .string(opSys),
            "TaskFarmRank": .integer(rank),
        ]
    }
}
