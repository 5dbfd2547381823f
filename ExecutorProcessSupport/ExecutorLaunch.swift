import Foundation
import Simulators

/// An executor process started the way a Mesos agent starts one: the agent's `MESOS_*` environment for its sandbox,
/// the sandbox as working directory, stdout and stderr into the sandbox's `stdout` and `stderr` files (as the agent
/// does), stdin from /dev/null. The demo, the density benchmark and the tests that run the real binary all build the
/// executor's environment here, so that they cannot drift apart.
///
/// ```swift
/// var launch = ExecutorLaunch(agent: agent, sandbox: sandbox, dockerHost: dockerHost)
/// launch.useScript(binary: ".build/release/sidecar-executor")
/// launch.useSidecar(port: sidecar.port)
/// let process = try launch.start(command: ["/bin/sh", "executor.sh"])
/// ```
public struct ExecutorLaunch {
    /// The executor's sandbox (MESOS_DIRECTORY and MESOS_SANDBOX); it must exist before `start`.
    public let sandbox: String
    /// The environment the process gets. Add or override variables before `start`.
    public var environment: [String: String]

    /// The agent's `MESOS_*` variables for `sandbox`, the caller's PATH, and the Docker engine (`DOCKER_HOST`) when
    /// one is given.
    public init(
        agent: SimulatedAgent, sandbox: String, dockerHost: String?, shutdownGracePeriod: Duration = .seconds(5)
    ) {
        self.sandbox = sandbox
        environment = agent.environment(sandbox: sandbox, shutdownGracePeriod: shutdownGracePeriod)
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        environment["DOCKER_HOST"] = dockerHost
    }

    /// For a start through `executor.sh`: the binary it places in the sandbox, and a site environment file that does
    /// not exist, so that the host's own `/opt/mesos/executor-environment.sh` never applies.
    public mutating func useScript(binary: String) {
        environment["SIDECAR_EXECUTOR_PATH"] = binary
        environment["SIDECAR_EXECUTOR_CUSTOM_ENV_PATH"] = "\(sandbox)/no-site-environment.sh"
    }

    /// A simulated Sidecar on loopback `port`, polled every second from one second after the container starts, so
    /// that a short run sees health verdicts.
    public mutating func useSidecar(port: UInt16) {
        environment["EXECUTOR_SIDECAR_URL"] = "http://127.0.0.1:\(port)/state.json"
        environment["EXECUTOR_SIDECAR_BACKOFF"] = "1s"
        environment["EXECUTOR_SIDECAR_POLL_INTERVAL"] = "1s"
    }

    /// Copies these variables from this process's environment when set (e.g. a sanitizer's options, so that a
    /// sanitized test run's settings apply to the binary it built too).
    public mutating func inherit(_ names: [String]) {
        for name in names {
            environment[name] = ProcessInfo.processInfo.environment[name]
        }
    }

    /// A process for `command` (an absolute executable path and its arguments) in the sandbox, not yet running.
    public func process(command: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: sandbox)
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardInput = FileHandle.nullDevice
        return process
    }

    /// `process(command:)`, started.
    public func start(command: [String]) throws -> Process {
        let process = try process(command: command)
        try process.run()
        return process
    }

    /// The executor's standard output, as a file of its sandbox.
    public var stdoutPath: String { sandbox + "/stdout" }
    /// The executor's standard error, as a file of its sandbox.
    public var stderrPath: String { sandbox + "/stderr" }
}
