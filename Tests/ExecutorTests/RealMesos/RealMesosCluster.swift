import Foundation
import Testing

/// The real Mesos 1.11.0 master and agent that `scripts/mesos-agent.sh start` runs on loopback (from the bundle in
/// `../shared/mesos` beside the repository), as its env file describes them: `MESOS_MASTER`, `MESOS_AGENT`,
/// `MESOS_BUNDLE_DIR`, `MESOS_AGENT_WORK_DIR`.
///
/// Without them the real-agent suite is skipped with one printed reason (`.requires(.mesos)`), unless
/// `SIDECAR_TEST_REQUIRE_MESOS=1` (set by `scripts/test.sh`), in which case it fails: CI never skips it quietly.
enum RealMesosCluster {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// Why the cluster cannot be used, or nil when it can.
    static let unavailableReason: String? = {
        for name in ["MESOS_MASTER", "MESOS_AGENT", "MESOS_BUNDLE_DIR", "MESOS_AGENT_WORK_DIR"]
        where (environment[name] ?? "").isEmpty {
            return "\(name) is not set: start the real Mesos agent with `scripts/mesos-agent.sh start` and export "
                + "its env file, or run scripts/test.sh (it needs the bundle in ../shared/mesos)"
        }
        return nil
    }()

    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// Throws the reason when the cluster is not there (the suite is required).
    static func require() throws {
        if let reason = unavailableReason { throw Unavailable(description: reason) }
    }

    static var master: String { environment["MESOS_MASTER"] ?? "" }
    static var bundleDirectory: String { environment["MESOS_BUNDLE_DIR"] ?? "" }
    static var agentWorkDirectory: String { environment["MESOS_AGENT_WORK_DIR"] ?? "" }
    static var agentLogPath: String { bundleDirectory + "/log/agent.log" }

    /// `mesos.sh` of the shared bundle beside the repository.
    static var mesosScript: String {
        ProgramUnderTest.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/mesos/mesos.sh")
            .path
    }

    /// The agent's pid, as `mesos.sh` recorded it (it changes with every restart).
    static func agentPID() -> Int32? {
        guard let text = try? String(contentsOfFile: bundleDirectory + "/run/agent.pid", encoding: .utf8) else {
            return nil
        }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// SIGKILL to the agent, by its recorded pid; returns once it is gone.
    static func killAgent() throws {
        guard let pid = agentPID() else { throw Unavailable(description: "no agent pid in \(bundleDirectory)/run") }
        kill(pid, SIGKILL)
        for _ in 0..<200 where kill(pid, 0) == 0 { usleep(20_000) }
    }

    /// `mesos.sh restart-agent`: kills the agent if it runs, starts it on the same work_dir, returns once it is
    /// registered with the master again.
    static func restartAgent() throws {
        let (status, output) = try spawnAndWait(["/bin/bash", mesosScript, "restart-agent", bundleDirectory])
        guard status == 0 else {
            throw Unavailable(description: "mesos.sh restart-agent failed (\(status)): \(output)")
        }
    }

    /// Runs `command` to completion with its output in a file, waiting with `waitpid` on its pid. (Foundation's
    /// `Process.waitUntilExit` was seen to miss the exit of a script whose grandchild, the agent, outlives it.)
    static func spawnAndWait(_ command: [String]) throws -> (status: Int32, output: String) {
        let outputPath = NSTemporaryDirectory() + "mesos-sh-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = command.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw Unavailable(description: "posix_spawn \(command[0]): \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }

    /// The agent's log lines that contain `text` (every run of the agent since the suite started).
    static func agentLogLines(containing text: String) -> [String] {
        let log = (try? String(contentsOfFile: agentLogPath, encoding: .utf8)) ?? ""
        return log.split(separator: "\n").filter { $0.contains(text) }.map(String.init)
    }

    /// The newest sandbox of an executor of the framework (`runs/latest`).
    static func sandbox(frameworkID: String, executorID: String) -> String? {
        let slaves = agentWorkDirectory + "/slaves"
        guard let agents = try? FileManager.default.contentsOfDirectory(atPath: slaves) else { return nil }
        for agent in agents {
            let path = "\(slaves)/\(agent)/frameworks/\(frameworkID)/executors/\(executorID)/runs/latest"
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }
}
