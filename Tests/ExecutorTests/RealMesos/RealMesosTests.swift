import EventLoop
import Foundation
import Simulators
import Testing

/// The executor under the real Mesos 1.11.0 master and agent (`scripts/mesos-agent.sh`), driven by a v1 scheduler,
/// each task a Docker container on the project's private engine. The agent runs with executor authentication on.
///
/// Serialized: some tests restart the agent, which every running executor feels.
@Suite(.serialized, .requires(.mesos), .requires(.docker), .requires(.releaseBinary))
final class RealMesosTests {
    private var schedulers: [MesosTestScheduler] = []
    private var tasks: [RealMesosTask] = []

    init() throws {
        try RealMesosCluster.require()
        try RealMesosTask.requireReleaseBinary()
        _ = try DockerTestEngine.require()
    }

    deinit {
        for scheduler in schedulers { scheduler.close() }
        for task in tasks { task.removeContainers() }
    }

    private func scheduler(_ name: String, capabilities: [String] = ["TASK_KILLING_STATE"]) throws
        -> MesosTestScheduler
    {
        let scheduler = try MesosTestScheduler(name: name, capabilities: capabilities)
        schedulers.append(scheduler)
        return scheduler
    }

    private func launch(_ task: RealMesosTask, on scheduler: MesosTestScheduler) throws {
        tasks.append(task)
        try task.launch(on: scheduler)
    }

    /// A container that ends with status 0 on USR1 (the test's signal to finish) or TERM (a stop). Its shell is the
    /// container's pid 1, which ignores any signal it has no trap for.
    static let untilUSR1 = #"trap "exit 0" USR1 TERM; while :; do sleep 0.1; done"#
    /// A container that ignores TERM: only the SIGKILL after the grace period ends it.
    static let ignoresTERM = #"trap "" TERM; while :; do sleep 0.1; done"#

    private func signalContainer(_ task: RealMesosTask, _ signal: String) throws {
        let id = try #require(try task.container()?["Id"]?.stringValue)
        try DockerTestEngine.cli(["kill", "--signal", signal, id])
    }

    private func states(_ scheduler: MesosTestScheduler, _ task: RealMesosTask) -> [String] {
        scheduler.updates(of: task.taskID).map(\.state)
    }

    // MARK: - Scenarios

    @Test func aTaskExitingZeroFinishesAndTheExecutorExitsZero() throws {
        let scheduler = try scheduler("exit0")
        let task = RealMesosTask("exit0", command: "exit 0")
        try launch(task, on: scheduler)
        let finished = try #require(scheduler.waitForTerminal(task.taskID), "\(scheduler.updates) \(scheduler.errors)")
        #expect(finished.state == "TASK_FINISHED")
        #expect(finished.source == "SOURCE_EXECUTOR")
        #expect(states(scheduler, task).contains("TASK_RUNNING"))
        let exit = try #require(scheduler.waitForExit(of: task.executorID))
        #expect(exit.status == 0)
        #expect(try task.container() == nil, "the container is removed once the terminal update is acknowledged")
    }

    @Test func aTaskExitingThreeFailsNamingTheStatus() throws {
        let scheduler = try scheduler("exit3")
        let task = RealMesosTask("exit3", command: "exit 3")
        try launch(task, on: scheduler)
        let failed = try #require(scheduler.waitForTerminal(task.taskID), "\(scheduler.updates) \(scheduler.errors)")
        #expect(failed.state == "TASK_FAILED")
        #expect(failed.message?.contains("3") == true, "\(failed)")
        let exit = try #require(scheduler.waitForExit(of: task.executorID))
        #expect(exit.status == 0)
    }

    @Test(arguments: [true, false])
    func aKillWaitsTheGracePeriodThenKills(killingState: Bool) throws {
        let scheduler = try scheduler(
            "kill-\(killingState)", capabilities: killingState ? ["TASK_KILLING_STATE"] : [])
        var task = RealMesosTask("kill-\(killingState)", command: Self.ignoresTERM)
        task.killGrace = .seconds(1)
        try launch(task, on: scheduler)
        let running = try #require(scheduler.waitForUpdate(task.taskID, "TASK_RUNNING"), "\(scheduler.errors)")
        let agentID = try #require(running.agentID)
        try scheduler.kill(taskID: task.taskID, agentID: agentID, grace: .seconds(1))
        let killed = try #require(scheduler.waitForTerminal(task.taskID))
        #expect(killed.state == "TASK_KILLED")
        let killing = scheduler.updates(of: task.taskID).first { $0.state == "TASK_KILLING" }
        #expect((killing != nil) == killingState, "\(states(scheduler, task))")
        if let killing, let from = killing.json["timestamp"]?.doubleValue,
            let to = killed.json["timestamp"]?.doubleValue
        {
            #expect(to - from >= 0.9, "the container ignores TERM, so only the grace period's end kills it")
        }
        #expect(scheduler.waitForExit(of: task.executorID)?.status == 0)
        #expect(try task.container() == nil)
    }

    @Test func aFrameworkTeardownStopsTheContainerReportsKilledAndExitsZeroBeforeTheGrace() throws {
        let scheduler = try scheduler("teardown")
        let task = RealMesosTask("teardown", command: Self.untilUSR1)
        try launch(task, on: scheduler)
        _ = try #require(scheduler.waitForUpdate(task.taskID, "TASK_RUNNING"), "\(scheduler.errors)")
        try scheduler.tearDown()
        // The scheduler hears nothing more of the framework; the agent's log is the witness.
        let ended = RealMesosCluster.waitForExecutorExit(task.executorID)
        #expect(
            ended == "exited with status 0",
            "the executor exits 0 by itself before the shutdown grace period, not killed by the agent: \(ended ?? "?")")
        #expect(
            RealMesosCluster.agentLogLines(containing: "TASK_KILLED").contains { $0.contains(task.taskID) },
            "the executor sent TASK_KILLED (which the agent ignores for a terminating framework)")
        #expect(try task.container() == nil, "the stopped container is removed")
    }

    @Test func aTaskFinishingWhileTheAgentIsDownIsReportedAfterRecovery() throws {
        let scheduler = try scheduler("agent-down")
        let task = RealMesosTask("agent-down", command: Self.untilUSR1)
        try launch(task, on: scheduler)
        _ = try #require(scheduler.waitForUpdate(task.taskID, "TASK_RUNNING"), "\(scheduler.errors)")
        try RealMesosCluster.killAgent()
        try signalContainer(task, "USR1")
        #expect(
            DockerTestEngine.waitUntilTrue(timeout: .seconds(30)) {
                (try? task.container()?["State"]?["Running"]?.boolValue) == false
            }, "the container ended while the agent was down")
        #expect(!states(scheduler, task).contains("TASK_FINISHED"))
        try RealMesosCluster.restartAgent()
        let finished = try #require(scheduler.waitForTerminal(task.taskID), "\(scheduler.updates)")
        #expect(finished.state == "TASK_FINISHED")
        // The agent may tell the master of the exit before it has reregistered (then the scheduler never hears of
        // it): the agent's log is the witness.
        #expect(RealMesosCluster.waitForExecutorExit(task.executorID) == "exited with status 0")
    }

    @Test func twentyExecutorsRideOutAnAgentKillAndRestart() throws {
        let scheduler = try scheduler("restart20")
        let batch = (0..<20).map { RealMesosTask("restart20-\($0)", command: Self.untilUSR1) }
        tasks += batch
        let each = (
            cpus: RealMesosTask.executorCPUs + RealMesosTask.taskCPUs,
            mem: RealMesosTask.executorMem + RealMesosTask.taskMem
        )
        try scheduler.launch(cpus: each.cpus * 20, mem: each.mem * 20) { agentID in
            batch.map { $0.taskInfo(agentID: agentID) }
        }
        #expect(
            scheduler.wait(timeout: 120) { scheduler in
                batch.allSatisfy { task in scheduler.updates(of: task.taskID).contains { $0.state == "TASK_RUNNING" } }
            }, "\(scheduler.updates) \(scheduler.errors)")
        let subscribedBefore = batch.map { RealMesosCluster.agentLogLines(containing: "'\($0.executorID)'").count }
        let cleanedBefore = RealMesosCluster.agentLogLines(containing: "Killing un-reregistered executor").count
        try RealMesosCluster.restartAgent()
        // Every executor resubscribed to the new agent and none was cleaned up.
        #expect(
            RealMesosCluster.waitForAgentLog(timeout: 30) { _ in
                zip(batch, subscribedBefore).allSatisfy { task, before in
                    RealMesosCluster.agentLogLines(containing: "'\(task.executorID)'").count > before
                        && RealMesosCluster.agentLogLines(containing: "Received Subscribe request for HTTP executor")
                            .contains { $0.contains("'\(task.executorID)'") }
                }
            })
        #expect(RealMesosCluster.agentLogLines(containing: "Killing un-reregistered executor").count == cleanedBefore)
        for task in batch {
            #expect(try task.container()?["State"]?["Running"]?.boolValue == true, "\(task.taskID) kept running")
            try signalContainer(task, "USR1")
        }
        #expect(
            scheduler.wait(timeout: 60) { scheduler in
                batch.allSatisfy { scheduler.waitForTerminalNow($0.taskID) != nil }
            })
        for task in batch {
            let updates = scheduler.updates(of: task.taskID)
            #expect(updates.last?.state == "TASK_FINISHED", "\(updates)")
            #expect(updates.filter { $0.state == "TASK_RUNNING" }.count == 1, "\(updates)")
            #expect(Set(updates.compactMap(\.uuid)).count == updates.count, "no update twice: \(updates)")
            #expect(updates.allSatisfy { $0.source == "SOURCE_EXECUTOR" }, "\(updates)")
        }
    }

    @Test func withAGoodTokenTheExecutorWorksAndUnauthenticatedCallsAreRefused() throws {
        // The agent demands a token: a call without one is refused.
        let bare = try MesosHTTP.post(
            "/api/v1/executor", to: RealMesosCluster.environment["MESOS_AGENT"] ?? "",
            body: #"{"type":"HEARTBEAT","executor_id":{"value":"x"},"framework_id":{"value":"y"}}"#)
        #expect(bare.status == 401)
        let scheduler = try scheduler("token-good")
        let task = RealMesosTask("token-good", command: "exit 0")
        try launch(task, on: scheduler)
        #expect(scheduler.waitForTerminal(task.taskID)?.state == "TASK_FINISHED", "\(scheduler.errors)")
        #expect(scheduler.waitForExit(of: task.executorID)?.status == 0)
    }

    @Test func withABadTokenTheExecutorExitsOneSayingTheAgentRefusedIt() throws {
        let scheduler = try scheduler("token-bad")
        var task = RealMesosTask("token-bad", command: "exit 0")
        let site = try ProgramUnderTest.temporaryDirectory() + "/executor-environment.sh"
        try "export MESOS_EXECUTOR_AUTHENTICATION_TOKEN=not.a.valid-token\n".write(
            toFile: site, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: (site as NSString).deletingLastPathComponent) }
        task.environment["SIDECAR_EXECUTOR_CUSTOM_ENV_PATH"] = site
        try launch(task, on: scheduler)
        let exit = try #require(scheduler.waitForExit(of: task.executorID), "\(scheduler.updates)")
        #expect(exit.status == 256, "exit status 1 (wait status \(exit.status.map(String.init) ?? "none"))")
        let sandbox = try #require(
            RealMesosCluster.sandbox(frameworkID: scheduler.frameworkID, executorID: task.executorID))
        let stderr = (try? String(contentsOfFile: sandbox + "/stderr", encoding: .utf8)) ?? ""
        #expect(stderr.contains("refused") && stderr.contains("401"), "\(stderr)")
        #expect(!stderr.contains("not.a.valid-token"), "the token is never logged")
    }

    @Test func sidecarHealthReachesTheSchedulerAsHealthy() throws {
        let sidecar = try SimulatedSidecar(hostname: "node-a")
        sidecar.start()
        defer { sidecar.stop() }
        let scheduler = try scheduler("sidecar")
        var task = RealMesosTask("sidecar", command: Self.untilUSR1)
        task.labels = ["ServiceName=web"]
        task.environment.merge([
            "EXECUTOR_SIDECAR_URL": "http://127.0.0.1:\(sidecar.port)/state.json", "EXECUTOR_SIDECAR_BACKOFF": "100ms",
            "EXECUTOR_SIDECAR_POLL_INTERVAL": "100ms", "EXECUTOR_HTTP_TIMEOUT": "1s",
        ]) { $1 }
        try launch(task, on: scheduler)
        let running = try #require(scheduler.waitForUpdate(task.taskID, "TASK_RUNNING"), "\(scheduler.errors)")
        let dockerID = try #require(
            running.json["labels"]?["labels"]?.arrayValue?.first { $0["key"] == "docker_id" }?["value"]?.stringValue)
        sidecar.setService(id: String(dockerID.prefix(12)), name: "web", status: .alive)
        let healthy = scheduler.wait(timeout: 30) { $0.updates(of: task.taskID).contains { $0.healthy == true } }
        #expect(healthy, "\(scheduler.updates(of: task.taskID))")
        let update = scheduler.updates(of: task.taskID).first { $0.healthy == true }
        #expect(update?.state == "TASK_RUNNING")
        #expect(update?.reason == "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED")
        try signalContainer(task, "USR1")
        #expect(scheduler.waitForTerminal(task.taskID)?.state == "TASK_FINISHED")
    }

    /// The `command` of the README's ExecutorInfo example, with its script path pointing at the repository's.
    static func readmeExecutorCommand() throws -> JSONValue {
        let example = try #require(
            try readmeJSONBlocks().first { $0.contains("\"executor_id\"") }, "no ExecutorInfo example in README")
        var command = try #require(try JSON.parse(example)["command"])
        command[path: "environment"] = nil
        let replaced = String(decoding: command.serialized(), as: UTF8.self)
            .replacingOccurrences(of: "/opt/mesos/executor.sh", with: ProgramUnderTest.executorScript)
        return try JSON.parse(replaced)
    }

    /// The README's Singularity deploy as Singularity turns it into an ExecutorInfo: `customExecutorCmd` as the
    /// command's value, `shell` left at its default (true), so the agent runs `sh -c` of it.
    static func readmeSingularityCommand() throws -> JSONValue {
        let example = try #require(readmeJSONBlocks().first { $0.contains("\"customExecutorCmd\"") })
        let value = try #require(try JSON.parse(example)["customExecutorCmd"]?.stringValue)
        return [
            "value": .string(
                value.replacingOccurrences(of: "/opt/mesos/executor.sh", with: ProgramUnderTest.executorScript))
        ]
    }

    static func readmeJSONBlocks() throws -> [String] {
        let readme = try String(
            contentsOfFile: ProgramUnderTest.repositoryRoot.appendingPathComponent("README.md").path, encoding: .utf8)
        return readme.components(separatedBy: "```json\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    }

    @Test(arguments: ["ExecutorInfo", "Singularity"])
    func theReadmeDeploymentLeavesNoShellResident(example: String) throws {
        let scheduler = try scheduler("no-shell-\(example)")
        var task = RealMesosTask("no-shell-\(example)", command: Self.untilUSR1)
        task.command = try example == "Singularity" ? Self.readmeSingularityCommand() : Self.readmeExecutorCommand()
        try launch(task, on: scheduler)
        _ = try #require(scheduler.waitForUpdate(task.taskID, "TASK_RUNNING"), "\(scheduler.errors)")
        let sandbox = try #require(
            RealMesosCluster.sandbox(frameworkID: scheduler.frameworkID, executorID: task.executorID))
        let run = try FileManager.default.destinationOfSymbolicLink(atPath: sandbox)
        let executor = try #require(ProcessTree.processes().first { $0.executable == run + "/sidecar-executor" })
        let chain = ProcessTree.ancestors(of: executor.pid)
        let shells: Set<String> = ["sh", "dash", "bash"]
        #expect(!shells.contains(executor.name))
        #expect(
            chain.prefix { $0.name != "mesos-agent" }.allSatisfy { !shells.contains($0.name) },
            "no shell between the agent and the executor: \(chain.map(\.name))")
        try signalContainer(task, "USR1")
        #expect(scheduler.waitForTerminal(task.taskID)?.state == "TASK_FINISHED")
    }
}

extension MesosTestScheduler {
    /// The terminal update of `taskID` received so far, without waiting.
    func waitForTerminalNow(_ taskID: String) -> Update? {
        updates(of: taskID).first { Self.terminal.contains($0.state) }
    }
}

extension RealMesosCluster {
    /// Polls the agent's log every 100 ms until `predicate` holds on its lines.
    static func waitForAgentLog(timeout: Double, _ predicate: ([String]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            let log = (try? String(contentsOfFile: agentLogPath, encoding: .utf8)) ?? ""
            if predicate(log.split(separator: "\n").map(String.init)) { return true }
            usleep(100_000)
        } while Date() < deadline
        return false
    }
}

extension RealMesosCluster {
    /// How the agent saw the executor end ("exited with status N", "terminated with signal …"), once it has.
    static func waitForExecutorExit(_ executorID: String, timeout: Double = 30) -> String? {
        var outcome: String?
        _ = waitForAgentLog(timeout: timeout) { lines in
            for line in lines where line.contains("Executor '\(executorID)'") {
                if let range = line.range(of: "exited with status ") ?? line.range(of: "terminated with signal ") {
                    outcome = String(line[range.lowerBound...])
                }
            }
            return outcome != nil
        }
        return outcome
    }
}

extension DockerTestEngine {
    /// Polls `condition` every 100 ms until it holds or `timeout` passes.
    static func waitUntilTrue(timeout: Duration, _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }
}

/// The host's processes, read from /proc.
enum ProcessTree {
    struct Entry {
        var pid: Int32
        var parent: Int32
        var name: String
        var executable: String
    }

    static func processes() -> [Entry] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
        return ids.compactMap(entry)
    }

    static func entry(_ pid: Int32) -> Entry? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
        else { return nil }
        let name = String(stat[stat.index(after: open)..<close])
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        guard fields.count > 1, let parent = Int32(fields[1]) else { return nil }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
        return Entry(pid: pid, parent: parent, name: name, executable: executable)
    }

    /// The parent, its parent, … up to pid 1.
    static func ancestors(of pid: Int32) -> [Entry] {
        var chain: [Entry] = []
        var current = entry(pid)?.parent ?? 0
        while current > 1, let next = entry(current), chain.count < 64 {
            chain.append(next)
            current = next.parent
        }
        return chain
    }
}
