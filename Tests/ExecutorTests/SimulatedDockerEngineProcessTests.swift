import EventLoop
import Foundation
import Simulators
import Testing

/// The release executor runs a task on the simulated Docker engine exactly as on the real one: it negotiates the
/// API, creates, waits, starts, follows the logs, reports the exit code and removes the container.
@Suite(.serialized, .requires(.releaseBinary))
struct SimulatedDockerEngineProcessTests {
    @Test func theReleaseExecutorRunsATaskToItsExitOnTheSimulatedEngine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "simulated-engine-\(DockerTestEngine.uniqueSuffix())"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try SimulatedDockerEngine(socketPath: directory + "/docker.sock")
        engine.setLifetime { _ in SimulatedDockerLifetime(output: [(.stdout, "hello from a record\n")]) }
        engine.start()
        defer { engine.stop() }
        let agent = try SimulatedAgent()
        agent.start()
        defer { agent.stop() }
        let executor = try ExecutorProcess(
            agent: agent, name: "simulated-engine", extra: ["DOCKER_HOST": engine.dockerHost])
        defer { executor.tearDown() }
        let taskID = "simulated-\(DockerTestEngine.uniqueSuffix())"
        var task = SimulatedAgentTask(taskID: taskID, command: "sleep 100000")
        task.labels = [("SidecarDiscover", "false")]
        agent.launch(task)
        try executor.start()

        #expect(eventually(timeout: .seconds(60)) { agent.states(of: taskID).contains("TASK_RUNNING") })
        let running = engine.containerStates
        #expect(running.count == 1 && running.first?.status == "running")
        #expect(running.first?.waiters == 1 && running.first?.logFollowers == 1, "\(running)")
        // The process ends by itself with 3: a failed task, reported with the code.
        #expect(engine.exit(container: running.first?.id ?? "", code: 3))
        #expect(eventually(timeout: .seconds(60)) { agent.states(of: taskID).contains("TASK_FAILED") })
        #expect(agent.states(of: taskID) == ["TASK_STARTING", "TASK_RUNNING", "TASK_FAILED"])
        #expect(executor.waitForExit(timeout: .seconds(60)) == 0)
        #expect(executor.stdout.contains("hello from a record"), "the container's output is relayed")
        #expect(engine.containerStates.isEmpty, "the executor removed its container")
        let calls = engine.requests
        for route in [
            "GET /_ping", "GET /images/{name}/json", "POST /containers/create", "POST /containers/{id}/wait",
            "POST /containers/{id}/start", "GET /containers/{id}/logs", "DELETE /containers/{id}",
        ] {
            #expect((calls[route] ?? 0) >= 1, "\(route) in \(calls)")
        }
    }
}
