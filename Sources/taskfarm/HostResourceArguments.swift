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

    @Option(name: .long, help: "GPU ids of each host, comma-separated, as CUDA_VISIBLE_DEVICES names them (default: those the drivers list, or the allocation's CUDA_VISIBLE_DEVICES); none for no GPUs.")
    var gpusPerHost: String?

    func validate() throws {
        if let cpusPerHost, let expected = FarmLimits.slotsProblem(cpusPerHost) {
            throw ValidationError("--cpus-per-host \(cpusPerHost): expected \(expected)")
        }
        if let memoryPerHost, TaskListResources.mebibytes(memoryPerHost) == nil {
            throw ValidationError("--memory-per-host '\(memoryPerHost)': expected a size such as 4000 (MiB), 500M or 64G")
        }
        if let gpusPerHost, gpuIDs(gpusPerHost) == nil {
            throw ValidationError("--gpus-per-host '\(gpusPerHost)': expected distinct GPU ids such as 0,1,2,3 (or none)")
        }
    }

    /// The overrides, for the farm's ranks.
    var options: HostResourceOptions {
        HostResourceOptions(cpusPerHost: cpusPerHost, memoryPerHostMiB: memoryPerHost.flatMap(TaskListResources.mebibytes),
                            gpusPerHost: gpusPerHost.flatMap(gpuIDs))
    }

    /// `--gpus-per-host`'s ids (`none` or empty: no GPUs), or `nil` when an id is empty,
    /// holds a blank or repeats.
    private func gpuIDs(_ text: String) -> [String]? {
        if text.lowercased() == "none" || text.isEmpty { return [] }
        let ids = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard ids.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }), Set(ids).count == ids.count
        else { return nil }
        return ids
    }
}
