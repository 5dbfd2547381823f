// swift-tools-version:6.0
import PackageDescription

// Strictness lives in one place (as swift-log does): every target gets the same settings.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// One executor runs beside every task, hundreds per host, so its release link is about pages (BENCHMARKS.md has the
// measured before/after of each flag):
// - the standard library and Dispatch linked in: executors share one binary's pages instead of each relocating its own
//   copy of the shared Swift libraries;
// - libstdc++ and libgcc linked in too (see Linking/static-libstdc++): no shared libstdc++ mapped and relocated;
// - no PIE: a position-independent executable has ~25,000 relative relocations applied at start, each dirtying a
//   page of data that would otherwise stay shared with every other executor. The price is a fixed load address
//   for the executable's own code (shared libraries stay randomised).
// Release only: debug test builds link the target's objects next to Foundation, which needs the shared runtime.
let executorReleaseLinkFlags = [
    "-static-stdlib", "-Xclang-linker", "-no-pie", "-Xclang-linker", "-static-libgcc",
    "-L", "\(Context.packageDirectory)/Linking/static-libstdc++",
    "-Xlinker", "--section-ordering-file=\(Context.packageDirectory)/Linking/executor-order.txt",
]

let functionSections: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-function-sections"], .when(configuration: .release))
]

let package = Package(
    name: "sidecar-executor",
    products: [
        .library(name: "EventLoop", targets: ["EventLoop"]),
        .executable(name: "sidecar-executor", targets: ["Executor"]),
    ],
    targets: [
        // The I/O library: one serial DispatchQueue, nonblocking sockets, HTTP/1.1, RecordIO, JSON.
        // No Foundation: it costs every executor process megabytes of resident memory.
        .target(name: "EventLoop", path: "Sources/EventLoop", swiftSettings: strictSettings + functionSections),
        // The program. Tests reach its internals with `@testable import Executor`.
        .executableTarget(
            name: "Executor",
            dependencies: ["EventLoop"],
            path: "Sources/Executor",
            swiftSettings: strictSettings + functionSections,
            linkerSettings: [.unsafeFlags(executorReleaseLinkFlags, .when(configuration: .release))]
        ),
        // Simulated peers (Mesos agent, Sidecar) and blocking test servers, shared by the tests, the demo
        // and the benchmarks. They run on plain threads, not on the EventLoop, so that a bug in the loop
        // cannot also hide inside the fake. Tools may use Foundation; the shipping binary never links this.
        .target(
            name: "Simulators",
            dependencies: ["EventLoop"],
            path: "Sources/Simulators",
            swiftSettings: strictSettings
        ),
        // The README's first command: one real task through the real binary, against the simulated agent and
        // Sidecar and the project's private Docker engine (`scripts/demo.sh`).
        .executableTarget(
            name: "Demo",
            dependencies: ["EventLoop", "Simulators"],
            path: "Sources/Demo",
            swiftSettings: strictSettings
        ),
        // Throughput and footprint figures; may use Foundation to compare against it.
        .executableTarget(
            name: "Benchmarks",
            dependencies: ["EventLoop", "Simulators"],
            path: "Benchmarks",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EventLoopTests",
            dependencies: ["EventLoop", "Simulators"],
            path: "Tests/EventLoopTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExecutorTests",
            dependencies: ["Executor", "EventLoop", "Simulators"],
            path: "Tests/ExecutorTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SimulatorsTests",
            dependencies: ["Simulators", "EventLoop"],
            path: "Tests/SimulatorsTests",
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
