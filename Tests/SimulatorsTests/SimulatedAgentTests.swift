import EventLoop
import Simulators
import Testing

/// Reads a SUBSCRIBE response from a raw socket: the head, then one event per chunk.
private final class EventStreamReader {
    let client: TestHTTPClient
    let head: TestHTTPResponse

    init(agent: SimulatedAgent, body: String = SimulatedAgentValidationTests.subscribe) throws {
        client = try TestHTTPClient(port: Self.port(of: agent))
        try client.send(SimulatedAgentTests.post(body))
        head = try client.readResponse(forHead: true)
    }

    static func port(of agent: SimulatedAgent) -> UInt16 {
        UInt16(agent.endpointString.split(separator: ":").last.map(String.init) ?? "") ?? 0
    }

    /// The next chunk's payload, decoded as one RecordIO record of JSON; nil for the terminating chunk.
    func nextEvent() throws -> JSONValue? {
        let sizeLine = try client.readUntil("\r\n")
        let size = Int(String(decoding: sizeLine.dropLast(2), as: UTF8.self), radix: 16) ?? -1
        if size == 0 { return nil }
        let chunk = Array(try client.readUntil("\r\n").dropLast(2))
        #expect(chunk.count == size)
        var buffer = ByteBuffer(chunk)
        var decoder = RecordIODecoder()
        let record = try #require(try decoder.decode(&buffer))
        #expect(buffer.readableBytes == 0, "one record per chunk")
        return try JSON.parse(record)
    }
}

struct SimulatedAgentTests {
    static func post(_ body: String, contentType: String = "application/json") -> String {
        "POST /api/v1/executor HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: \(contentType)\r\n"
            + "Accept: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    private func makeAgent() throws -> SimulatedAgent {
        let agent = try SimulatedAgent()
        agent.start()
        return agent
    }

    private func call(_ agent: SimulatedAgent, _ body: String, contentType: String = "application/json") throws
        -> TestHTTPResponse
    {
        let client = try TestHTTPClient(port: EventStreamReader.port(of: agent))
        try client.send(Self.post(body, contentType: contentType))
        return try client.readResponse()
    }

    private func update(uuid: UUIDv4, state: String = "TASK_RUNNING", source: String? = "SOURCE_EXECUTOR") -> String {
        SimulatedAgentValidationTests.update(
            SimulatedAgentValidationTests.statusJSON(uuid: uuid.base64, source: source, state: state))
    }

    @Test func theAgentRejectsOverTheWireExactlyAsTheRealOne() throws {
        let agent = try makeAgent()
        defer { agent.stop() }
        let early = try call(agent, update(uuid: .random()))
        #expect(early.status == 403)
        #expect(early.bodyString == "Executor is not subscribed")
        #expect(early.header("Content-Type") == "text/plain; charset=utf-8")
        let charset = try call(
            agent, SimulatedAgentValidationTests.subscribe, contentType: "application/json; charset=utf-8")
        #expect(charset.status == 415)
        #expect(agent.calls.map(\.status) == [403, 415])
    }

    @Test func subscribeStreamsSubscribedThenQueuedLaunchesOnePerChunk() throws {
        let agent = try makeAgent()
        defer { agent.stop() }
        agent.launch(SimulatedAgentTask(taskID: "t1", command: "sleep 1"))
        let reader = try EventStreamReader(agent: agent)
        #expect(reader.head.status == 200)
        #expect(reader.head.header("Content-Type") == "application/json")
        #expect(reader.head.header("Transfer-Encoding") == "chunked")
        #expect(reader.head.header("Content-Length") == nil)
        let subscribed = try #require(try reader.nextEvent())
        #expect(subscribed["type"] == "SUBSCRIBED")
        #expect(
            subscribed["subscribed"]?.objectValue?.keys == [
                "executor_info", "framework_info", "agent_info", "container_id",
            ])
        #expect(
            subscribed["subscribed"]?["agent_info"]?.jsonString
                == #"{"hostname":"agent7.example","port":5051,"id":{"value":"ag-S3"}}"#)
        let framework = subscribed["subscribed"]?["framework_info"]
        #expect(framework?["checkpoint"] == true)
        #expect(framework?["failover_timeout"] == 604800.0)
        #expect(framework?["capabilities"]?[0] == ["type": "TASK_KILLING_STATE"])
        #expect(subscribed["subscribed"]?["executor_info"]?["command"]?["shell"] == true)
        let launch = try #require(try reader.nextEvent())
        #expect(launch["type"] == "LAUNCH")
        #expect(launch["launch"]?["task"]?["task_id"]?["value"] == "t1")
        #expect(launch["launch"]?["task"]?["container"]?["docker"]?["privileged"] == false)
        #expect(agent.taskStatesByID == ["t1": "TASK_STAGING"])
    }

    @Test func aValidUpdateGets202ThenAnAcknowledgementOnTheStream() throws {
        let agent = try makeAgent()
        defer { agent.stop() }
        agent.launch(SimulatedAgentTask(taskID: "t1"))
        let reader = try EventStreamReader(agent: agent)
        _ = try reader.nextEvent()
        _ = try reader.nextEvent()
        let uuid = UUIDv4.random()
        let answer = try call(agent, update(uuid: uuid))
        #expect(answer.status == 202)
        #expect(answer.header("Content-Length") == "0")
        #expect(answer.body.isEmpty)
        let ack = try #require(try reader.nextEvent())
        #expect(
            ack == [
                "type": "ACKNOWLEDGED", "acknowledged": ["task_id": ["value": "t1"], "uuid": .string(uuid.base64)],
            ])
        #expect(agent.taskStatesByID["t1"] == "TASK_RUNNING")
    }

    @Test func withheldAcknowledgementsAreSentOnRelease() throws {
        let agent = try makeAgent()
        defer { agent.stop() }
        agent.launch(SimulatedAgentTask(taskID: "t1"))
        let reader = try EventStreamReader(agent: agent)
        _ = try reader.nextEvent()
        _ = try reader.nextEvent()
        agent.withholdsAcknowledgements = true
        let uuid = UUIDv4.random()
        #expect(try call(agent, update(uuid: uuid)).status == 202)
        #expect(agent.events.count == 2)
        #expect(agent.releaseWithheldAcknowledgements() == 1)
        #expect(try reader.nextEvent()?["acknowledged"]?["uuid"] == .string(uuid.base64))
    }

    @Test func aNewSubscribeClosesThePreviousStreamAndReprocessesUnacknowledgedUpdates() throws {
        let agent = try makeAgent()
        defer { agent.stop() }
        agent.launch(SimulatedAgentTask(taskID: "t1"))
        let first = try EventStreamReader(agent: agent)
        _ = try first.nextEvent()
        let launch = try #require(try first.nextEvent())
        let task = try #require(launch["launch"]?["task"])
        let uuid = UUIDv4.random()
        let status = SimulatedAgentValidationTests.statusJSON(uuid: uuid.base64)
        let resubscribe =
            #"{"executor_id":{"value":"web.1234"},"framework_id":{"value":"fw-0001"},"type":"SUBSCRIBE","subscribe":"#
            + #"{"unacknowledged_tasks":["# + task.jsonString + #"],"unacknowledged_updates":[{"status":"# + status
            + "}]}}"
        let second = try EventStreamReader(agent: agent, body: resubscribe)
        #expect(try first.nextEvent() == nil, "the previous stream ends with the terminating chunk")
        #expect(try second.nextEvent()?["type"] == "SUBSCRIBED")
        #expect(try second.nextEvent()?["acknowledged"]?["uuid"] == .string(uuid.base64))
        #expect(agent.updates.count == 1)
        #expect(agent.subscriptionCount == 2)
        #expect(agent.agentGeneratedUpdates.isEmpty)
    }

    @Test func aLaunchedTaskTheExecutorForgetsIsDroppedOnResubscription() throws {
        let agent = try makeAgent()
        defer { agent.stop() }
        agent.launch(SimulatedAgentTask(taskID: "t1"))
        let first = try EventStreamReader(agent: agent)
        _ = try first.nextEvent()
        _ = try first.nextEvent()
        let second = try EventStreamReader(agent: agent)
        #expect(try second.nextEvent()?["type"] == "SUBSCRIBED")
        #expect(agent.agentGeneratedUpdates.first?["state"] == "TASK_DROPPED")
        #expect(agent.agentGeneratedUpdates.first?["reason"] == "REASON_AGENT_RESTARTED")
    }

    @Test func anExecutorThatNeverHadATaskIsShutDown() throws {
        let agent = try makeAgent()
        defer { agent.stop() }
        let reader = try EventStreamReader(agent: agent)
        #expect(try reader.nextEvent()?["type"] == "SUBSCRIBED")
        #expect(try reader.nextEvent() == ["type": "SHUTDOWN"])
    }

    @Test func updatesForUnknownTasksOrAnotherAgentAreNeverAcknowledged() throws {
        let agent = try makeAgent()
        defer { agent.stop() }
        agent.shutsDownIdleExecutor = false
        let reader = try EventStreamReader(agent: agent)
        _ = try reader.nextEvent()
        #expect(try call(agent, update(uuid: .random())).status == 202)
        agent.launch(SimulatedAgentTask(taskID: "t1"))
        _ = try reader.nextEvent()
        let foreign = SimulatedAgentValidationTests.update(
            #"{"task_id":{"value":"t1"},"state":"TASK_RUNNING","source":"SOURCE_EXECUTOR","agent_id":{"value":"ag-X"},"#
                + #""uuid":""# + UUIDv4.random().base64 + #""}"#)
        #expect(try call(agent, foreign).status == 202)
        #expect(agent.updates.count == 2)
        #expect(agent.events.map { $0["type"] } == ["SUBSCRIBED", "LAUNCH"])
    }

    @Test func controlsSendEventsAndAvailabilityAnswersEverything() throws {
        let agent = try makeAgent()
        defer { agent.stop() }
        agent.launch(SimulatedAgentTask(taskID: "t1"))
        let reader = try EventStreamReader(agent: agent)
        _ = try reader.nextEvent()
        _ = try reader.nextEvent()
        #expect(agent.kill(taskID: "t1", gracePeriod: .seconds(3)))
        #expect(
            try reader.nextEvent()
                == [
                    "type": "KILL",
                    "kill": [
                        "task_id": ["value": "t1"], "kill_policy": ["grace_period": ["nanoseconds": 3_000_000_000]],
                    ],
                ])
        #expect(agent.message(Array("hi".utf8)))
        #expect(try reader.nextEvent() == ["type": "MESSAGE", "message": ["data": "aGk="]])
        #expect(agent.heartbeat())
        #expect(try reader.nextEvent() == ["type": "HEARTBEAT"])
        agent.availability = .answering(status: 503)
        let answer = try call(agent, SimulatedAgentValidationTests.subscribe)
        #expect(answer.status == 503)
        #expect(answer.bodyString == "Agent has not finished recovery")
        agent.availability = .normal
        agent.recovering = true
        #expect(try call(agent, update(uuid: .random())).status == 503)
    }

    @Test func theEnvironmentPointsAnExecutorAtTheAgent() throws {
        let agent = try SimulatedAgent(checkpoint: true)
        defer { agent.stop() }
        let environment = agent.environment(sandbox: "/tmp/sandbox", subscriptionBackoffMax: .milliseconds(20))
        #expect(environment["MESOS_AGENT_ENDPOINT"] == agent.endpointString)
        #expect(environment["MESOS_CHECKPOINT"] == "1")
        #expect(environment["MESOS_SUBSCRIPTION_BACKOFF_MAX"] == "20ms")
        #expect(environment["MESOS_RECOVERY_TIMEOUT"] == "15mins")
        #expect(environment["MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD"] == "5secs")
        let plain = agent.environment(sandbox: "/tmp/sandbox", checkpoint: false)
        #expect(plain["MESOS_CHECKPOINT"] == "0")
        #expect(plain["MESOS_RECOVERY_TIMEOUT"] == nil)
    }
}
