import EventLoop
import Foundation
import Simulators
import Testing

@testable import Executor

/// A task runner that reports what a test tells it to and records what the executor asks of it.
final class FakeTaskRunner: TaskRunner, @unchecked Sendable {
    enum Call: Equatable {
        case launch(String)
        case kill(Duration?)
        case shutdown(Duration)
        case terminalUpdateAcknowledged
        case cleanUpBeforeExit
    }

    let context: TaskRunnerContext
    private let lock = NSLock()
    private var recorded: [Call] = []
    private(set) var taskID = ""
    /// Reports TASK_KILLED as soon as a kill or shutdown is asked for.
    var stopsAtOnce = true
    /// Otherwise, reports TASK_KILLED this long after a shutdown (a container that takes its grace).
    var stopsAfter: Duration?
    /// The executor's loop, for `stopsAfter`.
    var loop: EventLoop?
    /// Calls the finished callback when asked to clean up before the exit (false: the engine never answers).
    var finishesCleanUp = true
    /// The cause of the last shutdown asked for.
    private(set) var shutdownCause: TaskLifecycle.ShutdownCause?

    init(context: TaskRunnerContext) {
        self.context = context
    }

    var calls: [Call] { lock.withLock { recorded } }

    private func record(_ call: Call) { lock.withLock { recorded.append(call) } }

    func launch(taskInfo: JSONValue) {
        taskID = taskInfo["task_id"]?["value"]?.stringValue ?? ""
        record(.launch(taskID))
        context.reporter.report(TaskStatusUpdate(taskID: taskID, state: .starting, message: "Launching"))
    }

    func kill(gracePeriod: Duration?) {
        record(.kill(gracePeriod))
        if context.sendsKillingState {
            context.reporter.report(TaskStatusUpdate(taskID: taskID, state: .killing))
        }
        if stopsAtOnce { context.reporter.report(TaskStatusUpdate(taskID: taskID, state: .killed)) }
    }

    func shutdown(grace: Duration, cause: TaskLifecycle.ShutdownCause) {
        lock.withLock { shutdownCause = cause }
        record(.shutdown(grace))
        if stopsAtOnce { context.reporter.report(TaskStatusUpdate(taskID: taskID, state: .killed)) }
        if let delay = stopsAfter, let loop {
            let (reporter, taskID) = (LoopBound(context.reporter, loop: loop), taskID)
            _ = loop.schedule(after: delay) {
                reporter.value.report(TaskStatusUpdate(taskID: taskID, state: .killed))
            }
        }
    }

    func terminalUpdateAcknowledged() {
        record(.terminalUpdateAcknowledged)
        context.onFinished()
    }

    func cleanUpBeforeExit() {
        record(.cleanUpBeforeExit)
        if finishesCleanUp { context.onFinished() }
    }

    /// Reports `state` as the running container would (call on the loop).
    func report(_ state: TaskState, message: String? = nil) {
        context.reporter.report(TaskStatusUpdate(taskID: taskID, state: state, message: message))
    }
}

/// An executor wired to a fake runner, a real connection and a SimulatedAgent.
final class ExecutorHarness: @unchecked Sendable {
    let connectionHarness: AgentConnectionHarness
    let executor: MesosExecutor
    private let lock = NSLock()
    private var runners: [FakeTaskRunner] = []
    private var exitStatuses: [Int32] = []

    var agent: SimulatedAgent { connectionHarness.agent }
    var exitStatus: Int32? { lock.withLock { exitStatuses.first } }
    var exitCount: Int { lock.withLock { exitStatuses.count } }
    var runner: FakeTaskRunner? { lock.withLock { runners.first } }
    var runnerCount: Int { lock.withLock { runners.count } }

    init(
        checkpoint: Bool = true, exitFailSafe: Duration = .seconds(30), stopsAtOnce: Bool = true,
        shutdownGracePeriod: Duration = .seconds(5), cleanupLimit: Duration = .seconds(10),
        configureRunner: @escaping (FakeTaskRunner) -> Void = { _ in }
    ) throws {
        connectionHarness = try AgentConnectionHarness(
            checkpoint: checkpoint, shutdownGracePeriod: shutdownGracePeriod)
        var settings = MesosExecutor.Settings()
        settings.exitFailSafe = exitFailSafe
        settings.cleanupLimit = cleanupLimit
        let loop = connectionHarness.loop
        let lock = self.lock
        var made: (FakeTaskRunner) -> Void = { _ in }
        var exited: (Int32) -> Void = { _ in }
        executor = MesosExecutor(
            loop: connectionHarness.loop, connection: connectionHarness.connection, settings: settings,
            makeRunner: { context in
                let runner = FakeTaskRunner(context: context)
                runner.stopsAtOnce = stopsAtOnce
                runner.loop = loop
                configureRunner(runner)
                made(runner)
                return runner
            },
            exit: { status in exited(status) })
        made = { [weak self] runner in lock.withLock { self?.runners.append(runner) } }
        exited = { [weak self] status in lock.withLock { self?.exitStatuses.append(status) } }
    }

    func onLoop<T>(_ body: () -> T) -> T { connectionHarness.onLoop(body) }

    /// Queues a LAUNCH of `taskID`, starts the executor and waits for the runner.
    func startWithTask(_ taskID: String = "t1") {
        agent.launch(SimulatedAgentTask(taskID: taskID))
        onLoop { executor.start() }
        #expect(eventually { runner != nil })
    }

    func updates(of taskID: String) -> [String] {
        agent.updates.filter { $0["task_id"]?["value"]?.stringValue == taskID }.compactMap { $0["state"]?.stringValue }
    }

    func stop() { connectionHarness.stop() }
}

struct ExecutorExitTests {
    @Test func theExecutorExitsZeroOnceTheTerminalUpdateIsAcknowledged() throws {
        let harness = try ExecutorHarness()
        defer { harness.stop() }
        harness.startWithTask()
        let runner = try #require(harness.runner)
        #expect(runner.calls == [.launch("t1")])
        harness.onLoop { runner.report(.running) }
        #expect(eventually { harness.updates(of: "t1") == ["TASK_STARTING", "TASK_RUNNING"] })
        #expect(harness.exitStatus == nil)
        harness.onLoop { runner.report(.finished, message: "Container exited with status 0") }
        #expect(eventually { harness.exitStatus != nil })
        #expect(harness.exitStatus == 0)
        #expect(runner.calls.last == .terminalUpdateAcknowledged)
        #expect(harness.exitCount == 1)
    }

    @Test func withoutTheAcknowledgementTheFailSafeExitsNonZero() throws {
        let harness = try ExecutorHarness(exitFailSafe: .milliseconds(200))
        defer { harness.stop() }
        harness.startWithTask()
        let runner = try #require(harness.runner)
        harness.agent.withholdsAcknowledgements = true
        harness.onLoop { runner.report(.failed, message: "Container exited with status 3") }
        #expect(eventually { harness.exitStatus != nil })
        #expect(harness.exitStatus == 1)
        #expect(!runner.calls.contains(.terminalUpdateAcknowledged))
        #expect(runner.calls.last == .cleanUpBeforeExit, "the container is removed before the fail-safe exit")
        #expect(harness.updates(of: "t1") == ["TASK_STARTING", "TASK_FAILED"])
    }

    @Test func aKillIsForwardedWithItsGracePeriod() throws {
        let harness = try ExecutorHarness()
        defer { harness.stop() }
        harness.startWithTask()
        let runner = try #require(harness.runner)
        #expect(harness.agent.kill(taskID: "t1", gracePeriod: .seconds(7)))
        #expect(eventually { harness.exitStatus == 0 })
        #expect(runner.calls.prefix(2) == [.launch("t1"), .kill(.seconds(7))])
        // The simulated framework has TASK_KILLING_STATE.
        #expect(harness.updates(of: "t1") == ["TASK_STARTING", "TASK_KILLING", "TASK_KILLED"])
    }

    @Test func shutdownStopsTheTaskWithinTheGraceLessTwoSeconds() throws {
        let harness = try ExecutorHarness()
        defer { harness.stop() }
        harness.startWithTask()
        let runner = try #require(harness.runner)
        #expect(eventually { harness.updates(of: "t1") == ["TASK_STARTING"] })
        #expect(harness.agent.shutdown())
        #expect(eventually { harness.exitStatus != nil })
        #expect(harness.exitStatus == 0)
        // MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD is 5secs.
        #expect(runner.calls.contains(.shutdown(.seconds(3))))
        #expect(harness.updates(of: "t1").last == "TASK_KILLED")
    }

    @Test func aSecondLaunchFailsAndTheFirstTaskRunsOn() throws {
        let harness = try ExecutorHarness()
        defer { harness.stop() }
        harness.startWithTask()
        harness.agent.launch(SimulatedAgentTask(taskID: "t2"))
        #expect(eventually { harness.updates(of: "t2") == ["TASK_FAILED"] })
        let failed = try #require(harness.agent.updates.last { $0["task_id"]?["value"] == "t2" })
        #expect(failed["reason"] == "REASON_TASK_INVALID")
        #expect(failed["message"]?.stringValue?.contains("one task per executor") == true)
        #expect(harness.runnerCount == 1)
        #expect(harness.exitStatus == nil)
    }

    @Test func eachTaskOfALaunchGroupFails() throws {
        let harness = try ExecutorHarness()
        defer { harness.stop() }
        harness.agent.shutsDownIdleExecutor = false
        harness.onLoop { harness.executor.start() }
        #expect(eventually { harness.agent.hasOpenStream })
        #expect(harness.agent.launchGroup([SimulatedAgentTask(taskID: "g1"), SimulatedAgentTask(taskID: "g2")]))
        #expect(
            eventually { harness.updates(of: "g1") == ["TASK_FAILED"] && harness.updates(of: "g2") == ["TASK_FAILED"] })
        for update in harness.agent.updates {
            #expect(update["message"] == .string(MesosExecutor.taskGroupsUnsupported))
            #expect(update["reason"] == "REASON_TASK_INVALID")
        }
        // Both terminal updates acknowledged and no task left: nothing more to do.
        #expect(eventually { harness.exitStatus == 0 })
        #expect(harness.runnerCount == 0)
    }

    @Test func anIdleExecutorShutDownByTheAgentExitsZero() throws {
        let harness = try ExecutorHarness()
        defer { harness.stop() }
        harness.onLoop { harness.executor.start() }
        #expect(eventually { harness.exitStatus != nil })
        #expect(harness.exitStatus == 0)
    }

    @Test func losingTheAgentWithoutCheckpointingStopsTheTaskAndExitsNonZero() throws {
        let harness = try ExecutorHarness(checkpoint: false)
        defer { harness.stop() }
        harness.startWithTask()
        let runner = try #require(harness.runner)
        harness.agent.dropStream(.close)
        #expect(eventually { harness.exitStatus != nil })
        #expect(harness.exitStatus == 1)
        #expect(runner.calls.contains(.shutdown(.seconds(3))))
        #expect(runner.calls.last == .terminalUpdateAcknowledged, "the runner may clean up: no ACK can come")
    }

    @Test func aSignalStopsTheTaskAsAShutdownDoes() throws {
        let harness = try ExecutorHarness()
        defer { harness.stop() }
        harness.startWithTask()
        let runner = try #require(harness.runner)
        harness.onLoop { harness.executor.terminate() }
        #expect(eventually { harness.exitStatus == 0 })
        #expect(runner.calls.contains(.shutdown(.seconds(3))))
        #expect(runner.shutdownCause == .executorShuttingDown)
    }

    @Test func theAWSLeaseEndingStopsTheTaskAsAShutdownNamingTheLease() throws {
        let harness = try ExecutorHarness()
        defer { harness.stop() }
        harness.startWithTask()
        let runner = try #require(harness.runner)
        let cause = TaskLifecycle.ShutdownCause.awsLeaseEnding(role: "app", secondsLeft: 360)
        harness.onLoop { harness.executor.terminate(cause: cause) }
        // A signal arriving afterwards does not change the reason given.
        harness.onLoop { harness.executor.terminate() }
        #expect(eventually { harness.exitStatus == 0 })
        #expect(runner.calls.contains(.shutdown(.seconds(3))))
        #expect(runner.shutdownCause == cause)
    }
}

/// The exit paths issue 12 and issue 11 found wrong: an update the agent refuses for good, a SHUTDOWN nobody
/// acknowledges, a shutdown grace longer than the fail-safe, a cleanup the engine never finishes.
struct ExecutorExitPathTests {
    /// Starts the task, has it report TASK_RUNNING and waits until the agent acknowledged everything.
    private func runningTask(_ harness: ExecutorHarness) throws -> FakeTaskRunner {
        harness.startWithTask()
        let runner = try #require(harness.runner)
        harness.onLoop { runner.report(.running) }
        #expect(eventually { harness.updates(of: "t1") == ["TASK_STARTING", "TASK_RUNNING"] })
        #expect(eventually { harness.connectionHarness.isSettled })
        return runner
    }

    @Test func aTerminalUpdateTheAgentRefusesReleasesTheTaskAndExitsOne() throws {
        // A fail-safe of an hour: only the refusal itself can end this executor within the test.
        let harness = try ExecutorHarness(exitFailSafe: .seconds(3600))
        defer { harness.stop() }
        let runner = try runningTask(harness)
        harness.agent.availability = .answering(status: 400)
        harness.onLoop { runner.report(.finished, message: "Container exited with status 0") }
        #expect(eventually { harness.exitStatus != nil })
        #expect(harness.exitStatus == 1)
        #expect(runner.calls.last == .terminalUpdateAcknowledged, "released: the container is removed")
        let refused = harness.agent.calls.filter { $0.type == "UPDATE" && $0.status == 400 }
        #expect(refused.count == 1)
    }

    @Test func aRunningUpdateTheAgentRefusesStopsTheTaskAndExitsOne() throws {
        let harness = try ExecutorHarness(exitFailSafe: .seconds(3600))
        defer { harness.stop() }
        harness.startWithTask()
        let runner = try #require(harness.runner)
        #expect(eventually { harness.connectionHarness.isSettled })
        harness.agent.availability = .answering(status: 415)
        harness.onLoop { runner.report(.running) }
        #expect(eventually { harness.exitStatus != nil })
        #expect(harness.exitStatus == 1)
        #expect(runner.calls == [.launch("t1"), .shutdown(.seconds(3)), .terminalUpdateAcknowledged])
    }

    @Test func aShutdownNobodyAcknowledgesStillRemovesTheContainerAndExitsZero() throws {
        // A framework being torn down: the agent takes the updates and never acknowledges them.
        let harness = try ExecutorHarness(exitFailSafe: .seconds(3600), shutdownGracePeriod: .seconds(3))
        defer { harness.stop() }
        let runner = try runningTask(harness)
        harness.agent.withholdsAcknowledgements = true
        #expect(harness.agent.shutdown())
        #expect(eventually { harness.exitStatus != nil })
        #expect(harness.exitStatus == 0)
        #expect(runner.calls == [.launch("t1"), .shutdown(.seconds(1)), .cleanUpBeforeExit])
        #expect(harness.updates(of: "t1").last == "TASK_KILLED", "the terminal update reached the agent")
    }

    @Test func theFailSafeNeverCutsTheShutdownGraceShort() throws {
        // The container takes 400 ms to stop, longer than the 100 ms fail-safe but well within the 10-minute grace.
        let harness = try ExecutorHarness(
            exitFailSafe: .milliseconds(100), stopsAtOnce: false, shutdownGracePeriod: .seconds(600),
            configureRunner: { $0.stopsAfter = .milliseconds(400) })
        defer { harness.stop() }
        let runner = try runningTask(harness)
        #expect(harness.agent.shutdown())
        #expect(eventually { harness.exitStatus != nil })
        #expect(harness.exitStatus == 0)
        #expect(runner.calls == [.launch("t1"), .shutdown(.seconds(598)), .terminalUpdateAcknowledged])
    }

    @Test func theFailSafeAfterLosingTheAgentCoversTheStopGrace() throws {
        let harness = try ExecutorHarness(
            checkpoint: false, exitFailSafe: .milliseconds(100), stopsAtOnce: false,
            shutdownGracePeriod: .seconds(600),
            configureRunner: { $0.stopsAfter = .milliseconds(400) })
        defer { harness.stop() }
        let runner = try runningTask(harness)
        harness.agent.dropStream(.close)
        #expect(eventually { harness.exitStatus != nil })
        #expect(harness.exitStatus == 1)
        #expect(
            runner.calls == [.launch("t1"), .shutdown(.seconds(598)), .terminalUpdateAcknowledged],
            "the task stopped in its own time and was released, not cut short")
    }

    @Test func aCleanupTheEngineNeverFinishesStillEndsInTheExit() throws {
        let harness = try ExecutorHarness(
            exitFailSafe: .milliseconds(50), cleanupLimit: .milliseconds(50),
            configureRunner: { $0.finishesCleanUp = false })
        defer { harness.stop() }
        harness.startWithTask()
        let runner = try #require(harness.runner)
        harness.agent.withholdsAcknowledgements = true
        harness.onLoop { runner.report(.failed, message: "Container exited with status 3") }
        #expect(eventually { harness.exitStatus != nil })
        #expect(harness.exitStatus == 1)
        #expect(runner.calls.last == .cleanUpBeforeExit)
    }
}
