import EventLoop
import Foundation
import Simulators
import Testing

@testable import Executor

/// The release executor relaying a real container's output to a UDP listener, as a collector sees it, and its
/// start-up dump.
@Suite(.requires(.docker), .requires(.releaseBinary))
struct LogRelayProcessTests {
    @Test func aCollectorReceivesTheOriginalsRecords() throws {
        let listener = try UDPListener()
        defer { listener.close() }
        let agent = try SimulatedAgent()
        agent.start()
        defer { agent.stop() }
        let executor = try ExecutorProcess(
            agent: agent, name: "relay-e2e",
            extra: [
                "EXECUTOR_RELAY_SYSLOG": "true", "EXECUTOR_SYSLOG_ADDR": "127.0.0.1:\(listener.port)",
                "EXECUTOR_SEND_DOCKER_LABELS": "ServiceName,Payload,Absent", "EXECUTOR_LOG_HOSTNAME": "h1",
                "EXECUTOR_CONTAINER_LOGS_STDOUT": "true", "TZ": "UTC",
            ])
        executor.process.executableURL = try ReleaseExecutor.require()
        defer { executor.tearDown() }
        let taskID = "relay-e2e-\(DockerTestEngine.uniqueSuffix())"
        defer { DockerTestEngine.removeContainers(taskID: taskID) }
        var task = SimulatedAgentTask(
            taskID: taskID, command: "echo '<b>&'; sleep 1; echo 'an ERROR here' >&2; sleep 1; echo fine >&2")
        task.labels = [("SidecarDiscover", "false")]
        task.parameters = [("label", "ServiceName=web"), ("label", "Payload=p"), ("label", "Other=x")]
        agent.launch(task)
        try executor.start()

        let received = listener.receive(4)
        #expect(executor.waitForExit(timeout: .seconds(60)) == 0)
        let inspectID = agent.updates.compactMap {
            $0["labels"]?["labels"]?.arrayValue?.first { $0["key"] == "docker_id" }?["value"]?.stringValue
        }.first
        let id12 = String(try #require(inspectID).prefix(12))
        // The timestamp is the one field the test cannot know; its shape is checked, then it is set aside.
        let timestamp = /"Timestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/
        let shapes = received.map { $0.replacing(timestamp, with: #""Timestamp":"T""#) }
        func record(_ payload: String, _ level: String = "info") -> String {
            #"{"Hostname":"h1","Level":"\#(level)","Payload":"\#(payload)","ServiceName":"web","Timestamp":"T","fields.Payload":"p"}"#
                + "\n"
        }
        #expect(
            shapes == [
                record("sidecar-executor starting log pump for '\(id12)'"), record(#"\u003cb\u003e\u0026"#),
                record("an ERROR here", "error"), record("fine"),
            ])
        // Beside the container's own stdout lines, each record as sent.
        let stdout = executor.stdout
        #expect(stdout.contains("<b>&\n"))
        #expect(received.allSatisfy { stdout.contains($0) }, "the records are copied to stdout as sent")
        let stderr = executor.stderr
        #expect(stderr.contains("INFO Setting EXECUTOR_RELAY_SYSLOG=true\n"))
        #expect(stderr.contains("INFO Setting EXECUTOR_KILL_TASK_TIMEOUT=5 (default)\n"))
        #expect(stderr.contains("INFO Environment EXECUTOR_SYSLOG_ADDR=127.0.0.1:\(listener.port)\n"))
        #expect(stderr.contains("INFO Environment MESOS_FRAMEWORK_ID="))
        #expect(stderr.contains("The log relay sent 4 record(s) to 127.0.0.1:\(listener.port); 0 could not be sent."))
    }

    @Test func anAddressThatCannotBeDialledFailsTheTaskWithAClearMessage() throws {
        let agent = try SimulatedAgent()
        agent.start()
        defer { agent.stop() }
        let executor = try ExecutorProcess(
            agent: agent, name: "relay-fail",
            extra: ["EXECUTOR_RELAY_SYSLOG": "true", "EXECUTOR_SYSLOG_ADDR": "127.0.0.1"])
        executor.process.executableURL = try ReleaseExecutor.require()
        defer { executor.tearDown() }
        let taskID = "relay-fail-\(DockerTestEngine.uniqueSuffix())"
        agent.launch(SimulatedAgentTask(taskID: taskID, command: "true"))
        try executor.start()
        #expect(executor.waitForExit(timeout: .seconds(60)) == 0)
        #expect(agent.states(of: taskID) == ["TASK_FAILED"])
        let update = agent.lastUpdate(of: taskID)
        #expect(update?["reason"]?.stringValue == "REASON_TASK_INVALID")
        #expect(
            update?["message"]?.stringValue?.hasPrefix(
                "The log relay cannot start: EXECUTOR_SYSLOG_ADDR='127.0.0.1' cannot be dialled over UDP:") == true)
    }
}
