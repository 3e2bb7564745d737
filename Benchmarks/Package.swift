// swift-tools-version: 6.0
// TaskFarm's benchmarks: a package of its own so that CI, which builds the root package, never
// builds it. Most of the harness is Python and C (bench/, peers/); this package holds the Swift
// side of the in-process dispatch benchmark, which drives the farm's service API.
import PackageDescription

let package = Package(
    name: "TaskFarmBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "TaskFarm", path: ".."),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // A registered no-op service driven through the broker with `ServiceClient.map` at a given
        // chunk size, printing `tasks_per_second=<float>` like peers/c/mpi_dispatch.c, then single
        // calls' hand-out-to-result latency (p50, p99, max) through hdrhistogram-swift.
        .executableTarget(
            name: "dispatch-bench",
            dependencies: [
                .product(name: "TaskFarm", package: "TaskFarm"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]),
        // Rank 0's CPU per task with 10 to 10,000 virtual workers: the real scheduler and name
        // server over the in-memory transport (TaskFarm's `SchedulerSimulation`).
        .executableTarget(
            name: "scheduler-sim",
            dependencies: [.product(name: "TaskFarm", package: "TaskFarm")]),
    ],
    swiftLanguageModes: [.v6]
)
