// swift-tools-version: 6.2
import PackageDescription

// Fuzz targets for libFuzzer, kept out of the main package so its build and tests stay as they are.
// Build and run them with scripts/fuzz (it passes --sanitize fuzzer --sanitize address).
// The main package is a path dependency: its identity is the name of the folder it is checked out in.
let root = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "Tributary"

// The entry point is LLVMFuzzerTestOneInput, so the file is not a script with top-level code.
let fuzzTarget: [SwiftSetting] = [
    .unsafeFlags(["-parse-as-library"]),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "TributaryFuzz",
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "DecoderFuzz",
            dependencies: [.product(name: "Tributary", package: root)],
            swiftSettings: fuzzTarget
        ),
        .executableTarget(
            name: "ExpressionFuzz",
            dependencies: [.product(name: "Tributary", package: root)],
            swiftSettings: fuzzTarget
        ),
        .executableTarget(
            name: "CheckpointFuzz",
            dependencies: [.product(name: "Tributary", package: root)],
            swiftSettings: fuzzTarget
        ),
    ]
)
