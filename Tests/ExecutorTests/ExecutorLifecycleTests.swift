import Testing

@testable import Executor

/// Every transition of the exit policy, as tables of events and the actions each one yields.
struct ExecutorLifecycleTests {
    typealias Event = ExecutorLifecycle.Event
    typealias Action = ExecutorLifecycle.Action

    /// A 5 s shutdown grace period (the agent's default): tasks stop with 3 s, the deadline is at 4 s, the removal
    /// after it may take 0.5 s.
    static let settings = ExecutorLifecycle.Settings(
        shutdownGracePeriod: .seconds(5), exitFailSafe: .seconds(60), shutdownReserve: .seconds(2),
        cleanupLimit: .seconds(10))

    static let acknowledgedExit = Action.exit(
        status: 0, reason: "Every task's terminal update is acknowledged; exiting")

    /// Feeds `steps` in order, expecting each event's actions; returns the lifecycle.
    @discardableResult
    private func expectTable(
        _ steps: [(Event, [Action])],
        from start: ExecutorLifecycle = ExecutorLifecycle(settings: settings),
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> ExecutorLifecycle {
        var lifecycle = start
        for (index, (event, expected)) in steps.enumerated() {
            let actions = lifecycle.handle(event)
            #expect(actions == expected, "step \(index): \(event)", sourceLocation: sourceLocation)
        }
        return lifecycle
    }

    /// A lifecycle with task t1 launched and running.
    private var running: ExecutorLifecycle {
        var lifecycle = ExecutorLifecycle(settings: Self.settings)
        _ = lifecycle.handle(.launch(taskID: "t1"))
        return lifecycle
    }

    @Test func theTimingsComeFromTheShutdownGracePeriod() {
        #expect(Self.settings.taskStopGrace == .seconds(3))
        #expect(Self.settings.shutdownDeadline == .seconds(4))
        #expect(Self.settings.shutdownCleanupLimit == .milliseconds(500))
        var long = Self.settings
        long.shutdownGracePeriod = .seconds(120)
        #expect(long.taskStopGrace == .seconds(118))
        #expect(long.shutdownDeadline == .seconds(119))
        var short = Self.settings
        short.shutdownGracePeriod = .seconds(1)
        #expect(short.taskStopGrace == .zero)
        #expect(short.shutdownDeadline == .zero)
    }

    @Test func oneTaskRunsAndExitsZeroOnceAcknowledgedAndRemoved() {
        let lifecycle = expectTable([
            (.launch(taskID: "t1"), [.startRunner(taskID: "t1")]),
            (.terminalReported(taskID: "t1"), [.armFailSafe(after: .seconds(60))]),
            (.terminalReported(taskID: "t1"), []),
            (.terminalAcknowledged(taskID: "t1"), [.releaseRunner(taskID: "t1")]),
            (.terminalAcknowledged(taskID: "t1"), []),
            (.runnerFinished(taskID: "t1"), [Self.acknowledgedExit]),
            // Exited: nothing happens any more.
            (.launch(taskID: "t2"), []),
            (.failSafeFired, []),
            (.shutdown, []),
        ])
        #expect(lifecycle.phase == .exited)
    }

    @Test func aSecondLaunchARepeatedOneAndALaunchGroupAreAnswered() {
        expectTable([
            (.launch(taskID: "t1"), [.startRunner(taskID: "t1")]),
            (.launch(taskID: "t1"), [.warn("Ignoring a repeated LAUNCH of task t1")]),
            (
                .launch(taskID: "t2"),
                [
                    .rejectTask(
                        taskID: "t2", message: "sidecar-executor runs one task per executor, and it already runs t1",
                        reason: .taskInvalid)
                ]
            ),
            (
                .launchGroup(taskIDs: ["g1", "t1"]),
                [.rejectTask(taskID: "g1", message: ExecutorLifecycle.taskGroupsUnsupported, reason: .taskInvalid)]
            ),
            // The rejected tasks' TASK_FAILED are terminal updates like any other.
            (.terminalReported(taskID: "t2"), []),
            (.terminalReported(taskID: "g1"), []),
            (.terminalAcknowledged(taskID: "t2"), []),
            (.terminalAcknowledged(taskID: "g1"), []),
            (.terminalReported(taskID: "t1"), [.armFailSafe(after: .seconds(60))]),
            (.terminalAcknowledged(taskID: "t1"), [.releaseRunner(taskID: "t1")]),
            (.runnerFinished(taskID: "t1"), [Self.acknowledgedExit]),
        ])
    }

    @Test func aLaunchGroupAloneEndsOnceItsFailuresAreAcknowledged() {
        let failed = Action.rejectTask(
            taskID: "g1", message: ExecutorLifecycle.taskGroupsUnsupported, reason: .taskInvalid)
        expectTable([
            (.launchGroup(taskIDs: ["g1"]), [failed]),
            (.terminalReported(taskID: "g1"), [.armFailSafe(after: .seconds(60))]),
            (.terminalAcknowledged(taskID: "g1"), [Self.acknowledgedExit]),
        ])
    }

    @Test func killsAreForwardedOnlyToARunningTaskOfThisExecutor() {
        expectTable(
            [
                (.kill(taskID: "t1", grace: .seconds(7)), [.killRunner(taskID: "t1", grace: .seconds(7))]),
                (.kill(taskID: "t1", grace: nil), [.killRunner(taskID: "t1", grace: nil)]),
                (
                    .kill(taskID: "zz", grace: nil),
                    [.warn("Ignoring a KILL of task zz, which this executor does not run")]
                ),
                (.terminalReported(taskID: "t1"), [.armFailSafe(after: .seconds(60))]),
                (.kill(taskID: "t1", grace: nil), []),
            ], from: running)
    }

    @Test func aShutdownStopsTheTaskWithinTheGraceAndExitsZeroOnceAcknowledged() {
        let lifecycle = expectTable(
            [
                (
                    .shutdown,
                    [
                        .shutDownRunner(taskID: "t1", grace: .seconds(3)), .armShutdownDeadline(after: .seconds(4)),
                    ]
                ),
                (.shutdown, []),
                (
                    .launch(taskID: "t2"),
                    [.rejectTask(taskID: "t2", message: "the executor is shutting down", reason: .executorTerminated)]
                ),
                (.launch(taskID: "t1"), [.warn("Ignoring a repeated LAUNCH of task t1")]),
                // No fail-safe while shutting down: the deadline bounds the wait.
                (.terminalReported(taskID: "t1"), []),
                (.terminalReported(taskID: "t2"), []),
                (.terminalAcknowledged(taskID: "t2"), []),
                (.terminalAcknowledged(taskID: "t1"), [.releaseRunner(taskID: "t1")]),
                (.runnerFinished(taskID: "t1"), [Self.acknowledgedExit]),
            ], from: running)
        #expect(lifecycle.phase == .exited)
    }

    @Test func anIdleExecutorShutsDownAtOnce() {
        expectTable([(.shutdown, [.exit(status: 0, reason: "Shut down with no task; exiting")])])
    }

    @Test func atTheShutdownDeadlineADeliveredTerminalUpdateIsEnoughForExitZero() {
        let reason = "Shut down: the agent received every terminal update but did not acknowledge them all"
        expectTable(
            [
                (
                    .shutdown,
                    [.shutDownRunner(taskID: "t1", grace: .seconds(3)), .armShutdownDeadline(after: .seconds(4))]
                ),
                (.terminalReported(taskID: "t1"), []),
                (.terminalDelivered(taskID: "t1"), []),
                (.terminalDelivered(taskID: "t1"), []),
                (.shutdownDeadlineFired, [.cleanUpRunner(taskID: "t1"), .armCleanupLimit(after: .milliseconds(500))]),
                // Cleaning up: only the runners' ends and the limit matter.
                (.terminalAcknowledged(taskID: "t1"), []),
                (.failSafeFired, []),
                (.runnerFinished(taskID: "t1"), [.exit(status: 0, reason: reason)]),
            ], from: running)
    }

    @Test func atTheShutdownDeadlineATerminalUpdateTheAgentNeverGotMeansExitOne() {
        expectTable(
            [
                (
                    .shutdown,
                    [.shutDownRunner(taskID: "t1", grace: .seconds(3)), .armShutdownDeadline(after: .seconds(4))]
                ),
                (.terminalReported(taskID: "t1"), []),
                (.shutdownDeadlineFired, [.cleanUpRunner(taskID: "t1"), .armCleanupLimit(after: .milliseconds(500))]),
                (
                    .runnerFinished(taskID: "t1"),
                    [.exit(status: 1, reason: "Shut down, but the agent did not receive every terminal update")]
                ),
            ], from: running)
    }

    @Test func aDeliveredTerminalUpdateStillWaitsForItsAcknowledgement() {
        expectTable(
            [
                (.terminalDelivered(taskID: "t1"), []),
                (.terminalReported(taskID: "t1"), [.armFailSafe(after: .seconds(60))]),
                (.terminalDelivered(taskID: "t1"), []),
                (.terminalAcknowledged(taskID: "t1"), [.releaseRunner(taskID: "t1")]),
                (.runnerFinished(taskID: "t1"), [Self.acknowledgedExit]),
            ], from: running)
    }

    @Test func atTheShutdownDeadlineATaskStillRunningMeansExitOne() {
        let reason = "Shut down before every task had ended within the shutdown grace period"
        expectTable(
            [
                (
                    .shutdown,
                    [.shutDownRunner(taskID: "t1", grace: .seconds(3)), .armShutdownDeadline(after: .seconds(4))]
                ),
                (.shutdownDeadlineFired, [.cleanUpRunner(taskID: "t1"), .armCleanupLimit(after: .milliseconds(500))]),
                (.terminalReported(taskID: "t1"), []),
                (.runnerFinished(taskID: "t1"), [.exit(status: 1, reason: reason)]),
            ], from: running)
    }

    @Test func theCleanupLimitEndsAnExitTheEngineNeverLetsFinish() {
        let reason = "No acknowledgement of the terminal update within 60s; exiting anyway"
        expectTable(
            [
                (.terminalReported(taskID: "t1"), [.armFailSafe(after: .seconds(60))]),
                (.failSafeFired, [.cleanUpRunner(taskID: "t1"), .armCleanupLimit(after: .seconds(10))]),
                (
                    .cleanupLimitFired,
                    [.exit(status: 1, reason: reason + " (the containers' removal did not finish in time)")]
                ),
                (.runnerFinished(taskID: "t1"), []),
            ], from: running)
    }

    @Test func theFailSafeRemovesTheContainerThenExitsOne() {
        let reason = "No acknowledgement of the terminal update within 60s; exiting anyway"
        expectTable(
            [
                (.terminalReported(taskID: "t1"), [.armFailSafe(after: .seconds(60))]),
                (.failSafeFired, [.cleanUpRunner(taskID: "t1"), .armCleanupLimit(after: .seconds(10))]),
                (.runnerFinished(taskID: "t1"), [.exit(status: 1, reason: reason)]),
            ], from: running)
    }

    @Test func theFailSafeWithNoRunnerLeftExitsAtOnce() {
        let reason = "No acknowledgement of the terminal update within 60s; exiting anyway"
        let failed = Action.rejectTask(
            taskID: "g1", message: ExecutorLifecycle.taskGroupsUnsupported, reason: .taskInvalid)
        expectTable([
            (.launchGroup(taskIDs: ["g1"]), [failed]),
            (.terminalReported(taskID: "g1"), [.armFailSafe(after: .seconds(60))]),
            (.failSafeFired, [.exit(status: 1, reason: reason)]),
        ])
    }

    @Test func losingTheAgentStopsTheTaskReleasesItWhenItEndsAndExitsOne() {
        expectTable(
            [
                // The fail-safe covers the stop's grace: 60 s plus 3 s.
                (.agentLost, [.shutDownRunner(taskID: "t1", grace: .seconds(3)), .armFailSafe(after: .seconds(63))]),
                (.agentLost, []),
                (.shutdown, []),
                (.terminalReported(taskID: "t1"), [.releaseRunner(taskID: "t1")]),
                (.terminalReported(taskID: "t1"), []),
                (
                    .runnerFinished(taskID: "t1"),
                    [.exit(status: 1, reason: "The agent is lost and every task has stopped; exiting")]
                ),
            ], from: running)
    }

    @Test func losingTheAgentAfterTheTerminalUpdateReleasesTheTaskAtOnce() {
        expectTable(
            [
                (.terminalReported(taskID: "t1"), [.armFailSafe(after: .seconds(60))]),
                (.agentLost, [.releaseRunner(taskID: "t1")]),
                (
                    .runnerFinished(taskID: "t1"),
                    [.exit(status: 1, reason: "The agent is lost and every task has stopped; exiting")]
                ),
            ], from: running)
    }

    @Test func losingTheAgentWhileShuttingDownKeepsTheStopUnderWay() {
        expectTable(
            [
                (
                    .shutdown,
                    [.shutDownRunner(taskID: "t1", grace: .seconds(3)), .armShutdownDeadline(after: .seconds(4))]
                ),
                (.agentLost, [.armFailSafe(after: .seconds(63))]),
                (
                    .shutdownDeadlineFired,
                    [.cleanUpRunner(taskID: "t1"), .armCleanupLimit(after: .seconds(10))]
                ),
                (
                    .runnerFinished(taskID: "t1"),
                    [.exit(status: 1, reason: "The agent is lost and the shutdown grace period is over; exiting")]
                ),
            ], from: running)
    }

    @Test func theFailSafeAfterLosingTheAgentCleansUpAndExitsOne() {
        let reason = "The tasks did not stop within the fail-safe after the agent was lost; exiting anyway"
        expectTable(
            [
                (.agentLost, [.shutDownRunner(taskID: "t1", grace: .seconds(3)), .armFailSafe(after: .seconds(63))]),
                (.failSafeFired, [.cleanUpRunner(taskID: "t1"), .armCleanupLimit(after: .seconds(10))]),
                (.runnerFinished(taskID: "t1"), [.exit(status: 1, reason: reason)]),
            ], from: running)
    }

    @Test func aTerminalUpdateTheAgentRefusesReleasesTheTaskAndMakesTheExitOne() {
        let reason = "Every task has ended, but the agent refused an update of this executor; exiting"
        expectTable(
            [
                (.terminalReported(taskID: "t1"), [.armFailSafe(after: .seconds(60))]),
                (.updateRejected(taskID: "t1", terminal: true), [.releaseRunner(taskID: "t1")]),
                (.terminalAcknowledged(taskID: "t1"), []),
                (.runnerFinished(taskID: "t1"), [.exit(status: 1, reason: reason)]),
            ], from: running)
    }

    @Test func aRunningUpdateTheAgentRefusesStopsTheTask() {
        let reason = "Every task has ended, but the agent refused an update of this executor; exiting"
        expectTable(
            [
                (.updateRejected(taskID: "t1", terminal: false), [.shutDownRunner(taskID: "t1", grace: .seconds(3))]),
                (.updateRejected(taskID: "t1", terminal: false), [.shutDownRunner(taskID: "t1", grace: .seconds(3))]),
                (.updateRejected(taskID: "zz", terminal: false), []),
                (.terminalReported(taskID: "t1"), [.armFailSafe(after: .seconds(60))]),
                // The terminal update may still be acknowledged: the exit stays 1.
                (.terminalAcknowledged(taskID: "t1"), [.releaseRunner(taskID: "t1")]),
                (.runnerFinished(taskID: "t1"), [.exit(status: 1, reason: reason)]),
            ], from: running)
    }

    @Test func aRefusedUpdateDuringAShutdownChangesOnlyTheStatus() {
        expectTable(
            [
                (
                    .shutdown,
                    [.shutDownRunner(taskID: "t1", grace: .seconds(3)), .armShutdownDeadline(after: .seconds(4))]
                ),
                (.updateRejected(taskID: "t1", terminal: false), []),
                (.terminalReported(taskID: "t1"), []),
                (
                    .shutdownDeadlineFired,
                    [.cleanUpRunner(taskID: "t1"), .armCleanupLimit(after: .milliseconds(500))]
                ),
                (
                    .runnerFinished(taskID: "t1"),
                    [.exit(status: 1, reason: "Shut down, but the agent refused an update of this executor")]
                ),
            ], from: running)
    }

    @Test func timersOfAPhaseAlreadyLeftDoNothing() {
        expectTable(
            [
                (.shutdownDeadlineFired, []),
                (.cleanupLimitFired, []),
                (.runnerFinished(taskID: "zz"), []),
                (.terminalReported(taskID: "zz"), []),
                (.terminalAcknowledged(taskID: "zz"), []),
            ], from: running)
    }
}
