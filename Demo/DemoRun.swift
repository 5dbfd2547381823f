import EventLoop
import ExecutorProcessSupport
import Foundation
import Simulators

/// One demo run: launch, watch, probe, kill, and check that the executor exits cleanly.
struct DemoRun {
    let settings: DemoSettings
    let console: DemoConsole

    func run() throws {
        let sandbox = try makeSandbox()
        let agent = try SimulatedAgent(frameworkID: "demo-framework", executorID: "demo-web.executor")
        let sidecar = try SimulatedSidecar(hostname: "demo-host")
        agent.start()
        sidecar.start()
        var succeeded = false
        defer {
            agent.stop()
            sidecar.stop()
            if succeeded {
                try? FileManager.default.removeItem(atPath: sandbox)
            } else {
                console.detail("the executor's sandbox (stdout, stderr) is kept at \(sandbox)")
                if let log = try? String(contentsOfFile: "\(sandbox)/stderr", encoding: .utf8) {
                    console.detail("last lines of its stderr:")
                    for line in log.split(separator: "\n").suffix(15) { console.detail("  \(line)") }
                }
            }
        }
        console.headline(
            "peers: simulated Mesos agent on \(agent.endpointString), simulated Sidecar on "
                + "127.0.0.1:\(sidecar.port), Docker engine at \(settings.dockerHost) (\(settings.networkProfile) profile)"
        )

        let port = try DemoNetwork.freePort()
        let task = webTask(port: port)
        agent.launch(task)
        console.headline("task \(task.taskID): busybox httpd serving port \(port), launched through executor.sh")

        let executor = try startExecutor(agent: agent, sidecar: sidecar, sandbox: sandbox)
        let watcher = DemoUpdateWatcher(agent: agent, console: console)

        guard let running = watcher.waitFor(timeout: 60, { $0.state == "TASK_RUNNING" }) else {
            throw DemoFailure("the task never reached TASK_RUNNING")
        }
        guard let containerID = running.containerID else {
            throw DemoFailure("TASK_RUNNING carried no docker_id label")
        }
        let serviceID = String(containerID.prefix(12))
        sidecar.setService(id: serviceID, name: "demo-web", image: "local/busybox:latest", status: .alive)
        console.headline("Sidecar discovers the service \(serviceID) and reports it ALIVE")
        guard watcher.waitFor(timeout: 15, { $0.state == "TASK_RUNNING" && $0.healthy == true }) != nil else {
            throw DemoFailure("the executor never reported Sidecar's verdict to Mesos")
        }

        console.headline("the service answers on the host")
        let answer = try DemoNetwork.get(port: port)
        console.detail("GET http://127.0.0.1:\(port)/ -> \(answer.status) \(answer.firstLine)")
        guard answer.status == 200 else { throw DemoFailure("the service answered \(answer.status)") }

        console.headline("the scheduler kills the task (grace period 2s)")
        _ = agent.kill(taskID: task.taskID, gracePeriod: .seconds(2))
        guard watcher.waitFor(timeout: 30, { $0.state == "TASK_KILLED" }) != nil else {
            throw DemoFailure("the task never reached TASK_KILLED")
        }
        for request in sidecar.requests where request.method == "POST" {
            console.detail("Sidecar saw: \(request.method) \(request.path) (drained before the container stopped)")
        }

        let status = try waitForExit(executor, timeout: 30)
        console.headline("the executor exited with status \(status) once the agent acknowledged TASK_KILLED")
        guard status == 0 else { throw DemoFailure("the executor exited with status \(status)") }
        succeeded = true
    }

    private func webTask(port: Int) -> SimulatedAgentTask {
        var task = SimulatedAgentTask(taskID: "demo-web.\(UUIDv4.random().description.prefix(8))", name: "demo-web")
        task.parameters = [("label", "ServiceName=demo-web"), ("label", "Environment=demo")]
        if settings.networkProfile == "bridge" {
            task.network = "BRIDGE"
            task.portMappings = [.init(hostPort: port, containerPort: 80)]
            task.parameters.append(("label", "executor.ShellCommand=httpd -f -p 80 -h /www"))
        } else {
            // The restricted engine profile has no bridge: serve on the host's loopback instead.
            task.network = "HOST"
            task.parameters.append(("label", "executor.ShellCommand=httpd -f -p 127.0.0.1:\(port) -h /www"))
        }
        task.killGracePeriod = .seconds(2)
        return task
    }

    private func makeSandbox() throws -> String {
        let path = NSTemporaryDirectory() + "sidecar-executor-demo-\(UUIDv4.random().description.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts `executor.sh` as the agent would: its environment, its sandbox, stdout and stderr into sandbox files.
    private func startExecutor(agent: SimulatedAgent, sidecar: SimulatedSidecar, sandbox: String) throws -> Process {
        var launch = ExecutorLaunch(agent: agent, sandbox: sandbox, dockerHost: settings.dockerHost)
        launch.useScript(binary: settings.executorBinary)
        launch.useSidecar(port: sidecar.port)
        launch.environment["EXECUTOR_SIDECAR_DRAINING_DURATION"] = "1s"
        launch.environment["EXECUTOR_HTTP_TIMEOUT"] = "1s"
        launch.environment["EXECUTOR_SIDECAR_RETRY_DELAY"] = "500ms"
        let process = try launch.start(command: ["/bin/sh", settings.executorScript])
        console.detail("executor pid \(process.processIdentifier), sandbox \(sandbox)")
        return process
    }

    private func waitForExit(_ process: Process, timeout: Double) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else {
                process.terminate()
                throw DemoFailure("the executor did not exit within \(Int(timeout)) s")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return process.terminationStatus
    }
}
