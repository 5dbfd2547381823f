import EventLoop
import Foundation
import Simulators
import Testing

@testable import Executor

/// SIGTERM, SIGINT and SIGHUP sent to the real executor binary, as an operator or a dying agent would, at four
/// moments: before it has subscribed, during a pull, while the task runs and while it is being killed. Each time
/// the container is stopped (or never created), the terminal update is sent and acknowledged, and the process
/// exits 0. (With an agent that never acknowledges, the exit is still 0, within the shutdown grace period:
/// `ExecutorShutdownProcessTests`.)
@Suite(.requires(.docker), .requires(.releaseBinary))
struct ReliabilitySignalTests {
    /// One executor process with one task against a SimulatedAgent and the test Docker engine.
    final class Run: @unchecked Sendable {
        let agent: SimulatedAgent
        let executor: ExecutorProcess
        let taskID: String

        init(_ name: String, signal: ProcessSignal) throws {
            _ = try DockerTestEngine.require()
            agent = try SimulatedAgent()
            agent.start()
            taskID = "rel-\(name)-\(signal.description.lowercased())-\(DockerTestEngine.uniqueSuffix())"
            executor = try ExecutorProcess(agent: agent, name: name)
        }

        /// A busybox task without Sidecar, running `command` in `/bin/sh -c`.
        func launch(_ command: String, image: String = "local/busybox:latest") throws {
            var task = SimulatedAgentTask(taskID: taskID, image: image, command: command)
            task.labels = [("SidecarDiscover", "false")]
            agent.launch(task)
            try executor.start()
        }

        /// Waits for the exit; on a timeout the process is killed and the test fails with its log.
        func exitStatus(within timeout: Duration = .seconds(120)) -> Int32? {
            let status = executor.waitForExit(timeout: timeout)
            if status != 0 {
                Issue.record("the executor exited \(String(describing: status)); its log:\n\(executor.stderr)")
            }
            return status
        }

        var containers: [String] {
            let listed = try? DockerTestEngine.cli(["ps", "-aq", "--filter", "label=mesos.task_id=\(taskID)"])
            return listed?.output.split(whereSeparator: \.isNewline).map(String.init) ?? ["docker ps failed"]
        }

        func tearDown() {
            executor.tearDown()
            agent.stop()
            DockerTestEngine.removeContainers(taskID: taskID)
        }
    }

    @Test(arguments: ProcessSignal.allCases)
    func aSignalBeforeSubscribingExitsZeroAtOnce(signal: ProcessSignal) throws {
        let run = try Run("presubscribe", signal: signal)
        defer { run.tearDown() }
        run.agent.availability = .answering(status: 503)
        try run.launch("sleep 300")
        #expect(run.agent.waitForCalls("SUBSCRIBE", count: 1) != nil)
        run.executor.signal(signal)
        #expect(run.exitStatus() == 0)
        #expect(run.executor.stderr.contains("Received \(signal)"))
        #expect(run.agent.updates.isEmpty, "no task was ever launched, so nothing is reported")
        #expect(run.containers.isEmpty)
    }

    /// A registry that accepts connections and never answers: the engine's pull of any image from it hangs.
    static func stalledRegistry() throws -> BlockingHTTPServer {
        let registry = try BlockingHTTPServer()
        registry.handler = { _, responder in responder.stall() }
        registry.start()
        return registry
    }

    /// Launches a task whose image comes from `registry` and waits until the engine is pulling from it.
    static func launchIntoAStalledPull(_ run: Run, registry: BlockingHTTPServer) throws {
        try run.launch("sleep 300", image: "127.0.0.1:\(registry.port)/reliability/stalled:1")
        #expect(eventually(timeout: .seconds(120)) { registry.acceptedConnectionCount > 0 }, "the pull never started")
    }

    /// The task ended TASK_KILLED before any container existed, and the agent acknowledged everything.
    static func expectKilledDuringLaunch(_ run: Run) {
        #expect(run.agent.lastUpdate(of: run.taskID)?["reason"] == "REASON_TASK_KILLED_DURING_LAUNCH")
        #expect(run.agent.acknowledgedEverything(of: run.taskID))
        #expect(run.containers.isEmpty)
    }

    @Test(arguments: ProcessSignal.allCases)
    func aSignalDuringAStalledPullEndsKilledWithoutAContainer(signal: ProcessSignal) throws {
        let registry = try Self.stalledRegistry()
        defer { registry.stop() }
        let run = try Run("pull", signal: signal)
        defer { run.tearDown() }
        try Self.launchIntoAStalledPull(run, registry: registry)
        #expect(run.agent.states(of: run.taskID) == ["TASK_STARTING"])
        run.executor.signal(signal)
        #expect(run.exitStatus() == 0)
        #expect(run.agent.states(of: run.taskID) == ["TASK_STARTING", "TASK_KILLED"])
        Self.expectKilledDuringLaunch(run)
    }

    @Test func aFrameworksKillDuringAStalledPullEndsKilledAtOnceAndTheExecutorExits() throws {
        let registry = try Self.stalledRegistry()
        defer { registry.stop() }
        let run = try Run("killpull", signal: .terminate)
        defer { run.tearDown() }
        try Self.launchIntoAStalledPull(run, registry: registry)
        #expect(run.agent.kill(taskID: run.taskID, gracePeriod: .seconds(30)))
        // Well within the pull's own 600 s bound: the KILL does not wait for the stalled registry.
        #expect(run.exitStatus(within: .seconds(120)) == 0)
        #expect(run.agent.states(of: run.taskID).last == "TASK_KILLED")
        Self.expectKilledDuringLaunch(run)
    }

    @Test(arguments: ProcessSignal.allCases)
    func aSignalWhileRunningStopsTheContainerAndEndsKilled(signal: ProcessSignal) throws {
        let run = try Run("running", signal: signal)
        defer { run.tearDown() }
        try run.launch("trap 'exit 0' TERM; sleep 300 & wait")
        #expect(eventually(timeout: .seconds(120)) { run.agent.states(of: run.taskID).contains("TASK_RUNNING") })
        #expect(run.containers.count == 1)
        run.executor.signal(signal)
        #expect(run.exitStatus() == 0)
        #expect(run.agent.states(of: run.taskID) == ["TASK_STARTING", "TASK_RUNNING", "TASK_KILLED"])
        let message = run.agent.lastUpdate(of: run.taskID)?["message"]?.stringValue ?? ""
        #expect(message.contains("the executor is shutting down (grace period 3s)"), "\(message)")
        #expect(run.agent.acknowledgedEverything(of: run.taskID))
        #expect(run.containers.isEmpty, "the container is stopped and removed after the acknowledgement")
    }

    @Test(arguments: ProcessSignal.allCases)
    func aSignalWhileAKillWaitsOutALongGraceStopsTheContainerWithinTheAgentsGrace(signal: ProcessSignal) throws {
        let run = try Run("killing", signal: signal)
        defer { run.tearDown() }
        // The container ignores SIGTERM, so only the SIGKILL at the end of a grace period stops it.
        try run.launch("trap '' TERM; sleep 300 & wait")
        #expect(eventually(timeout: .seconds(120)) { run.agent.states(of: run.taskID).contains("TASK_RUNNING") })
        #expect(run.agent.kill(taskID: run.taskID, gracePeriod: .seconds(3600)))
        #expect(eventually(timeout: .seconds(120)) { run.agent.states(of: run.taskID).contains("TASK_KILLING") })
        run.executor.signal(signal)
        // Long before the KILL's hour: the shutdown's 3 s grace (5 s agent grace less 2 s) applies, as the message says.
        #expect(run.exitStatus(within: .seconds(120)) == 0)
        #expect(run.agent.states(of: run.taskID) == ["TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_KILLED"])
        let message = run.agent.lastUpdate(of: run.taskID)?["message"]?.stringValue ?? ""
        #expect(message.contains("shutting down (grace period 3s); it exited with status 137"), "\(message)")
        #expect(run.agent.acknowledgedEverything(of: run.taskID))
        #expect(run.containers.isEmpty)
    }
}
