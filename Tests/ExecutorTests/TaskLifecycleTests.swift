import EventLoop
import Testing

@testable import Executor

struct TaskLifecycleTests {
    static let image = "local/busybox:latest"
    static let containerID = "2ad39c8706dd5d2d77d450ec84f3d891de3e137036053b7fec36e2432c315894"
    static let details = ContainerDetails(id: containerID, ipAddresses: ["172.31.251.2"])
    static let dockerLabel = [TaskStatusUpdate.Label(key: "docker_id", value: containerID)]

    private func lifecycle(
        killingState: Bool = false,
        keep: Bool = false,
        forcePull: Bool = false
    ) -> TaskLifecycle {
        TaskLifecycle(
            settings: .init(
                taskID: "task-1", image: Self.image, forcePull: forcePull, sendsKillingState: killingState,
                keepContainers: keep, defaultGrace: .seconds(5)))
    }

    /// Drives a lifecycle to `running` and returns it.
    private func running(killingState: Bool = false, keep: Bool = false) -> TaskLifecycle {
        var machine = lifecycle(killingState: killingState, keep: keep)
        for event: TaskLifecycle.Event in [
            .launch, .imageChecked(present: true), .created(containerID: Self.containerID), .waiting, .started,
            .inspected(Self.details),
        ] {
            _ = machine.handle(event)
        }
        return machine
    }

    private func update(
        _ state: TaskState,
        _ message: String,
        reason: TaskStatusReason? = nil,
        healthy: Bool? = nil,
        container: Bool = true,
        addresses: [String] = ["172.31.251.2"]
    ) -> TaskLifecycle.Action {
        var status = TaskStatusUpdate(
            taskID: "task-1", state: state, message: message, reason: reason, healthy: healthy)
        if container {
            status.labels = Self.dockerLabel
            status.containerIPAddresses = addresses
        }
        return .report(status)
    }

    @Test func theHappyPathRegistersTheWaitBeforeStartAndReportsInOrder() {
        var machine = lifecycle()
        let id = Self.containerID
        #expect(
            machine.handle(.launch) == [
                update(.starting, "Launching container for image local/busybox:latest", container: false), .checkImage,
            ])
        #expect(machine.handle(.imageChecked(present: true)) == [.create])
        #expect(machine.handle(.created(containerID: id)) == [.armWait(containerID: id, condition: .nextExit)])
        #expect(machine.handle(.waiting) == [.start(containerID: id)])
        #expect(machine.handle(.started) == [.followLogs(containerID: id), .inspect(containerID: id)])
        #expect(
            machine.handle(.inspected(Self.details)) == [
                update(.running, "Container 2ad39c8706dd started"), .startHealth(containerID: id),
            ])
        #expect(
            machine.handle(.exited(ContainerExit(statusCode: 0))) == [
                update(.finished, "Container exited with status 0"), .containerExited,
            ])
        #expect(machine.handle(.terminalAcknowledged) == [.remove(containerID: id)])
        #expect(machine.handle(.removed) == [.finish])
        #expect(machine.state == .finished)
    }

    @Test func aMissingImageIsPulledAndForcePullAlwaysPulls() {
        var absent = lifecycle()
        _ = absent.handle(.launch)
        #expect(absent.handle(.imageChecked(present: false)) == [.pull])
        #expect(absent.handle(.pulled) == [.create])
        var forced = lifecycle(forcePull: true)
        _ = forced.handle(.launch)
        #expect(forced.handle(.imageChecked(present: true)) == [.pull])
    }

    @Test(arguments: [
        (3, TaskState.failed, "Container exited with status 3"),
        (143, .failed, "Container terminated with signal 15 (exit status 143)"),
        (128, .failed, "Container exited with status 128"),
        (0, .finished, "Container exited with status 0"),
    ])
    func anExitNobodyAskedForMapsTheStatusCode(code: Int, state: TaskState, message: String) {
        var machine = running()
        #expect(machine.handle(.exited(ContainerExit(statusCode: code))) == [update(state, message), .containerExited])
    }

    @Test func aSIGKILLNobodySentIsCheckedForTheOOMKillerBeforeTheTerminalUpdate() {
        var machine = running()
        let id = Self.containerID
        #expect(machine.handle(.exited(ContainerExit(statusCode: 137))) == [.inspectExit(containerID: id)])
        #expect(machine.state == .checkingExit(containerID: id, exit: ContainerExit(statusCode: 137)))
        #expect(machine.handle(.kill(grace: .seconds(5))).isEmpty, "the container is already dead")
        #expect(
            machine.handle(.exitInspected(oomKilled: true)) == [
                update(
                    .failed,
                    "Container was killed by the kernel's OOM killer: it outgrew its memory limit (exit status 137)",
                    reason: .containerLimitationMemory),
                .containerExited,
            ])
        #expect(machine.isTerminal)
    }

    @Test func aSIGKILLTheEngineDoesNotBlameOnMemoryIsReportedAsTheSignal() {
        var machine = running()
        _ = machine.handle(.exited(ContainerExit(statusCode: 137)))
        #expect(
            machine.handle(.exitInspected(oomKilled: false)) == [
                update(.failed, "Container terminated with signal 9 (exit status 137)"), .containerExited,
            ])
    }

    @Test func aSIGKILLThatEndsOurOwnStopNeedsNoInspect() {
        var machine = running()
        _ = machine.handle(.shutdown(grace: .seconds(1)))
        let actions = machine.handle(.exited(ContainerExit(statusCode: 137)))
        #expect(!actions.contains(.inspectExit(containerID: Self.containerID)))
        #expect(machine.isTerminal)
    }

    @Test func theWaitsErrorMessageIsAppended() {
        var machine = running()
        let actions = machine.handle(.exited(ContainerExit(statusCode: 1, errorMessage: "OCI runtime error")))
        #expect(actions.first == update(.failed, "Container exited with status 1: OCI runtime error"))
    }

    @Test func aKillDrainsThenStopsWithTheGraceAndEndsKilledEvenOnExitZero() {
        var machine = running(killingState: true)
        let id = Self.containerID
        #expect(
            machine.handle(.kill(grace: .seconds(1))) == [
                update(.killing, "Killing the task: stopping its container with a grace period of 1s"), .drain,
            ])
        #expect(machine.handle(.drained) == [.stop(containerID: id, grace: .seconds(1))])
        #expect(
            machine.handle(.exited(ContainerExit(statusCode: 0))) == [
                update(
                    .killed, "Container stopped at the framework's request (grace period 1s); it exited with status 0"),
                .containerExited,
            ])
    }

    @Test func withoutTheKillingCapabilityNoKillingUpdateIsSent() {
        var machine = running(killingState: false)
        #expect(machine.handle(.kill(grace: .seconds(2))) == [.drain])
    }

    @Test func aRepeatedKillDoesNotStartASecondStopButAShorterOneShortensIt() {
        var machine = running(killingState: true)
        _ = machine.handle(.kill(grace: .seconds(3)))
        #expect(machine.handle(.kill(grace: .seconds(3))).isEmpty)
        _ = machine.handle(.drained)
        #expect(machine.handle(.kill(grace: .seconds(3), elapsed: .seconds(1))).isEmpty, "the same grace again")
        // The grace counts from the first stop: 400 ms into it, a 1 s grace leaves 600 ms.
        #expect(
            machine.handle(.kill(grace: .seconds(1), elapsed: .milliseconds(400))) == [
                .stop(containerID: Self.containerID, grace: .milliseconds(600))
            ])
        #expect(machine.handle(.drained).isEmpty)
        #expect(
            machine.handle(.exited(ContainerExit(statusCode: 137))).first
                == update(
                    .killed,
                    "Container stopped at the framework's request (grace period 1s); it exited with status 137"))
    }

    @Test func aLaterKillLongerThanTheStopChangesNothing() {
        var machine = running()
        _ = machine.handle(.kill(grace: .seconds(3)))
        _ = machine.handle(.drained)
        #expect(machine.handle(.kill(grace: .seconds(10))).isEmpty)
    }

    @Test func aShorterKillDuringTheDrainShortensTheStopToCome() {
        var machine = running()
        #expect(machine.handle(.kill(grace: .seconds(10))) == [.drain])
        #expect(machine.handle(.kill(grace: .seconds(2))).isEmpty)
        #expect(machine.handle(.drained) == [.stop(containerID: Self.containerID, grace: .seconds(2))])
    }

    @Test func aShorterKillAfterItsGraceHasPassedKillsAtOnce() {
        var machine = running()
        _ = machine.handle(.kill(grace: .seconds(10)))
        _ = machine.handle(.drained)
        #expect(
            machine.handle(.kill(grace: .seconds(3), elapsed: .seconds(5))) == [
                .stop(containerID: Self.containerID, grace: .zero)
            ])
    }

    @Test func aShorterKillShortensAShutdownStopAndTheTaskStaysShutDown() {
        var machine = running()
        _ = machine.handle(.shutdown(grace: .seconds(3)))
        #expect(
            machine.handle(.kill(grace: .seconds(1))) == [.stop(containerID: Self.containerID, grace: .seconds(1))])
        #expect(
            machine.handle(.exited(ContainerExit(statusCode: 137))).first
                == update(
                    .killed,
                    "Container stopped because the executor is shutting down (grace period 1s); it exited with status 137"
                ))
    }

    @Test func aKillWhilePullingEndsKilledDuringLaunchAtOnceWithoutAContainer() {
        var machine = lifecycle(killingState: true)
        _ = machine.handle(.launch)
        _ = machine.handle(.imageChecked(present: false))
        // The pull may never end (a stalled registry): TASK_KILLING then TASK_KILLED now, not when it completes.
        let actions = machine.handle(.kill(grace: .seconds(5)))
        #expect(actions.count == 2)
        #expect(
            actions.last
                == update(
                    .killed, "The task was killed before its container started", reason: .taskKilledDuringLaunch,
                    container: false))
        #expect(machine.state == .terminated(containerID: nil))
        #expect(machine.handle(.pulled).isEmpty, "the late end of the pull changes nothing")
        #expect(machine.handle(.kill(grace: .seconds(1))).isEmpty)
        #expect(machine.handle(.terminalAcknowledged) == [.finish])
    }

    @Test func aKillWhileCheckingTheImageEndsAtOnceAndTheLateAnswerIsIgnored() {
        var machine = lifecycle(killingState: false)
        _ = machine.handle(.launch)
        #expect(
            machine.handle(.kill(grace: .seconds(5))) == [
                update(
                    .killed, "The task was killed before its container started", reason: .taskKilledDuringLaunch,
                    container: false)
            ])
        #expect(machine.handle(.imageChecked(present: true)).isEmpty)
        #expect(machine.handle(.terminalAcknowledged) == [.finish])
    }

    @Test func aKillWhileCreatingRemovesTheCreatedContainerAfterTheAck() {
        var machine = lifecycle()
        _ = machine.handle(.launch)
        _ = machine.handle(.imageChecked(present: true))
        #expect(machine.handle(.kill(grace: .seconds(5))).isEmpty)
        let actions = machine.handle(.created(containerID: Self.containerID))
        #expect(actions.count == 1)
        #expect(machine.state == .terminated(containerID: Self.containerID))
        #expect(machine.handle(.terminalAcknowledged) == [.remove(containerID: Self.containerID)])
    }

    @Test func aKillWhileArmingNeverStartsTheContainer() {
        var machine = lifecycle()
        for event: TaskLifecycle.Event in [.launch, .imageChecked(present: true), .created(containerID: "c1")] {
            _ = machine.handle(event)
        }
        _ = machine.handle(.kill(grace: .seconds(5)))
        let actions = machine.handle(.waiting)
        #expect(actions.first == .cancelWait)
        #expect(!actions.contains(.start(containerID: "c1")))
    }

    @Test func aKillWhileStartingStopsOnceStarted() {
        var machine = lifecycle()
        for event: TaskLifecycle.Event in [
            .launch, .imageChecked(present: true), .created(containerID: "c1"), .waiting,
        ] {
            _ = machine.handle(event)
        }
        _ = machine.handle(.kill(grace: .seconds(7)))
        #expect(
            machine.handle(.started) == [.followLogs(containerID: "c1"), .stop(containerID: "c1", grace: .seconds(7))])
        let terminal = machine.handle(.exited(ContainerExit(statusCode: 137)))
        #expect(terminal.count == 2)
        guard case .report(let status) = terminal.first else { return #expect(Bool(false)) }
        #expect(status.state == .killed)
    }

    @Test func aKillBeforeHealthCheckingStartedStopsWithoutDraining() {
        var machine = lifecycle()
        for event: TaskLifecycle.Event in [
            .launch, .imageChecked(present: true), .created(containerID: "c1"), .waiting, .started,
        ] {
            _ = machine.handle(event)
        }
        #expect(machine.handle(.kill(grace: .seconds(2))) == [.stop(containerID: "c1", grace: .seconds(2))])
    }

    @Test func shutdownStopsWithoutDrainingAndEndsKilled() {
        var machine = running()
        #expect(
            machine.handle(.shutdown(grace: .seconds(3))) == [.stop(containerID: Self.containerID, grace: .seconds(3))])
        #expect(
            machine.handle(.exited(ContainerExit(statusCode: 143))).first
                == update(
                    .killed,
                    "Container stopped because the executor is shutting down (grace period 3s); it exited with status 143"
                ))
    }

    @Test func theAWSLeaseEndingEndsKilledNamingTheLease() {
        var machine = running()
        let cause = TaskLifecycle.ShutdownCause.awsLeaseEnding(role: "app", secondsLeft: 360)
        #expect(
            machine.handle(.shutdown(grace: .seconds(3), cause: cause)) == [
                .stop(containerID: Self.containerID, grace: .seconds(3))
            ])
        #expect(
            machine.handle(.exited(ContainerExit(statusCode: 143))).first
                == update(
                    .killed,
                    "Container stopped because the lease of its AWS credentials (Vault role app) ends in 360 s, when "
                        + "they stop working (grace period 3s); it exited with status 143"))
    }

    @Test func theAWSLeaseEndingBeforeTheContainerStartedIsNamedToo() {
        var machine = lifecycle()
        _ = machine.handle(.launch)
        let cause = TaskLifecycle.ShutdownCause.awsLeaseEnding(role: "app", secondsLeft: 360)
        #expect(
            machine.handle(.shutdown(grace: .seconds(3), cause: cause)) == [
                update(
                    .killed,
                    "The task was killed before its container started, because the lease of its AWS credentials "
                        + "(Vault role app) ends in 360 s, when they stop working",
                    reason: .taskKilledDuringLaunch, container: false)
            ])
    }

    @Test func shutdownCutsADrainShort() {
        var machine = running()
        _ = machine.handle(.kill(grace: .seconds(10)))
        #expect(
            machine.handle(.shutdown(grace: .seconds(3))) == [.stop(containerID: Self.containerID, grace: .seconds(3))])
        #expect(machine.handle(.drained).isEmpty)
    }

    @Test func healthVerdictChangesAreReportedAsRunningUpdates() {
        var machine = running()
        #expect(
            machine.handle(.healthChanged(healthy: true)) == [
                update(
                    .running, "Sidecar reports the service healthy", reason: .healthCheckStatusUpdated, healthy: true)
            ])
        #expect(
            machine.handle(.healthChanged(healthy: false)) == [
                update(
                    .running, "Sidecar reports the service unhealthy", reason: .healthCheckStatusUpdated,
                    healthy: false)
            ])
    }

    @Test func aHealthFailureStopsWithTheDefaultGraceAndFailsUnhealthy() {
        var machine = running()
        let message = "Sidecar reported the service UNHEALTHY on 4 consecutive polls"
        #expect(
            machine.handle(.healthFailed(message: message)) == [
                .stop(containerID: Self.containerID, grace: .seconds(5))
            ])
        #expect(
            machine.handle(.exited(ContainerExit(statusCode: 143))) == [
                update(.failed, message, reason: .healthCheckStatusUpdated, healthy: false), .containerExited,
            ])
    }

    @Test func healthEventsAfterAKillAreIgnored() {
        var machine = running()
        _ = machine.handle(.kill(grace: .seconds(1)))
        #expect(machine.handle(.healthChanged(healthy: false)).isEmpty)
        #expect(machine.handle(.healthFailed(message: "x")).isEmpty)
    }

    @Test func launchFailuresCarryTheEnginesMessage() {
        var pull = lifecycle()
        _ = pull.handle(.launch)
        _ = pull.handle(.imageChecked(present: false))
        let pullError = DockerError.engine(status: 404, message: "manifest unknown")
        #expect(
            pull.handle(.pullFailed(pullError)) == [
                update(
                    .failed, "Failed to pull image local/busybox:latest: manifest unknown",
                    reason: .containerLaunchFailed, container: false)
            ])

        var create = lifecycle()
        _ = create.handle(.launch)
        _ = create.handle(.imageChecked(present: true))
        #expect(
            create.handle(.createFailed(.engine(status: 409, message: "Conflict."))) == [
                update(
                    .failed, "Failed to create the container: Conflict.", reason: .containerLaunchFailed,
                    container: false)
            ])
    }

    @Test func aContainerThatFailedToStartIsUnwatchedAndRemovedAfterTheAck() {
        var machine = lifecycle()
        for event: TaskLifecycle.Event in [
            .launch, .imageChecked(present: true), .created(containerID: "c1"), .waiting,
        ] {
            _ = machine.handle(event)
        }
        let message = "failed to create shim task: OCI runtime create failed: exec: \"/no/such\": unknown"
        #expect(
            machine.handle(.startFailed(.engine(status: 400, message: message))) == [
                .cancelWait,
                .report(
                    TaskStatusUpdate(
                        taskID: "task-1", state: .failed, message: "Failed to start the container: \(message)",
                        reason: .containerLaunchFailed)),
            ])
        #expect(machine.handle(.terminalAcknowledged) == [.remove(containerID: "c1")])
        #expect(machine.handle(.removed) == [.finish])
    }

    @Test func anInvalidTaskFailsWithTaskInvalid() {
        var machine = lifecycle()
        let error = TaskInfoError.missing(field: "container.docker.image")
        #expect(
            machine.handle(.rejected(error)) == [
                update(
                    .failed, "The TaskInfo is invalid: container.docker.image is missing.", reason: .taskInvalid,
                    container: false)
            ])
        #expect(machine.handle(.terminalAcknowledged) == [.finish])
    }

    @Test func keptContainersAreNotRemoved() {
        var machine = running(keep: true)
        _ = machine.handle(.exited(ContainerExit(statusCode: 0)))
        #expect(machine.handle(.terminalAcknowledged) == [.finish])
    }

    @Test func anExitBeforeTheInspectAnswerReportsRunningFirst() {
        var machine = lifecycle()
        for event: TaskLifecycle.Event in [
            .launch, .imageChecked(present: true), .created(containerID: Self.containerID), .waiting, .started,
        ] {
            _ = machine.handle(event)
        }
        #expect(
            machine.handle(.exited(ContainerExit(statusCode: 0))) == [
                update(.running, "Container 2ad39c8706dd started", addresses: []),
                update(.finished, "Container exited with status 0", addresses: []), .containerExited,
            ])
        #expect(machine.handle(.inspected(Self.details)).isEmpty)
    }

    @Test func aBrokenWaitIsRearmedThenTheContainerIsDeclaredLost() {
        var machine = running()
        let error = DockerError.transport(.connectionFailed(reason: "reset"))
        let rearm = TaskLifecycle.Action.armWait(containerID: Self.containerID, condition: .notRunning)
        #expect(machine.handle(.waitFailed(error)) == [rearm])
        // A wait that registers again resets the count: only consecutive failures lose the container.
        #expect(machine.handle(.waiting).isEmpty)
        for _ in 1..<5 { #expect(machine.handle(.waitFailed(error)) == [rearm]) }
        let lost = machine.handle(.waitFailed(error))
        #expect(lost.count == 2)
        guard case .report(let status) = lost.first else { return #expect(Bool(false)) }
        #expect(status.state == .failed)
        #expect(status.message?.hasPrefix("Lost track of the container: ") == true)
    }

    @Test func aFailedStopEscalatesToOneSigkill() {
        var machine = running()
        _ = machine.handle(.shutdown(grace: .seconds(1)))
        let error = DockerError.engine(status: 500, message: "boom")
        #expect(machine.handle(.stopFailed(error)) == [.kill(containerID: Self.containerID)])
        #expect(machine.handle(.stopFailed(error)).isEmpty)
        // The SIGKILL went through: the wait reports the end.
        #expect(machine.handle(.killed).isEmpty)
        #expect(
            machine.handle(.exited(ContainerExit(statusCode: 137))).first.map {
                if case .report = $0 { true } else { false }
            } == true)
    }

    @Test func aFailedKillIsRetriedAfterGrowingPausesThenTheTaskFailsAsUnstoppable() {
        var machine = running()
        let id = Self.containerID
        let error = DockerError.engine(status: 500, message: "cannot kill container: permission denied")
        _ = machine.handle(.shutdown(grace: .seconds(1)))
        #expect(machine.handle(.stopFailed(error)) == [.kill(containerID: id)])
        for pause in [1, 2, 4, 8] {
            #expect(machine.handle(.killFailed(error)) == [.scheduleKillRetry(after: .seconds(pause))])
            #expect(machine.handle(.killRetryDue) == [.kill(containerID: id)])
        }
        #expect(
            machine.handle(.killFailed(error)) == [
                .cancelWait,
                update(
                    .failed,
                    "Could not stop the container: the engine failed 5 kills (cannot kill container: permission "
                        + "denied); it may still be running"),
                .containerExited,
            ])
        #expect(machine.handle(.terminalAcknowledged) == [.remove(containerID: id)])
    }

    @Test func aKillAnswered404MeansTheContainerIsGoneAndTheWaitTellsTheEnd() {
        var machine = running()
        _ = machine.handle(.shutdown(grace: .seconds(1)))
        _ = machine.handle(.stopFailed(.engine(status: 500, message: "boom")))
        #expect(machine.handle(.killFailed(.engine(status: 404, message: "No such container"))).isEmpty)
        #expect(machine.handle(.waitFailed(.engine(status: 404, message: "No such container"))).count == 1)
    }

    @Test func cleaningUpBeforeTheExitRemovesARunningContainerAndReportsItsEnd() {
        var machine = running()
        let id = Self.containerID
        #expect(
            machine.handle(.cleanUpBeforeExit) == [
                .cancelWait,
                update(
                    .failed, "The executor is exiting before the task ended, so its container is stopped now",
                    reason: .executorTerminated),
                .containerExited, .remove(containerID: id),
            ])
        #expect(machine.handle(.cleanUpBeforeExit).isEmpty)
        #expect(machine.handle(.exited(ContainerExit(statusCode: 137))).isEmpty)
        #expect(machine.handle(.removed) == [.finish])
    }

    @Test func cleaningUpDuringAStopEndsKilledAndKeptContainersAreKilledNotRemoved() {
        var machine = running(keep: true)
        let id = Self.containerID
        _ = machine.handle(.kill(grace: .seconds(30)))
        _ = machine.handle(.drained)
        #expect(
            machine.handle(.cleanUpBeforeExit) == [
                .cancelWait,
                update(
                    .killed, "The executor is exiting before the task ended, so its container is stopped now",
                    reason: .executorTerminated),
                .containerExited, .kill(containerID: id),
            ])
        #expect(machine.state == .killingBeforeExit(containerID: id))
        #expect(machine.handle(.killFailed(.engine(status: 500, message: "x"))) == [.finish])
    }

    @Test func cleaningUpAfterTheTerminalUpdateIsTheAcknowledgementsCleanup() {
        var machine = running()
        _ = machine.handle(.exited(ContainerExit(statusCode: 0)))
        #expect(machine.handle(.cleanUpBeforeExit) == [.remove(containerID: Self.containerID)])
        #expect(machine.handle(.terminalAcknowledged).isEmpty)
        #expect(machine.handle(.removed) == [.finish])
        #expect(machine.handle(.cleanUpBeforeExit).isEmpty)
    }

    @Test func cleaningUpBeforeAnyContainerReportsTheEndAndFinishes() {
        var machine = lifecycle()
        _ = machine.handle(.launch)
        _ = machine.handle(.imageChecked(present: false))
        #expect(
            machine.handle(.cleanUpBeforeExit) == [
                update(
                    .failed, "The executor is exiting before the task ended, so its container is stopped now",
                    reason: .executorTerminated, container: false),
                .finish,
            ])
        var invalid = lifecycle()
        _ = invalid.handle(.rejected(.missing(field: "container.docker.image")))
        #expect(invalid.handle(.cleanUpBeforeExit) == [.finish])
    }

    @Test func lateCallbacksAfterTheTerminalUpdateAreIgnored() {
        var machine = running()
        _ = machine.handle(.exited(ContainerExit(statusCode: 0)))
        #expect(machine.handle(.startFailed(.engine(status: 500, message: "x"))).isEmpty)
        #expect(machine.handle(.exited(ContainerExit(statusCode: 1))).isEmpty)
        #expect(machine.handle(.kill(grace: .seconds(1))).isEmpty)
        #expect(machine.isTerminal)
    }

    @Test(arguments: [
        (Duration.seconds(5), "5s"), (.milliseconds(1500), "1.5s"), (.milliseconds(250), "250ms"), (.zero, "0s"),
    ])
    func gracePeriodsReadShort(grace: Duration, text: String) {
        #expect(grace.shortDescription == text)
    }
}
