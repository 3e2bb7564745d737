// swift-tools-version: 6.0
// TaskFarm's benchmarks: a package of its own so that CI, which builds the root package, never
// builds it. Most of the harness is Python and C (bench/, peers/); this package holds the Swift
// side of the in-process dispatch benchmark, which needs the farm's service API (a later issue).
import PackageDescription

let package = Package(
    name: "TaskFarmBenchmarks",
    platforms: [.macOS(.v13)],
    targets: [
        // Slot: a registered no-op function driven through the farm at chunk sizes 1 and 100, with
        // `--name-server-rank 0`, printing `tasks_per_second=<float>` like peers/c/mpi_dispatch.c,
        // and its hand-out-to-result latency (p50, p99, max) through hdrhistogram-swift.
        // Until the service API exists it only says so.
        .executableTarget(name: "dispatch-bench"),
    ],
    swiftLanguageModes: [.v6]
)
