import EventLoop
import Foundation
import Simulators
import Testing

@testable import Executor

/// Records what the connection tells its delegate; thread-safe (the loop writes, the test reads).
final class AgentDelegateRecorder: AgentConnectionDelegate, @unchecked Sendable {
    enum Entry: Equatable {
        case subscribed(SubscribedInfo)
        case event(ExecutorEvent)
        case acknowledged(TaskStatus)
        case gaveUp(String)
        case rejected(TaskStatus, answer: String)
    }

    private let lock = NSLock()
    private var recorded: [Entry] = []

    var entries: [Entry] { lock.withLock { recorded } }
    var events: [ExecutorEvent] {
        entries.compactMap { if case .event(let event) = $0 { event } else { nil } }
    }
    var acknowledged: [TaskStatus] {
        entries.compactMap { if case .acknowledged(let status) = $0 { status } else { nil } }
    }
    var subscriptions: Int { entries.filter { if case .subscribed = $0 { true } else { false } }.count }
    var giveUpReason: String? {
        entries.compactMap { if case .gaveUp(let reason) = $0 { reason } else { nil } }.first
    }

    private func add(_ entry: Entry) { lock.withLock { recorded.append(entry) } }

    func agentConnection(_ connection: AgentConnection, didSubscribe info: SubscribedInfo) { add(.subscribed(info)) }
    func agentConnection(_ connection: AgentConnection, didReceive event: ExecutorEvent) { add(.event(event)) }
    func agentConnection(_ connection: AgentConnection, didAcknowledge status: TaskStatus) {
        add(.acknowledged(status))
    }
    func agentConnection(_ connection: AgentConnection, didGiveUp reason: String) { add(.gaveUp(reason)) }
    func agentConnection(_ connection: AgentConnection, didDeliver status: TaskStatus) {}
    func agentConnection(_ connection: AgentConnection, didReject status: TaskStatus, answer: String) {
        add(.rejected(status, answer: answer))
    }
}

/// Polls `condition` until it holds or `timeout` passes: tests wait with deadlines, never with fixed sleeps.
func eventually(timeout: Duration = .seconds(60), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.002)
    }
    return condition()
}

/// A real EventLoop, a real AgentConnection and a SimulatedAgent over loopback, with millisecond timings.
final class AgentConnectionHarness: @unchecked Sendable {
    let agent: SimulatedAgent
    let loop = EventLoop(label: "agent-connection-test")
    let connection: AgentConnection
    let recorder = AgentDelegateRecorder()

    init(
        checkpoint: Bool = true, recoveryTimeout: Duration = .seconds(20), backoffMax: Duration = .milliseconds(20),
        token: String? = nil, shutdownGracePeriod: Duration = .seconds(5),
        configure: (inout AgentConnection.Settings) -> Void = { _ in }
    ) throws {
        agent = try SimulatedAgent(checkpoint: checkpoint)
        agent.start()
        var variables = agent.environment(
            sandbox: "/tmp/sandbox", recoveryTimeout: recoveryTimeout, subscriptionBackoffMax: backoffMax,
            shutdownGracePeriod: shutdownGracePeriod)
        variables["MESOS_EXECUTOR_AUTHENTICATION_TOKEN"] = token
        var settings = AgentConnection.Settings()
        settings.resubscribeCeiling = .milliseconds(20)
        settings.callRetryInterval = .milliseconds(20)
        settings.responseTimeout = .seconds(5)
        configure(&settings)
        connection = AgentConnection(loop: loop, environment: try AgentEnvironment.parse(variables), settings: settings)
        connection.delegate = recorder
    }

    func onLoop<T>(_ body: () -> T) -> T { loop.queue.sync(execute: body) }

    func start() { onLoop { connection.start() } }

    func report(_ taskID: String, _ state: TaskState, message: String? = nil) {
        onLoop { connection.report(TaskStatusUpdate(taskID: taskID, state: state, message: message)) }
    }

    var isSettled: Bool { onLoop { connection.isSettled } }

    /// Launches a task and waits until the connection has subscribed and received it.
    func startWithTask(_ taskID: String = "t1") {
        agent.launch(SimulatedAgentTask(taskID: taskID))
        start()
        #expect(eventually { recorder.events.contains { if case .launch = $0 { true } else { false } } })
    }

    func stop() {
        onLoop { connection.stop() }
        agent.stop()
    }
}

struct AgentConnectionTests {
    @Test func everyEventTypeReachesTheDelegateAndUnknownOnesAreIgnored() throws {
        let harness = try AgentConnectionHarness()
        defer { harness.stop() }
        harness.startWithTask()
        let agent = harness.agent
        #expect(harness.recorder.subscriptions == 1)
        #expect(agent.kill(taskID: "t1", gracePeriod: .milliseconds(1500)))
        #expect(agent.kill(taskID: "t1"))
        #expect(agent.message(Array("hello".utf8)))
        #expect(agent.heartbeat())
        #expect(agent.sendEvent(["type": "SOMETHING_NEW", "something_new": [:]]))
        #expect(agent.sendEvent(["type": "ERROR", "error": ["message": "injected"]]))
        #expect(agent.launchGroup([SimulatedAgentTask(taskID: "g1"), SimulatedAgentTask(taskID: "g2")]))
        #expect(agent.shutdown())
        #expect(eventually { harness.recorder.events.count == 7 })
        let events = harness.recorder.events
        guard case .launch(let task) = events.first else {
            Issue.record("first event \(String(describing: events.first))")
            return
        }
        #expect(task.taskID == "t1")
        #expect(task.agentID == "ag-S3")
        #expect(
            Array(events[1...4]) == [
                .kill(taskID: "t1", gracePeriod: .milliseconds(1500)), .kill(taskID: "t1", gracePeriod: nil),
                .message(data: Array("hello".utf8)), .error(message: "injected"),
            ])
        if case .launchGroup(let tasks) = events[5] {
            #expect(tasks.map(\.taskID) == ["g1", "g2"])
        } else {
            Issue.record("event 5 is \(events[5])")
        }
        #expect(events[6] == .shutdown)
        #expect(harness.recorder.giveUpReason == nil)
        #expect(agent.subscriptionCount == 1, "unknown events and heartbeats do not disconnect")
    }

    @Test func subscribedCarriesTheFrameworkCapabilities() throws {
        let harness = try AgentConnectionHarness()
        defer { harness.stop() }
        harness.startWithTask()
        guard case .subscribed(let info) = harness.recorder.entries.first else {
            Issue.record("no SUBSCRIBED first")
            return
        }
        #expect(info.hasTaskKillingState)
        #expect(info.agentID == "ag-S3")
        #expect(info.containerID == harness.agent.containerID)
    }

    @Test func theSubscribeRequestHasExactlyTheHeadersTheAgentWants() throws {
        let harness = try AgentConnectionHarness(token: "t0k3n")
        defer { harness.stop() }
        harness.startWithTask()
        let subscribe = try #require(harness.agent.calls.first)
        #expect(subscribe.request.header("Content-Type") == "application/json")
        #expect(subscribe.request.header("Accept") == "application/json")
        #expect(subscribe.request.header("Authorization") == "Bearer t0k3n")
        #expect(subscribe.request.target == "/slave(1)/api/v1/executor", "the route MESOS_SLAVE_PID names")
        #expect(subscribe.json?["subscribe"] == [:])
        #expect(subscribe.request.header("Content-Length") == String(subscribe.request.body.count))
    }

    @Test func updatesGoOutInOrderAndEachIsAcknowledged() throws {
        let harness = try AgentConnectionHarness()
        defer { harness.stop() }
        harness.startWithTask()
        let states: [TaskState] = [.starting, .running, .running, .killing, .killed]
        for state in states {
            harness.report("t1", state, message: "now \(state.rawValue)")
        }
        let updates = try #require(harness.agent.waitForUpdates(count: states.count))
        #expect(updates.map { $0["state"]?.stringValue } == states.map(\.rawValue))
        #expect(updates.map { $0["message"]?.stringValue } == states.map { "now \($0.rawValue)" })
        for update in updates {
            #expect(update["source"] == "SOURCE_EXECUTOR")
            #expect(update["executor_id"] == ["value": "web.1234"])
            #expect(update["agent_id"] == ["value": "ag-S3"], "copied from the TaskInfo")
            #expect(update["timestamp"]?.doubleValue ?? 0 > 1_600_000_000)
        }
        #expect(Set(updates.compactMap { $0["uuid"]?.stringValue }).count == states.count)
        #expect(eventually { harness.recorder.acknowledged.count == states.count })
        #expect(harness.recorder.acknowledged.map(\.update.state) == states)
        #expect(harness.isSettled)
        let posts = harness.agent.calls.filter { $0.type == "UPDATE" }
        #expect(posts.allSatisfy { $0.status == 202 && $0.request.header("Content-Type") == "application/json" })
    }

    @Test func aDroppedStreamIsFollowedByAResubscriptionWithTheSameUUIDs() throws {
        let harness = try AgentConnectionHarness()
        defer { harness.stop() }
        harness.startWithTask()
        let agent = harness.agent
        agent.withholdsAcknowledgements = true
        harness.report("t1", .starting)
        harness.report("t1", .running)
        let sent = try #require(agent.waitForUpdates(count: 2))
        agent.withholdsAcknowledgements = false
        agent.dropStream(.close)
        let subscribes = try #require(agent.waitForCalls("SUBSCRIBE", count: 2))
        let resubscribe = try #require(subscribes.last?.json?["subscribe"])
        #expect(resubscribe["unacknowledged_updates"] == .array(sent.map { ["status": $0] }))
        #expect(resubscribe["unacknowledged_tasks"]?[0]?["task_id"] == ["value": "t1"])
        // The agent re-processes them and acknowledges them on the new stream.
        #expect(eventually { harness.isSettled })
        #expect(harness.recorder.subscriptions == 2)
        #expect(agent.agentGeneratedUpdates.isEmpty)
    }

    @Test func aFinishedStreamAndAResetAreDisconnectsToo() throws {
        let harness = try AgentConnectionHarness()
        defer { harness.stop() }
        harness.startWithTask()
        harness.agent.dropStream(.finish)
        #expect(harness.agent.waitForCalls("SUBSCRIBE", count: 2) != nil)
        #expect(eventually { harness.recorder.subscriptions == 2 })
        harness.agent.dropStream(.reset)
        #expect(harness.agent.waitForCalls("SUBSCRIBE", count: 3) != nil)
        #expect(eventually { harness.recorder.subscriptions == 3 })
    }

    @Test func theRecoveryTimeoutEndsTheRetries() throws {
        let harness = try AgentConnectionHarness(recoveryTimeout: .milliseconds(300))
        defer { harness.stop() }
        harness.startWithTask()
        harness.agent.availability = .refusingConnections
        #expect(eventually { harness.recorder.giveUpReason != nil })
        #expect(harness.recorder.giveUpReason?.contains("recovery timeout") == true)
        #expect(harness.recorder.subscriptions == 1)
    }

    @Test func aSubscribeAnswered503Or404IsRetriedUntilTheAgentIsBack() throws {
        for status in [503, 404] {
            let harness = try AgentConnectionHarness(checkpoint: false)
            defer { harness.stop() }
            harness.agent.availability = .answering(status: status)
            harness.agent.launch(SimulatedAgentTask(taskID: "t1"))
            harness.start()
            let refused = try #require(harness.agent.waitForCalls("SUBSCRIBE", count: 3))
            #expect(refused.allSatisfy { $0.status == status })
            harness.agent.availability = .normal
            #expect(eventually { harness.recorder.subscriptions == 1 })
            #expect(harness.recorder.giveUpReason == nil)
        }
    }

    @Test func anUpdateAnswered503IsRetriedInOrder() throws {
        let harness = try AgentConnectionHarness()
        defer { harness.stop() }
        harness.startWithTask()
        harness.agent.recovering = true
        harness.report("t1", .starting)
        harness.report("t1", .running)
        #expect(harness.agent.waitForCalls("UPDATE", count: 3) != nil)
        #expect(harness.agent.updates.isEmpty)
        harness.agent.recovering = false
        let updates = try #require(harness.agent.waitForUpdates(count: 2))
        #expect(updates.map { $0["state"] } == ["TASK_STARTING", "TASK_RUNNING"])
        #expect(eventually { harness.isSettled })
    }

    @Test func withoutCheckpointingADisconnectGivesUpAtOnce() throws {
        let harness = try AgentConnectionHarness(checkpoint: false)
        defer { harness.stop() }
        harness.startWithTask()
        harness.agent.dropStream(.close)
        #expect(eventually { harness.recorder.giveUpReason != nil })
        #expect(harness.recorder.giveUpReason?.contains("does not checkpoint") == true)
        #expect(harness.agent.calls.filter { $0.type == "SUBSCRIBE" }.count == 1)
    }

    @Test(arguments: MalformedStream.allCases)
    func aMalformedStreamIsADisconnect(_ malformed: MalformedStream) throws {
        let harness = try AgentConnectionHarness()
        defer { harness.stop() }
        harness.startWithTask()
        malformed.inject(into: harness.agent)
        #expect(harness.agent.waitForCalls("SUBSCRIBE", count: 2) != nil, "\(malformed)")
        #expect(eventually { harness.recorder.subscriptions == 2 })
        // The events that came with the garbage were not delivered.
        #expect(harness.recorder.events.count == 1)
    }

    @Test func anEventSplitAcrossChunksAndReadsIsReassembled() throws {
        let harness = try AgentConnectionHarness()
        defer { harness.stop() }
        harness.startWithTask()
        let kill: JSONValue = [
            "type": "KILL",
            "kill": ["task_id": ["value": "t1"], "kill_policy": ["grace_period": ["nanoseconds": 2_000_000_000]]],
        ]
        let record = RecordIO.encode(kill.serialized())
        var start = 0
        for size in [1, 2, 5, 30, record.count] where start < record.count {
            let end = min(record.count, start + size)
            #expect(harness.agent.sendRawChunk(Array(record[start..<end])))
            start = end
            // Let each piece arrive on its own.
            Thread.sleep(forTimeInterval: 0.01)
        }
        // Two records in one chunk.
        let shutdown = RecordIO.encode(Array(#"{"type":"SHUTDOWN"}"#.utf8))
        #expect(harness.agent.sendRawChunk(shutdown + shutdown))
        #expect(eventually { harness.recorder.events.count == 4 })
        #expect(
            Array(harness.recorder.events.dropFirst()) == [
                .kill(taskID: "t1", gracePeriod: .seconds(2)), .shutdown, .shutdown,
            ])
        #expect(harness.agent.subscriptionCount == 1)
    }

    @Test func anUnansweredUpdateIsADisconnectAndTheResubscriptionCarriesIt() throws {
        let harness = try AgentConnectionHarness { $0.responseTimeout = .milliseconds(200) }
        defer { harness.stop() }
        harness.startWithTask()
        harness.agent.leavesCallsUnanswered = true
        harness.report("t1", .running)
        let subscribes = try #require(harness.agent.waitForCalls("SUBSCRIBE", count: 2))
        harness.agent.leavesCallsUnanswered = false
        let stalled = try #require(harness.agent.calls.first { $0.type == "UPDATE" })
        #expect(stalled.status == 0)
        let uuid = stalled.json?["update"]?["status"]?["uuid"]
        #expect(subscribes[1].json?["subscribe"]?["unacknowledged_updates"]?[0]?["status"]?["uuid"] == uuid)
        #expect(eventually { harness.isSettled })
    }

    @Test func theCallConnectionDroppingIsADisconnectAndTheUpdateIsNotLost() throws {
        let harness = try AgentConnectionHarness()
        defer { harness.stop() }
        harness.startWithTask()
        harness.agent.dropNextCalls()
        harness.report("t1", .running, message: "dropped once")
        let subscribes = try #require(harness.agent.waitForCalls("SUBSCRIBE", count: 2))
        let dropped = try #require(harness.agent.calls.first { $0.type == "UPDATE" })
        #expect(dropped.status == 0)
        let carried = subscribes[1].json?["subscribe"]?["unacknowledged_updates"]?[0]?["status"]
        #expect(carried == dropped.json?["update"]?["status"])
        #expect(eventually { harness.isSettled })
        #expect(harness.agent.updates.map { $0["message"] } == ["dropped once"])
    }

    @Test func heartbeatCallsGoOutOnTheirInterval() throws {
        let harness = try AgentConnectionHarness { $0.heartbeatInterval = .milliseconds(30) }
        defer { harness.stop() }
        harness.startWithTask()
        let heartbeats = try #require(harness.agent.waitForCalls("HEARTBEAT", count: 2))
        #expect(heartbeats.allSatisfy { $0.status == 202 })
        #expect(heartbeats[0].json?.objectValue?.keys == ["executor_id", "framework_id", "type"])
    }
}

/// Ways the agent's stream can be broken.
enum MalformedStream: CaseIterable, CustomTestStringConvertible {
    case badLength
    case badJSON
    case truncatedChunk
    case hugeRecord
    case invalidUTF8
    case deepNesting
    case eventWithoutItsFields

    var testDescription: String { "\(self)" }

    func inject(into agent: SimulatedAgent) {
        switch self {
        case .badLength:
            agent.sendRawChunk(Array("12x\n{\"type\":\"HEARTBEAT\"}".utf8))
        case .badJSON:
            agent.sendRawChunk(RecordIO.encode(Array(#"{"type":"KILL","kill":"#.utf8)))
        case .truncatedChunk:
            agent.writeRawToStream(Array("100\r\n21\n{\"type\":\"HEARTBEAT\"}".utf8))
            agent.dropStream(.close)
        case .hugeRecord:
            agent.sendRawChunk(Array("1000000000\n{".utf8))
        case .invalidUTF8:
            agent.sendRawChunk(
                RecordIO.encode(
                    Array(#"{"type":"ERROR","error":{"message":""#.utf8) + [0xC3, 0x28] + Array(#""}}"#.utf8)))
        case .deepNesting:
            agent.sendRawChunk(RecordIO.encode([UInt8](repeating: UInt8(ascii: "["), count: 5000)))
        case .eventWithoutItsFields:
            agent.sendRawChunk(RecordIO.encode(Array(#"{"type":"KILL","kill":{}}"#.utf8)))
        }
    }
}
