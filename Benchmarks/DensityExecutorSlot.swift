import EventLoop
import ExecutorProcessSupport
import Foundation
import Simulators

/// One executor of the fleet: its own simulated agent (its own executor id and subscription), its sandbox, the
/// process started through `executor.sh` as Mesos starts it, its task's long-lived container, and what was
/// measured of it.
final class DensityExecutorSlot: @unchecked Sendable {
    let index: Int
    let agent: SimulatedAgent
    let sandbox: String
    let taskID: String
    private(set) var process: DensitySpawnedProcess?
    private(set) var containerID: String?
    /// LAUNCH sent -> TASK_RUNNING received at the agent, in milliseconds.
    private(set) var launchToRunningMs: Double?
    /// Process started -> SUBSCRIBE accepted by the agent, in milliseconds.
    private(set) var startToSubscribedMs: Double?
    /// With --vault-tls, for the one executor that uses Vault: the VAULT_* variables it gets. Its task then has an
    /// `env` parameter whose value is a `vault://` reference.
    var vaultEnvironment: [String: String] = [:]

    init(index: Int, runID: String, root: String) throws {
        self.index = index
        taskID = "density-\(runID)-\(index)"
        agent = try SimulatedAgent(frameworkID: "density-\(runID)", executorID: "density-\(index).executor")
        sandbox = "\(root)/executor-\(index)"
    }

    var pid: Int32? { process.map { $0.processIdentifier } }

    /// Starts the executor and launches its task; returns once the agent has its TASK_RUNNING.
    func start(settings: DensitySettings, sidecar: SimulatedSidecar, runID: String) throws {
        // The benchmark launches once the executor has subscribed, so it can time the LAUNCH itself.
        agent.shutsDownIdleExecutor = false
        agent.start()
        try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
        let started = ContinuousClock.now
        process = try spawnExecutor(settings: settings, sidecar: sidecar)
        guard agent.wait(timeout: .seconds(60), until: { $0.subscriptionCount >= 1 && $0.hasOpenStream }) else {
            throw DensityFailure("executor \(index) never subscribed (see \(sandbox)/stderr)")
        }
        startToSubscribedMs = Self.milliseconds(ContinuousClock.now - started)

        var task = SimulatedAgentTask(taskID: taskID, name: "density", image: "local/busybox:latest")
        task.network = "HOST"
        task.parameters = [
            ("label", "ServiceName=density-\(index)"), ("label", "density.run=\(runID)"),
            ("label", "density.pid=\(ProcessInfo.processInfo.processIdentifier)"),
            ("label", "executor.ShellCommand=sleep 100000"),
        ]
        // --health-check http: every task gets a Mesos HTTP health check every 10 s against a busybox httpd of its
        // own (its verdict is then the "healthy" the benchmark waits for).
        if settings.httpHealthCheck {
            let port = 20000 + index
            task.parameters[2] = (
                "label", "executor.ShellCommand=sh -c 'httpd -p 127.0.0.1:\(port) -h /www && exec sleep 100000'"
            )
            task.extraFields = [
                (
                    "health_check",
                    ["type": "HTTP", "http": ["port": .int(Int64(port))], "delay_seconds": 1, "interval_seconds": 10]
                )
            ]
        }
        if !vaultEnvironment.isEmpty { task.parameters.append(("env", "DENSITY_SECRET=vault://secret/density")) }
        let launched = ContinuousClock.now
        agent.launch(task)
        var running: JSONValue?
        _ = agent.wait(timeout: .seconds(120)) { snapshot in
            running = snapshot.updates.first { DensityStatus.state($0) == "TASK_RUNNING" }
            return running != nil || snapshot.updates.contains(where: DensityStatus.isTerminal)
        }
        guard let running, let containerID = DensityStatus.containerID(running) else {
            let states = agent.updates.map(DensityStatus.state)
            throw DensityFailure(
                "task \(taskID) never reached TASK_RUNNING (updates: \(states); see \(sandbox)/stderr)")
        }
        launchToRunningMs = Self.milliseconds(ContinuousClock.now - launched)
        self.containerID = containerID
        sidecar.setService(
            id: String(containerID.prefix(12)), name: "density-\(index)", image: "local/busybox:latest", status: .alive)
    }

    /// Whether the executor has reported Sidecar's verdict "healthy" to the agent.
    func waitUntilHealthy(timeout: Duration) -> Bool {
        agent.wait(timeout: timeout) { snapshot in
            snapshot.updates.contains { $0["healthy"]?.boolValue == true }
        }
    }

    /// Kills the container from outside with SIGKILL; returns (engine's death -> terminal UPDATE at the agent,
    /// kill call returned -> terminal UPDATE) in milliseconds, and the terminal state.
    func measureExit(engine: DensityEngine, deaths: DensityDieEvents) throws -> (
        fromDeath: Double, fromKillReturn: Double, state: String
    ) {
        guard let containerID else { throw DensityFailure("executor \(index) has no container") }
        let watch = terminalWatch()
        try engine.kill(container: containerID)
        let killReturned = densityWallNanoseconds()
        guard let arrival = watch.arrivalTime() else {
            throw DensityFailure("no terminal update for \(taskID) after its container was killed")
        }
        guard let death = deaths.deathTime(of: containerID, timeout: 10) else {
            throw DensityFailure("the engine reported no die event for container \(containerID)")
        }
        return (Self.milliseconds(arrival - death), Self.milliseconds(arrival - killReturned), terminalState())
    }

    /// Sends KILL with a zero grace period; returns (KILL sent -> engine's death, KILL sent -> terminal UPDATE)
    /// in milliseconds, and the terminal state.
    func measureKill(deaths: DensityDieEvents) throws -> (toStopped: Double, toUpdate: Double, state: String) {
        guard let containerID else { throw DensityFailure("executor \(index) has no container") }
        let watch = terminalWatch()
        let sent = densityWallNanoseconds()
        guard agent.kill(taskID: taskID, gracePeriod: .zero) else {
            throw DensityFailure("the agent of executor \(index) had no open stream for KILL")
        }
        guard let arrival = watch.arrivalTime() else { throw DensityFailure("no terminal update for \(taskID)") }
        guard let death = deaths.deathTime(of: containerID, timeout: 10) else {
            throw DensityFailure("the engine reported no die event for container \(containerID)")
        }
        return (Self.milliseconds(death - sent), Self.milliseconds(arrival - sent), terminalState())
    }

    /// Waits for the process to exit (after the agent's ACK of the terminal update); its status, or nil.
    func waitForExit(timeout: Double) -> Int32? {
        guard let process else { return nil }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// SIGTERM (the executor stops its container and exits), for cleaning up after a failure.
    func terminate() {
        if let process, process.isRunning { process.terminate() }
    }

    private func terminalWatch() -> DensityAgentWatch {
        DensityAgentWatch(agent: agent, timeout: .seconds(30)) { snapshot in
            snapshot.updates.contains(where: DensityStatus.isTerminal)
        }
    }

    private func terminalState() -> String {
        agent.updates.first(where: DensityStatus.isTerminal).map(DensityStatus.state) ?? "?"
    }

    private func spawnExecutor(settings: DensitySettings, sidecar: SimulatedSidecar) throws -> DensitySpawnedProcess {
        var launch = ExecutorLaunch(agent: agent, sandbox: sandbox, dockerHost: settings.dockerHost)
        launch.useScript(binary: settings.executorBinary)
        launch.useSidecar(port: sidecar.port)
        // KILL -> container stopped is measured with grace 0: draining first would measure the draining wait.
        launch.environment["EXECUTOR_SIDECAR_DRAINING_DURATION"] = "0s"
        // Experiments: DENSITY_EXECUTOR_ENV="NAME=value NAME=value" adds variables to every executor's environment.
        for assignment in (ProcessInfo.processInfo.environment["DENSITY_EXECUTOR_ENV"] ?? "").split(separator: " ") {
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            launch.environment[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
        launch.environment.merge(vaultEnvironment) { $1 }
        return try DensitySpawnedProcess(
            command: ["/bin/bash", settings.executorScript], environment: launch.environment,
            directory: launch.sandbox, stdout: launch.stdoutPath, stderr: launch.stderrPath)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) * 1e-15
    }

    static func milliseconds(_ nanoseconds: Int64) -> Double { Double(nanoseconds) / 1e6 }
}
