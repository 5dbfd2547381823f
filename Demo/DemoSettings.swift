import Foundation

/// Where the demo finds the binaries and the engine (`scripts/demo.sh` exports these).
struct DemoSettings {
    /// The executor binary, as an operator would install it.
    var executorBinary: String
    /// The wrapper Mesos runs.
    var executorScript: String
    var dockerHost: String
    /// `bridge` publishes the web server's port through the engine; `restricted` uses host networking.
    var networkProfile: String

    static func fromEnvironment() -> DemoSettings {
        let environment = ProcessInfo.processInfo.environment
        let root = FileManager.default.currentDirectoryPath
        return DemoSettings(
            executorBinary: environment["SIDECAR_EXECUTOR_PATH"] ?? "\(root)/.build/release/sidecar-executor",
            executorScript: environment["DEMO_EXECUTOR_SCRIPT"] ?? "\(root)/executor.sh",
            dockerHost: environment["DOCKER_HOST"] ?? "unix:///var/run/docker.sock",
            networkProfile: environment["DOCKER_TEST_PROFILE"] ?? "bridge"
        )
    }
}

/// A problem that ends the demo, in words.
struct DemoFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
