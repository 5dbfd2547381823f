import EventLoop
import Foundation
import Simulators
import Testing

@testable import Executor

/// The release binary with SEED_SIDECAR and DEBUG (the original's unprefixed names) against a simulated agent and master and
/// the private Docker engine: the container's environment holds the master's agents.
@Suite(.serialized, .requires(.docker), .requires(.releaseBinary))
struct SidecarSeedsEndToEndTests {
    @Test func theContainerGetsTheMastersAgentsAsSidecarSeeds() throws {
        _ = try DockerTestEngine.require()
        let agent = try SimulatedAgent(checkpoint: false)
        agent.masterHostname = "127.0.0.1"
        agent.start()
        defer { agent.stop() }
        let master = try SimulatedMesosMaster(agentHostnames: ["agent-1.example", "agent-2.example"])
        master.start()
        defer { master.stop() }
        let executor = try ExecutorProcess(
            agent: agent, name: "seeds",
            extra: ["SEED_SIDECAR": "true", "EXECUTOR_MESOS_MASTER_PORT": String(master.port), "DEBUG": "1"])
        executor.process.executableURL = URL(fileURLWithPath: try ExecutorScriptCompatibilityTests.releaseBinary())
        defer { executor.tearDown() }

        let taskID = "seeds-\(DockerTestEngine.uniqueSuffix())"
        defer { DockerTestEngine.removeContainers(taskID: taskID) }
        var task = SimulatedAgentTask(taskID: taskID, command: "echo seeds=$SIDECAR_SEEDS; sleep 300")
        task.labels = [("SidecarDiscover", "false")]
        agent.launch(task)
        try executor.start()
        #expect(eventually(timeout: .seconds(60)) { agent.states(of: taskID).contains("TASK_RUNNING") })
        let inspect = try #require(try DockerTestEngine.inspect(ContainerName.forTask(id: taskID)))
        let environment = inspect["Config"]?["Env"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(environment.contains("SIDECAR_SEEDS=agent-1.example,agent-2.example"), "\(environment)")
        #expect(master.requests == ["GET /slaves"])
        // DEBUG, read because EXECUTOR_DEBUG is unset, logs the TaskInfo as the README says.
        #expect(executor.stderr.contains("DEBUG Task \(taskID): TaskInfo {"), "\(executor.stderr)")
        #expect(agent.kill(taskID: taskID))
        #expect(eventually(timeout: .seconds(30)) { agent.states(of: taskID).contains("TASK_KILLED") })
    }
}
