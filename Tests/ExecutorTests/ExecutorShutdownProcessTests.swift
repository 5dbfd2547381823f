import EventLoop
import Foundation
import Simulators
import Testing

@testable import Executor

/// The executor binary under a SHUTDOWN the agent never acknowledges, as happens when a framework is torn down: the
/// agent takes the terminal update and drops it ("Ignoring status update TASK_KILLED ... for terminating framework").
/// Within the 5 s shutdown grace period the container is stopped, TASK_KILLED sent, the container removed, and the
/// process exits 0.
@Suite(.requires(.docker), .requires(.releaseBinary))
struct ExecutorShutdownProcessTests {
    @Test func aShutdownNobodyAcknowledgesEndsWithTheContainerRemovedAndExitZero() throws {
        let run = try ReliabilitySignalTests.Run("teardown", signal: .terminate)
        defer { run.tearDown() }
        try run.launch("trap 'exit 0' TERM; sleep 300 & wait")
        #expect(eventually(timeout: .seconds(20)) { run.agent.states(of: run.taskID).contains("TASK_RUNNING") })
        #expect(eventually(timeout: .seconds(20)) { run.agent.acknowledgedEverything(of: run.taskID) })
        run.agent.withholdsAcknowledgements = true
        #expect(run.agent.shutdown())
        #expect(run.exitStatus() == 0)
        #expect(run.agent.states(of: run.taskID) == ["TASK_STARTING", "TASK_RUNNING", "TASK_KILLED"])
        #expect(!run.agent.acknowledgedEverything(of: run.taskID), "the terminal update was never acknowledged")
        #expect(run.containers.isEmpty, "the container is removed before the exit")
        #expect(
            run.executor.stderr.contains("the agent received every terminal update but did not acknowledge them all"))
    }
}
