// swift-tools-version: 6.0
// The Swift side of Benchmarks/mpi-pingpong.sh. A separate package so that building the
// root package (and CI) does not build the benchmark.
import PackageDescription

// A path dependency's identity is its directory name, which depends on the clone.
let rootIdentity = Context.packageDirectory.split(separator: "/").dropLast(2).last.map(String.init) ?? "taskfarm"

let package = Package(
    name: "MPIPingPong",
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "swift-pingpong",
            dependencies: [.product(name: "MPI", package: rootIdentity)],
            path: "Sources/SwiftPingPong"
        ),
    ],
    swiftLanguageModes: [.v6]
)
