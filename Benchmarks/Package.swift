// swift-tools-version: 6.2
import PackageDescription

// Micro-benchmarks of the per-record hot path, kept out of the main package so that its build,
// its tests and CI do not compile the benchmark framework. Run with `swift package benchmark`
// from this folder; see README.md.
let package = Package(
    name: "TributaryBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Tributary", path: ".."),
        // The interposer counts mallocs on Swift 6.3 and later; the ARC interposer trait is left
        // off (ARC counts are not measured here).
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The benchmark plugin looks for benchmark sources under Benchmarks/<target>.
        .executableTarget(
            name: "HotPath",
            dependencies: [
                .product(name: "Tributary", package: "Tributary"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/HotPath",
            swiftSettings: [
                .treatAllWarnings(as: .error),
                .enableUpcomingFeature("ExistentialAny"),
            ],
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ]
)
