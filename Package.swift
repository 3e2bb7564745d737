// swift-tools-version: 6.0
// TaskFarm: a task farm inside one MPI allocation, and the Swift MPI library under it.
import PackageDescription

let package = Package(
    name: "TaskFarm",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "MPI", targets: ["MPI"]),
        .library(name: "JobSpec", targets: ["JobSpec"]),
        .library(name: "TaskFarm", targets: ["TaskFarm"]),
        .executable(name: "taskfarm", targets: ["taskfarm"]),
        // DRMAA 1.0's C binding against a served farm: libdrmaa.so, for DRMAA_LIBRARY_PATH.
        .library(name: "drmaa", type: .dynamic, targets: ["DRMAA"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // The Open MPI C library, found through pkg-config (`ompi-c`).
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        // Open MPI's predefined handles are macros over globals; this exposes them as functions.
        .target(name: "CMPIShims", dependencies: ["CMPI"]),
        // The task spawner: vfork + exec with the child set up in C (process group, signals, fds).
        .target(name: "CTaskSpawn"),
        .target(name: "MPI", dependencies: ["CMPI", "CMPIShims"], exclude: ["README.md"]),
        .target(name: "JobSpec", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        .target(
            name: "TaskFarm",
            dependencies: [
                "MPI", "JobSpec", "CTaskSpawn",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "taskfarm",
            dependencies: [
                "TaskFarm", "JobSpec",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "DRMAA", dependencies: ["TaskFarm", "JobSpec"], exclude: ["include-c"]),
        // Starts programs for the tests without Foundation's Process (see ChildProcess).
        .target(name: "TestSupport", dependencies: ["CTaskSpawn"], path: "Tests/TestSupport"),
        .testTarget(name: "MPITests", dependencies: ["MPI", "TestSupport"]),
        .testTarget(name: "JobSpecTests", dependencies: ["JobSpec"], exclude: ["Fixtures"]),
        .testTarget(name: "TaskFarmTests", dependencies: ["TaskFarm", "JobSpec", "MPI", "TestSupport", "DRMAA"]),
        .testTarget(name: "EndToEndTests", dependencies: ["JobSpec", "TestSupport"], exclude: ["Fixtures"]),
        // The MPI library's examples and its multi-rank test programs (MPITests runs them under mpirun).
        .executableTarget(name: "mpi-ring", dependencies: ["MPI"], path: "Examples/MPI/Ring"),
        .executableTarget(name: "mpi-pi", dependencies: ["MPI"], path: "Examples/MPI/Pi"),
        .executableTarget(name: "mpi-master-worker", dependencies: ["MPI"], path: "Examples/MPI/MasterWorker"),
        .executableTarget(name: "queue-services", dependencies: ["TaskFarm"], path: "Examples/queue/Services"),
        .executableTarget(name: "mpi-selftest", dependencies: ["MPI"], path: "Tests/MPIPrograms/SelfTest"),
        .executableTarget(name: "mpi-must-fail", dependencies: ["MPI"], path: "Tests/MPIPrograms/MustFail"),
        .executableTarget(name: "mpi-threads", dependencies: ["MPI"], path: "Tests/MPIPrograms/Threads"),
        .executableTarget(
            name: "mpi-exit-without-finalize", dependencies: ["MPI"], path: "Tests/MPIPrograms/ExitWithoutFinalize"
        ),
    ],
    swiftLanguageModes: [.v6]
)
