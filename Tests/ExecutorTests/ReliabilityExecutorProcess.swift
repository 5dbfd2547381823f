import EventLoop
import ExecutorProcessSupport
import Foundation
import Simulators
import Testing

@testable import Executor

/// The real `sidecar-executor` binary, as the Mesos agent runs it: a child process with the agent's environment,
/// talking to a SimulatedAgent and the test Docker engine, its stdout and stderr kept in files of its sandbox.
///
/// The binary is the release build `executor.sh` deploys (`ProgramUnderTest.binary()`); a sanitizer run tests the
/// release binary it built with the sanitizer. Every process is ended by its own pid if a test gives up on it.
final class ExecutorProcess: @unchecked Sendable {
    let sandbox: String
    let process: Process

    /// Prepares the executor with the agent's `MESOS_*` variables plus `extra`; `start()` runs it.
    init(agent: SimulatedAgent, name: String, extra: [String: String] = [:]) throws {
        sandbox =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "executor-\(name)-\(DockerTestEngine.uniqueSuffix())"
            ).path
        try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
        var launch = ExecutorLaunch(
            agent: agent, sandbox: sandbox, dockerHost: DockerTestEngine.environment["DOCKER_HOST"])
        // A sanitizer run's settings apply to the binary it built too (scripts/sanitizers.sh).
        launch.inherit(ProgramUnderTest.sanitizerVariables + ["SWIFT_BACKTRACE"])
        // No registry logins unless a test writes some: the developer's own ~/.docker never leaks in.
        launch.environment["DOCKER_CONFIG"] = sandbox
        launch.environment.merge(extra) { $1 }
        process = try launch.process(command: [try ProgramUnderTest.binary()])
        stdoutPath = launch.stdoutPath
        stderrPath = launch.stderrPath
    }

    let stdoutPath: String
    let stderrPath: String
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    func start() throws { try process.run() }

    func signal(_ signal: ProcessSignal) {
        kill(process.processIdentifier, signal.number)
    }

    /// The exit status, or nil if it did not exit within `timeout` (it is then killed, by its pid).
    func waitForExit(timeout: Duration) -> Int32? {
        guard eventually(timeout: timeout, { !process.isRunning }) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }

    /// Kills the process if still running, removes the sandbox.
    func tearDown() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: sandbox)
    }
}

extension SimulatedAgent {
    /// The states the agent accepted for `taskID`, in order (repeats from resubscriptions included).
    func states(of taskID: String) -> [String] {
        updates.filter { $0["task_id"]?["value"]?.stringValue == taskID }.compactMap { $0["state"]?.stringValue }
    }

    /// The last update accepted for `taskID`.
    func lastUpdate(of taskID: String) -> JSONValue? {
        updates.last { $0["task_id"]?["value"]?.stringValue == taskID }
    }

    /// Whether the agent sent an ACKNOWLEDGED for every update it accepted for `taskID`.
    func acknowledgedEverything(of taskID: String) -> Bool {
        let snapshot = self.snapshot
        let acknowledged = Set(
            snapshot.events.filter { $0["type"] == "ACKNOWLEDGED" }.compactMap {
                $0["acknowledged"]?["uuid"]?.stringValue
            })
        let uuids = snapshot.updates.filter { $0["task_id"]?["value"]?.stringValue == taskID }.compactMap {
            $0["uuid"]?.stringValue
        }
        return !uuids.isEmpty && uuids.allSatisfy(acknowledged.contains)
    }
}
