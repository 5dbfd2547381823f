import EventLoop
import Foundation
import Simulators
import Testing

@testable import Executor

/// The agent sends garbage in the middle of a task (a record announcing 1 GB, invalid UTF-8, JSON nested 5000
/// deep, broken framing, an event missing its fields): the whole executor treats it as a disconnect, resubscribes,
/// and the task's updates all arrive and are acknowledged. `AgentConnectionTests.aMalformedStreamIsADisconnect`
/// shows the same for the connection alone; `RecordIODecoderTests` and `ExecutorEventStreamDecoderTests` show the
/// 1 GB record is refused at its length line, before any byte of it is buffered.
struct ReliabilityHostileAgentTests {
    @Test(arguments: MalformedStream.allCases)
    func garbageFromTheAgentMidTaskIsADisconnectAndNothingIsLost(_ malformed: MalformedStream) throws {
        let harness = try AgentFaultHarness()
        defer { harness.stop() }
        harness.agent.launch(SimulatedAgentTask(taskID: "t1"))
        harness.onLoop { harness.executor.start() }
        #expect(eventually { harness.producedStates == [.starting, .running] })
        #expect(eventually { harness.onLoop { harness.connection.isSettled } })

        malformed.inject(into: harness.agent)
        #expect(harness.agent.waitForCalls("SUBSCRIBE", count: 2) != nil, "no resubscription after \(malformed)")
        #expect(eventually { harness.agent.hasOpenStream })
        // The executor is back on a fresh stream and the task carries on.
        harness.onLoop { harness.engine.exit(statusCode: 0) }
        #expect(eventually { harness.exits == [0] }, "the executor did not exit 0 after \(malformed)")
        #expect(harness.producedStates == [.starting, .running, .finished])
        #expect(harness.agent.acknowledgedEverything(of: "t1"))
        #expect(harness.agent.states(of: "t1").last == "TASK_FINISHED")
        #expect(harness.agent.agentGeneratedUpdates.isEmpty)
    }
}
