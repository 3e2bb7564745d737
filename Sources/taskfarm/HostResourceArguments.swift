import ArgumentParser
import JobSpec
import TaskFarm

/// What the command line says of every host's resources: `run`, `serve` and `check` share
/// it (`check` measures tasks' requests against them).
struct HostResourceArguments: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: "Cores of each host's pool, shared by its workers (default: the CPUs the ranks on it may use, cut to SLURM_CPUS_ON_NODE or PBS's NCPUS).")
    var cpusPerHost: Int?

    @Option(name: .long, parsing: .unconditional, help: "Memory of each host for tasks: 4000 (MiB), 500M, 64G (default: MemTotal, or the cgroup's limit).")
    var memoryPerHost: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "How many GPUs each host has, a count as Slurm's --gpus-per-node=N: 4 means ids 0,1,2,3 and 0 means none (default: those the drivers list, or the allocation's CUDA_VISIBLE_DEVICES). A count, never an id: to name ids, use --gpu-ids-per-host.",
        valueName: "count"))
    var gpusPerHost: String?

    @Option(name: .long, help: ArgumentHelp(
        "The GPU ids of each host, comma-separated, as CUDA_VISIBLE_DEVICES names them (0,2 or GPU-<uuid>; none for no GPUs), instead of --gpus-per-host's count.",
        valueName: "id,id"))
    var gpuIdsPerHost: String?

    func validate() throws {
        if let cpusPerHost, let expected = FarmLimits.slotsProblem(cpusPerHost) {
            throw ValidationError("--cpus-per-host \(cpusPerHost): expected \(expected)")
        }
        if let memoryPerHost, TaskListResources.mebibytes(memoryPerHost) == nil {
            throw ValidationError("--memory-per-host '\(memoryPerHost)': expected a size such as 4000 (MiB), 500M or 64G")
        }
        if gpusPerHost != nil, gpuIdsPerHost != nil {
            throw ValidationError("--gpus-per-host and --gpu-ids-per-host both say what each host's GPUs are; give one")
        }
        if let gpusPerHost, gpuCount(gpusPerHost) == nil {
            let ids = gpusPerHost.contains(",") ? "; to name GPU ids, use --gpu-ids-per-host \(gpusPerHost)" : ""
            throw ValidationError("--gpus-per-host '\(gpusPerHost)': expected a count of GPUs from 0 to \(FarmLimits.maximumSlots), "
                                  + "as Slurm's --gpus-per-node (4: ids 0 to 3; 0: none)\(ids)")
        }
        if let gpuIdsPerHost, gpuIDs(gpuIdsPerHost) == nil {
            throw ValidationError("--gpu-ids-per-host '\(gpuIdsPerHost)': expected distinct GPU ids such as 0,2 (or none)")
        }
    }

    /// The overrides, for the farm's ranks.
    var options: HostResourceOptions {
        HostResourceOptions(cpusPerHost: cpusPerHost, memoryPerHostMiB: memoryPerHost.flatMap(TaskListResources.mebibytes),
                            gpusPerHost: gpusPerHost.flatMap(gpuCount).map { (0..<$0).map(String.init) }
                                ?? gpuIdsPerHost.flatMap(gpuIDs))
    }

    /// `--gpus-per-host`'s count (0 ... ``FarmLimits/maximumSlots``; `none`: 0), or `nil`
    /// when it is not a whole number in range. Slurm's `--gpus-per-node` and `--gres=gpu:N` count GPUs, so a
    /// bare number is a count here too: it once named one GPU id, so that `0` meant GPU 0.
    private func gpuCount(_ text: String) -> Int? {
        if text.lowercased() == "none" { return 0 }
        guard let count = Int(text), (0...FarmLimits.maximumSlots).contains(count) else { return nil }
        return count
    }

    /// `--gpu-ids-per-host`'s ids (`none` or empty: no GPUs), or `nil` when an id is empty,
    /// holds a blank or repeats.
    private func gpuIDs(_ text: String) -> [String]? {
        if text.lowercased() == "none" || text.isEmpty { return [] }
        let ids = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard ids.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }), Set(ids).count == ids.count
        else { return nil }
        return ids
    }
}
