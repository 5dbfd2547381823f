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

        init(_ name: String, signal: ProcessSignal, extra: [String: String] = [:]) throws {
            _ = try DockerTestEngine.require()
            agent = try SimulatedAgent()
            agent.start()
            taskID = "rel-\(name)-\(signal.description.lowercased())-\(DockerTestEngine.uniqueSuffix())"
            executor = try ExecutorProcess(agent: agent, name: name, extra: extra)
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
        // TASK_STARTING goes out before the pull, but its POST and the engine's dial of the registry race.
        #expect(eventually(timeout: .seconds(120)) { run.agent.states(of: run.taskID) == ["TASK_STARTING"] })
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

    /// The signal's SHUTDOWN asks the engine again, with the shutdown's grace, to stop a container whose KILL waits out
    /// an hour: the container ignores the KILL's SIGTERM and exits at the second one, which only that new stop sends.
    /// (An executor that left the KILL's stop running would wait the hour, and the test would end at its 120 s
    /// limit.) The agent's grace is 60 s, so the engine's latency on a loaded machine never decides the outcome: with
    /// the default 5 s, the stop's SIGKILL comes at 3 s and the executor stops waiting at its shutdown deadline, 4 s;
    /// an engine that takes over a second to report the SIGKILLed container's end (measured under AddressSanitizer
    /// on a loaded 2-core machine) turns that run into the deadline's fail-safe exit 1, as documented in
    /// docs/executor-lifecycle.md. The grace arithmetic itself is `ExecutorLifecycleTests`' and `TaskLifecycleTests`'.
    @Test(arguments: ProcessSignal.allCases)
    func aSignalWhileAKillWaitsOutALongGraceStopsTheContainerWithinTheAgentsGrace(signal: ProcessSignal) throws {
        let run = try Run("killing", signal: signal, extra: ["MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD": "60secs"])
        defer { run.tearDown() }
        // Ignores the first SIGTERM (the KILL's stop) saying so, exits 0 on the second (the shutdown's stop).
        try run.launch(
            "n=0; trap 'n=$((n+1)); echo SIGTERM $n; [ $n -ge 2 ] && exit 0' TERM; sleep 3600 & while :; do wait; done")
        #expect(eventually(timeout: .seconds(120)) { run.agent.states(of: run.taskID).contains("TASK_RUNNING") })
        #expect(run.agent.kill(taskID: run.taskID, gracePeriod: .seconds(3600)))
        #expect(eventually(timeout: .seconds(120)) { run.agent.states(of: run.taskID).contains("TASK_KILLING") })
        // The container has had the KILL's SIGTERM before the signal comes (two at once could merge into one).
        #expect(
            eventually(timeout: .seconds(120)) {
                run.containers.first.map { (try? DockerTestEngine.cli(["logs", $0]))?.output.contains("SIGTERM 1") }
                    == true
            })
        run.executor.signal(signal)
        // Long before the KILL's hour: the shutdown's 58 s grace (60 s agent grace less 2 s) applies, as the
        // message says.
        #expect(run.exitStatus(within: .seconds(120)) == 0)
        #expect(run.agent.states(of: run.taskID) == ["TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_KILLED"])
        let message = run.agent.lastUpdate(of: run.taskID)?["message"]?.stringValue ?? ""
        #expect(message.contains("shutting down (grace period 58s); it exited with status 0"), "\(message)")
        #expect(run.executor.stderr.contains("with a grace period of 58s."), "the engine was asked again")
        #expect(run.agent.acknowledgedEverything(of: run.taskID))
        #expect(run.containers.isEmpty)
    }
}
