import EventLoop
import Testing

@testable import Executor

/// Regression tests for what the fault tests exposed in the task layer: a SHUTDOWN (or a signal) must end the task
/// within the agent's grace period whatever the task is doing: during a stalled pull, and during a KILL whose
/// grace period is longer than the agent waits.
struct ReliabilityShutdownTests {
    static let containerID = "2ad39c8706dd5d2d77d450ec84f3d891de3e137036053b7fec36e2432c315894"

    private func lifecycle() -> TaskLifecycle {
        TaskLifecycle(settings: .init(taskID: "task-1", image: "local/busybox:latest", sendsKillingState: true))
    }

    private func running() -> TaskLifecycle {
        var machine = lifecycle()
        for event: TaskLifecycle.Event in [
            .launch, .imageChecked(present: true), .created(containerID: Self.containerID), .waiting, .started,
            .inspected(ContainerDetails(id: Self.containerID, ipAddresses: [])),
        ] {
            _ = machine.handle(event)
        }
        return machine
    }

    private func reportedStates(_ actions: [TaskLifecycle.Action]) -> [TaskState] {
        actions.compactMap { if case .report(let update) = $0 { update.state } else { nil } }
    }

    @Test func aShutdownDuringThePullEndsKilledAtOnceAndTheLatePullIsIgnored() {
        var machine = lifecycle()
        _ = machine.handle(.launch)
        _ = machine.handle(.imageChecked(present: false))
        #expect(machine.state == .pulling)
        let actions = machine.handle(.shutdown(grace: .seconds(3)))
        #expect(reportedStates(actions) == [.killed])
        guard case .report(let update) = actions.first else {
            Issue.record("no report: \(actions)")
            return
        }
        #expect(update.reason == .taskKilledDuringLaunch)
        #expect(machine.state == .terminated(containerID: nil))
        #expect(machine.handle(.pulled).isEmpty, "a pull finishing later must not create a container")
        #expect(machine.handle(.terminalAcknowledged) == [.finish])
    }

    @Test func aShutdownDuringTheImageLookupEndsKilledAtOnce() {
        var machine = lifecycle()
        _ = machine.handle(.launch)
        #expect(reportedStates(machine.handle(.shutdown(grace: .seconds(3)))) == [.killed])
        #expect(machine.handle(.imageChecked(present: true)).isEmpty)
        #expect(machine.handle(.imageCheckFailed(.transport(.timedOut(after: .seconds(30))))).isEmpty)
    }

    @Test func aShutdownDuringALongerKillStopsAgainWithTheShorterGrace() {
        var machine = running()
        _ = machine.handle(.kill(grace: .seconds(60)))
        #expect(machine.handle(.drained) == [.stop(containerID: Self.containerID, grace: .seconds(60))])
        #expect(
            machine.handle(.shutdown(grace: .seconds(3))) == [.stop(containerID: Self.containerID, grace: .seconds(3))])
        #expect(machine.handle(.shutdown(grace: .seconds(3))).isEmpty, "the same grace again changes nothing")
        let exit = machine.handle(.exited(ContainerExit(statusCode: 137)))
        guard case .report(let update) = exit.first else {
            Issue.record("no terminal update: \(exit)")
            return
        }
        #expect(update.state == .killed)
        #expect(update.message?.contains("shutting down (grace period 3s)") == true, "\(update.message ?? "")")
    }

    @Test func aShutdownLongerThanTheStopInFlightChangesNothing() {
        var machine = running()
        _ = machine.handle(.kill(grace: .seconds(1)))
        _ = machine.handle(.drained)
        #expect(machine.handle(.shutdown(grace: .seconds(3))).isEmpty)
        let exit = machine.handle(.exited(ContainerExit(statusCode: 0)))
        guard case .report(let update) = exit.first else {
            Issue.record("no terminal update: \(exit)")
            return
        }
        #expect(update.message?.contains("framework's request (grace period 1s)") == true)
    }

    @Test func aShutdownDuringAHealthFailureStopKeepsTheFailureAndShortensTheStop() {
        var machine = running()
        #expect(
            machine.handle(.healthFailed(message: "Sidecar reports the service unhealthy"))
                == [.stop(containerID: Self.containerID, grace: .seconds(5))])
        #expect(
            machine.handle(.shutdown(grace: .seconds(2))) == [.stop(containerID: Self.containerID, grace: .seconds(2))])
        #expect(reportedStates(machine.handle(.exited(ContainerExit(statusCode: 137)))) == [.failed])
    }

    @Test func theSupervisorAsksTheEngineForTheShorterStop() {
        let harness = TaskSupervisorTests.Harness(killingState: true)
        harness.engine.exitCodeOnStop = nil
        harness.launch()
        harness.onLoop { harness.supervisor.kill(gracePeriod: .seconds(60)) }
        harness.onLoop { harness.supervisor.shutdown(grace: .seconds(3)) }
        let id = FakeDockerEngine.containerID
        #expect(
            harness.engine.calls.filter { if case .stop = $0 { true } else { false } } == [
                .stop(id, grace: .seconds(60)), .stop(id, grace: .seconds(3)),
            ])
        harness.onLoop { harness.engine.exit(statusCode: 137) }
        #expect(harness.reporter.states == [.starting, .running, .killing, .killed])
    }

    @Test func theSupervisorEndsAShutdownDuringAStalledPullWithoutCreatingAContainer() {
        let harness = TaskSupervisorTests.Harness(killingState: true)
        harness.engine.imagePresent = false
        harness.engine.holdPull = true
        harness.launch()
        harness.onLoop { harness.supervisor.shutdown(grace: .seconds(3)) }
        #expect(harness.reporter.states == [.starting, .killed])
        harness.onLoop { harness.supervisor.terminalUpdateAcknowledged() }
        #expect(harness.finishedCount == 1)
        harness.onLoop { harness.engine.releasePull() }
        #expect(!harness.engine.calls.contains { if case .create = $0 { true } else { false } })
        #expect(harness.reporter.states == [.starting, .killed])
    }
}
