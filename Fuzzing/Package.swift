// swift-tools-version: 6.0
// TaskFarm's fuzz targets, for libFuzzer: one executable per parser of untrusted input.
// A package of its own (in Fuzzing/, a folder name no checkout of the main package takes),
// so that the main package's build, tests and CI flags stay as they are. Scripts/fuzz.sh
// builds it into .build-fuzz with AddressSanitizer and libFuzzer's coverage, links
// libFuzzer's driver, and runs each target on its seed corpus (Fuzzing/Corpus/<target>).
// See docs/fuzzing.md.
import PackageDescription

/// The main package, one folder up. SwiftPM names a package given by path after its folder
/// (whatever the checkout is called), so products are looked up under that name.
let mainPackage = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "taskfarm").lowercased()
let jobSpec = Target.Dependency.product(name: "JobSpec", package: mainPackage)
let taskFarm = Target.Dependency.product(name: "TaskFarm", package: mainPackage)

/// The fuzz targets: the name (also the corpus folder) and the main package's modules each
/// one reads. Each one's main hands its test function to libFuzzer's driver (FuzzDriver).
let targets: [(name: String, modules: [Target.Dependency])] = [
    ("tasklist", [jobSpec]),
    ("submit", [jobSpec]),
    ("pbs", [jobSpec]),
    ("slurm", [jobSpec]),
    ("dag", [jobSpec]),
    ("classad", [jobSpec]),
    ("journal", [jobSpec, taskFarm]),
    ("client-frames", [jobSpec, taskFarm, .product(name: "NIOCore", package: "swift-nio"),
                       .product(name: "NIOEmbedded", package: "swift-nio")]),
]

let package = Package(
    name: "TaskFarmFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // What several targets share: turning libFuzzer's bytes into input, and building a
        // job's tasks the way `check` and `run` do.
        .target(name: "FuzzSupport", dependencies: [jobSpec, "CFuzzerDriver"]),
        // libFuzzer's driver entry point, declared for Swift.
        .target(name: "CFuzzerDriver"),
    ] + targets.map { target in
        .executableTarget(
            name: "fuzz-\(target.name)",
            dependencies: ["FuzzSupport"] + target.modules,
            path: "Sources/\(target.name)"
        )
    },
    swiftLanguageModes: [.v6]
)
