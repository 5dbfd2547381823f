import Dispatch
import EventLoop
import Foundation

@testable import Executor

/// The project's private Docker engine, as `scripts/test.sh` (or `scripts/docker-engine.sh start` plus
/// `$ENGINE_DIR/env`) exports it: DOCKER_HOST, DOCKER_TEST_PROFILE (bridge | restricted), DOCKER_TEST_REGISTRY, ENGINE_DIR.
///
/// End-to-end tests FAIL, not skip, when the engine is not there: `require()` throws with the reason. The test
/// checks what the executor did through the Docker CLI, an independent path, not through the client under test.
enum DockerTestEngine {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    static var environment: [String: String] { ProcessInfo.processInfo.environment }
    static var profile: String { environment["DOCKER_TEST_PROFILE"] ?? "restricted" }
    static var registry: String? { environment["DOCKER_TEST_REGISTRY"] }
    /// The engine's data directory, where the local registry keeps its storage.
    static var engineDirectory: String { environment["ENGINE_DIR"] ?? "/tmp/sidecar-executor-engine" }

    /// The engine's endpoint, after checking that it answers.
    static func require() throws -> Endpoint {
        guard let host = environment["DOCKER_HOST"], !host.isEmpty else {
            throw Unavailable(
                description: "DOCKER_HOST is not set: run the tests through scripts/test.sh, or start the engine with "
                    + "scripts/docker-engine.sh start and export $ENGINE_DIR/env")
        }
        let endpoint = try DockerHost.endpoint(environment: ["DOCKER_HOST": host])
        let ping = try cli(["version", "--format", "{{.Server.APIVersion}}"])
        guard ping.status == 0 else {
            throw Unavailable(description: "the engine at \(host) does not answer: \(ping.output)")
        }
        return endpoint
    }

    /// A random suffix for names that must not collide with other engineers' tests on the same engine.
    static func uniqueSuffix() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    struct CommandResult {
        var status: Int32
        var output: String
    }

    /// Runs the Docker CLI against the test engine (combined stdout and stderr).
    @discardableResult
    static func cli(_ arguments: [String]) throws -> CommandResult {
        try run(["/usr/bin/env", "docker"] + arguments, environment: ["DOCKER_HOST": environment["DOCKER_HOST"] ?? ""])
    }

    @discardableResult
    static func run(_ command: [String], environment extra: [String: String] = [:]) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// The engine's inspect of a container as JSON, or nil when it does not exist.
    static func inspect(_ container: String) throws -> JSONValue? {
        let result = try cli(["inspect", "--type", "container", container])
        guard result.status == 0 else { return nil }
        return try JSON.parse(result.output)[0]
    }

    /// Removes every container of the task (by our label), whatever the test left behind.
    static func removeContainers(taskID: String) {
        guard let listed = try? cli(["ps", "-aq", "--filter", "label=mesos.task_id=\(taskID)"]) else { return }
        let ids = listed.output.split(whereSeparator: \.isNewline).map(String.init)
        if !ids.isEmpty { _ = try? cli(["rm", "-f"] + ids) }
    }

    /// A TCP port nobody listens on right now (bound to port 0, read back, released).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw Unavailable(description: "no free port: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Polls `condition` (evaluated on `loop`) every 20 ms until it holds or `timeout` passes.
    static func waitUntil(
        _ loop: EventLoop,
        timeout: Duration = .seconds(60),
        _ condition: () -> Bool
    ) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if loop.queue.sync(execute: condition) { return true }
            usleep(20_000)
        }
        return loop.queue.sync(execute: condition)
    }
}
