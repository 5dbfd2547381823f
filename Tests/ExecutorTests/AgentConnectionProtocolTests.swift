import EventLoop
import Foundation
import Simulators
import Testing

@testable import Executor

/// A peer that answers every SUBSCRIBE with its own stream or status: the answers a real agent never gives (or gives
/// only to a framework being torn down), and what the connection makes of them.
struct AgentConnectionProtocolTests {
    enum Answer: CaseIterable, CustomTestStringConvertible {
        case heartbeatFirst
        case launchFirst
        case subscribedWithoutAgentInfo
        case subscribedWithoutExecutorInfo
        case subscribedWithoutFrameworkInfo

        var testDescription: String { "\(self)" }

        var firstEvent: JSONValue {
            let complete: JSONValue = [
                "executor_info": ["executor_id": ["value": "web.1234"]],
                "framework_info": ["id": ["value": "fw-0001"], "user": "root", "name": "fw"],
                "agent_info": ["id": ["value": "ag-S3"], "hostname": "agent7.example"],
            ]
            func without(_ key: String) -> JSONValue {
                var subscribed = complete
                subscribed[path: key] = nil
                return ["type": "SUBSCRIBED", "subscribed": subscribed]
            }
            switch self {
            case .heartbeatFirst: return ["type": "HEARTBEAT"]
            case .launchFirst:
                return ["type": "LAUNCH", "launch": ["task": ["task_id": ["value": "t1"], "name": "t"]]]
            case .subscribedWithoutAgentInfo: return without("agent_info")
            case .subscribedWithoutExecutorInfo: return without("executor_info")
            case .subscribedWithoutFrameworkInfo: return without("framework_info")
            }
        }
    }

    /// A connection to `server` as if it were the agent, without checkpointing (a failed attempt gives up at once).
    private func connection(to server: BlockingHTTPServer, loop: EventLoop) throws -> AgentConnection {
        let variables = [
            "MESOS_AGENT_ENDPOINT": "127.0.0.1:\(server.port)", "MESOS_FRAMEWORK_ID": "fw-0001",
            "MESOS_EXECUTOR_ID": "web.1234", "MESOS_DIRECTORY": "/tmp/sandbox", "MESOS_CHECKPOINT": "0",
        ]
        return AgentConnection(loop: loop, environment: try AgentEnvironment.parse(variables))
    }

    private func streaming(_ events: [JSONValue], thenClose: Bool = false) throws -> BlockingHTTPServer {
        let server = try BlockingHTTPServer()
        server.handler = { _, responder in
            let stream = responder.startChunkedStream(status: 200, headers: [("Content-Type", "application/json")])
            for event in events { _ = stream.send(RecordIO.encode(event.serialized())) }
            if thenClose { _ = stream.finish() }
        }
        server.start()
        return server
    }

    @Test(arguments: Answer.allCases)
    func aSubscribeAnsweredWithoutACompleteSubscribedIsAProtocolErrorNeverSubscribed(_ answer: Answer) throws {
        let server = try streaming([answer.firstEvent])
        defer { server.stop() }
        let loop = EventLoop(label: "protocol-\(answer)")
        let recorder = AgentDelegateRecorder()
        let connection = try connection(to: server, loop: loop)
        connection.delegate = recorder
        loop.queue.sync { connection.start() }
        #expect(eventually { recorder.giveUpReason != nil })
        #expect(recorder.giveUpReason?.contains("protocol error") == true, "\(recorder.entries)")
        #expect(recorder.subscriptions == 0)
        #expect(recorder.events.isEmpty, "nothing of the stream reaches the executor")
        loop.queue.sync { connection.stop() }
    }

    @Test func aStreamCarryingOnlyShutdownShutsTheExecutorDown() throws {
        let server = try streaming([["type": "SHUTDOWN"]], thenClose: true)
        defer { server.stop() }
        let loop = EventLoop(label: "protocol-shutdown")
        let recorder = AgentDelegateRecorder()
        let connection = try connection(to: server, loop: loop)
        connection.delegate = recorder
        loop.queue.sync { connection.start() }
        #expect(eventually { recorder.events == [.shutdown] })
        #expect(recorder.subscriptions == 0)
        loop.queue.sync { connection.stop() }
    }

    @Test(arguments: [401, 403])
    func aSubscribeRefusedForItsTokenGivesUpAtOnceEvenWhenCheckpointing(_ status: Int) throws {
        let agent = try SimulatedAgent(authenticationToken: "the.real.token")
        agent.start()
        defer { agent.stop() }
        var variables = agent.environment(sandbox: "/tmp/sandbox")
        variables["MESOS_EXECUTOR_AUTHENTICATION_TOKEN"] = "a.forged.token"
        if status == 403 {
            // 403 is how the agent refuses a valid token whose claims name another executor.
            agent.availability = .answering(status: 403)
        }
        let loop = EventLoop(label: "protocol-\(status)")
        let recorder = AgentDelegateRecorder()
        let connection = AgentConnection(loop: loop, environment: try AgentEnvironment.parse(variables))
        connection.delegate = recorder
        loop.queue.sync { connection.start() }
        #expect(eventually { recorder.giveUpReason != nil })
        #expect(recorder.giveUpReason?.contains("refused") == true)
        #expect(recorder.giveUpReason?.contains("\(status)") == true)
        #expect(agent.calls.filter { $0.type == "SUBSCRIBE" }.count == 1, "no retry can change the answer")
        #expect(agent.calls.first?.status == status)
        loop.queue.sync { connection.stop() }
    }
}
