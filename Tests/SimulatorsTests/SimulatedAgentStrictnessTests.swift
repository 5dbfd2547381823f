import EventLoop
import Glibc
import Simulators
import Testing

/// Where the simulated agent used to be more lenient than the real Mesos 1.11.0 agent: each test sends the exact
/// request the real one refuses (or treats specially) and expects the real answer.
struct SimulatedAgentStrictnessTests {
    typealias V = SimulatedAgentValidationTests

    private func started(_ agent: SimulatedAgent) -> SimulatedAgent {
        agent.start()
        return agent
    }

    private func port(_ agent: SimulatedAgent) -> UInt16 {
        UInt16(agent.endpointString.split(separator: ":").last.map(String.init) ?? "") ?? 0
    }

    private func post(_ body: String, target: String = "/api/v1/executor", headers: [String] = []) -> String {
        "POST \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json\r\n"
            + headers.map { "\($0)\r\n" }.joined() + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    /// Sends one request on a connection of its own; the full answer, or only the head for a SUBSCRIBE stream.
    private func send(
        _ agent: SimulatedAgent, _ body: String, target: String = "/api/v1/executor", headers: [String] = [],
        streaming: Bool = false
    ) throws -> (TestHTTPClient, TestHTTPResponse) {
        let client = try TestHTTPClient(port: port(agent))
        try client.send(post(body, target: target, headers: headers))
        return (client, try client.readResponse(forHead: streaming))
    }

    private func update(_ status: String) -> String { V.update(status) }

    private func status(uuid: UUIDv4, state: String = "TASK_RUNNING", extra: String = "") -> String {
        let base = V.statusJSON(uuid: uuid.base64, state: state)
        return extra.isEmpty ? base : String(base.dropLast()) + "," + extra + "}"
    }

    @Test func onlyTheExecutorRoutesExistElsewhereIs404() throws {
        let agent = started(try SimulatedAgent())
        defer { agent.stop() }
        let (_, bogus) = try send(agent, V.subscribe, target: "/slave(2)/api/v1/executor")
        #expect(bogus.status == 404)
        let (stream, pid) = try send(agent, V.subscribe, target: "/slave(1)/api/v1/executor", streaming: true)
        #expect(pid.status == 200, "the route MESOS_SLAVE_PID names is the agent's too")
        _ = stream
    }

    @Test func withAuthenticationAMissingOrWrongBearerTokenGets401() throws {
        let agent = started(try SimulatedAgent(authenticationToken: "header.claims.signature"))
        defer { agent.stop() }
        #expect(
            agent.environment(sandbox: "/tmp/s")["MESOS_EXECUTOR_AUTHENTICATION_TOKEN"] == "header.claims.signature")
        for headers in [[], ["Authorization: Bearer header.claims.forged"], ["Authorization: Basic b3BzOnNlY3JldA=="]] {
            let (_, answer) = try send(agent, V.subscribe, headers: headers)
            #expect(answer.status == 401, "\(headers)")
            #expect(answer.header("WWW-Authenticate")?.contains(#"Bearer realm="mesos-agent-executor""#) == true)
            #expect(answer.bodyString.contains("\"Bearer\" authenticator returned:\n401 Unauthorized."))
        }
        let heartbeat = #"{"executor_id":{"value":"x"},"framework_id":{"value":"y"},"type":"HEARTBEAT"}"#
        #expect(try send(agent, heartbeat).1.status == 401, "even a HEARTBEAT, which needs no lookup")
        let (stream, good) = try send(
            agent, V.subscribe, headers: ["Authorization: Bearer header.claims.signature"], streaming: true)
        #expect(good.status == 200)
        _ = stream
    }

    @Test func afterARestartAnUpdateBeforeTheResubscriptionGets403() throws {
        let agent = try SimulatedAgent()
        agent.start()
        defer { agent.stop() }
        agent.launch(SimulatedAgentTask(taskID: "t1"))
        let (first, _) = try send(agent, V.subscribe, streaming: true)
        #expect(try send(agent, update(status(uuid: .random()))).1.status == 202)
        agent.restart()
        _ = first
        let (_, refused) = try send(agent, update(status(uuid: .random())))
        #expect(refused.status == 403)
        #expect(refused.bodyString == "Executor is not subscribed")
        let (second, resubscribed) = try send(agent, V.subscribe, streaming: true)
        #expect(resubscribed.status == 200)
        #expect(try send(agent, update(status(uuid: .random()))).1.status == 202)
        _ = second
    }

    @Test func aStateOutsideTheEnumFailsTheConversionAndAnUnknownReasonIsDropped() throws {
        let agent = try SimulatedAgent()
        agent.start()
        defer { agent.stop() }
        agent.launch(SimulatedAgentTask(taskID: "t1"))
        let (stream, _) = try send(agent, V.subscribe, streaming: true)
        let (_, badState) = try send(agent, update(status(uuid: .random(), state: "TASK_BOGUS")))
        #expect(badState.status == 400)
        #expect(
            badState.bodyString == "Failed to convert JSON into Call protobuf: Failed to find enum for 'TASK_BOGUS'")
        // An optional enum field with an unknown value reads as unset, as stout's conversion drops it.
        let (_, badReason) = try send(agent, update(status(uuid: .random(), extra: #""reason":"REASON_BOGUS""#)))
        #expect(badReason.status == 202)
        let recorded = try #require(agent.updates.last)
        #expect(recorded["reason"] == nil)
        let (_, goodReason) = try send(
            agent, update(status(uuid: .random(), extra: #""reason":"REASON_TASK_HEALTH_CHECK_STATUS_UPDATED""#)))
        #expect(goodReason.status == 202)
        #expect(agent.updates.last?["reason"] == "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED")
        _ = stream
    }

    @Test func aTornDownFrameworkGetsAStreamOfOnlyShutdownAndNoAcknowledgements() throws {
        let agent = try SimulatedAgent()
        agent.start()
        defer { agent.stop() }
        agent.launch(SimulatedAgentTask(taskID: "t1"))
        let (first, _) = try send(agent, V.subscribe, streaming: true)
        agent.tearDownFramework()
        #expect(agent.events.last == ["type": "SHUTDOWN"])
        let eventsBefore = agent.events.count
        #expect(try send(agent, update(status(uuid: .random(), state: "TASK_KILLED"))).1.status == 202)
        #expect(agent.events.count == eventsBefore, "no ACKNOWLEDGED for a terminating framework")
        _ = first
        let client = try TestHTTPClient(port: port(agent))
        try client.send(post(V.subscribe))
        let answer = try client.readResponse()
        #expect(answer.status == 200)
        #expect(answer.wasChunked)
        var buffer = ByteBuffer(answer.body)
        var decoder = RecordIODecoder()
        let only = try #require(try decoder.decode(&buffer))
        #expect(try JSON.parse(only) == ["type": "SHUTDOWN"])
        #expect(buffer.readableBytes == 0, "the stream ends after the SHUTDOWN")
    }

    @Test func anExecutorThatNeverSubscribesIsDestroyedAtTheRegistrationTimeout() throws {
        let agent = try SimulatedAgent(registrationTimeout: .milliseconds(50))
        agent.start()
        defer { agent.stop() }
        agent.launch(SimulatedAgentTask(taskID: "t1"))
        #expect(eventually { agent.hasRemovedExecutor })
        let failed = try #require(agent.agentGeneratedUpdates.first)
        #expect(failed["state"] == "TASK_FAILED")
        #expect(failed["reason"] == "REASON_EXECUTOR_REGISTRATION_TIMEOUT")
        #expect(failed["source"] == "SOURCE_AGENT")
        let (_, late) = try send(agent, V.subscribe)
        #expect(late.status == 400)
        #expect(late.bodyString == "Framework cannot be found")
    }

    @Test func anExecutorNotBackWithinTheReregistrationTimeoutIsDestroyedAndItsTasksGone() throws {
        let agent = try SimulatedAgent(reregistrationTimeout: .milliseconds(50))
        agent.start()
        defer { agent.stop() }
        agent.launch(SimulatedAgentTask(taskID: "t1"))
        let (first, _) = try send(agent, V.subscribe, streaming: true)
        #expect(try send(agent, update(status(uuid: .random()))).1.status == 202)
        agent.restart()
        _ = first
        #expect(eventually { agent.hasRemovedExecutor })
        let gone = try #require(agent.agentGeneratedUpdates.first)
        #expect(gone["state"] == "TASK_GONE", "the framework is partition-aware")
        #expect(gone["reason"] == "REASON_EXECUTOR_REREGISTRATION_TIMEOUT")
        #expect(try send(agent, V.subscribe).1.status == 400)
    }

    @Test func anExecutorBackWithinTheReregistrationTimeoutKeepsItsTasks() throws {
        // A window no loaded machine misses, and the agent asked about the time after it instead of waiting for it.
        let window = Duration.seconds(600)
        let agent = try SimulatedAgent(reregistrationTimeout: window)
        agent.start()
        defer { agent.stop() }
        agent.launch(SimulatedAgentTask(taskID: "t1"))
        let (first, _) = try send(agent, V.subscribe, streaming: true)
        agent.restart()
        _ = first
        let (second, back) = try send(agent, V.subscribe, streaming: true)
        #expect(back.status == 200)
        // Past the window: nothing happens to an executor that came back in time.
        agent.checkTimeouts(at: .now + window * 2)
        #expect(!agent.hasRemovedExecutor)
        #expect(agent.agentGeneratedUpdates.isEmpty)
        _ = second
    }
}
