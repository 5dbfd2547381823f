import Dispatch
import EventLoop
import Testing

@testable import Executor

/// The supervisor against a scripted engine and health checker, on a real event loop.
struct TaskSupervisorTests {
    final class Harness: @unchecked Sendable {
        let loop = EventLoop(label: "supervisor-tests")
        let engine = FakeDockerEngine()
        let reporter = SupervisorStatusRecorder()
        let logs = ContainerLogRecorder()
        let health = SupervisorFakeHealth()
        var finishedCount = 0
        var healthLabels: [String: String]?
        var supervisor: TaskSupervisor!

        init(
            settings: ExecutorSettings = ExecutorSettings(),
            killingState: Bool = false,
            credentials: RegistryCredentials = RegistryCredentials()
        ) {
            let settings = TaskSupervisor.Settings(
                executor: settings, sandboxDirectory: TaskInfoFixture.sandbox, hostCPUCount: 2,
                sendsKillingState: killingState, credentials: credentials, waitRetryDelay: .milliseconds(1),
                killRetryDelay: .milliseconds(1))
            supervisor = TaskSupervisor(
                settings: settings, loop: loop, engine: engine, reporter: reporter, logSink: logs,
                makeHealthChecking: { [unowned self] labels in
                    healthLabels = labels
                    return health
                },
                onFinished: { [unowned self] in finishedCount += 1 })
        }

        /// Runs `body` on the loop, as the executor glue does.
        func onLoop(_ body: () -> Void) {
            loop.queue.sync { body() }
        }

        func launch(_ raw: JSONValue = TaskInfoFixture.task()) {
            onLoop { supervisor.launch(taskInfo: raw) }
        }

        var messages: [String] { reporter.updates.map { $0.message ?? "" } }
    }

    static let id = FakeDockerEngine.containerID

    @Test func aTaskRunsAndFinishesWithUpdatesInOrder() throws {
        let harness = Harness()
        harness.launch()
        #expect(harness.reporter.states == [.starting, .running])
        let running = harness.reporter.updates[1]
        #expect(running.labels == [.init(key: "docker_id", value: Self.id)])
        #expect(running.containerIPAddresses == ["172.31.251.7"])
        #expect(running.message == "Container c0ffee001122 started")
        #expect(
            harness.engine.calls == [
                .imageExists("registry:5000/web:1.2"), .create(name: "mesos-491f4d69-d3cd-5c35-8b89-71bfec60409e"),
                .wait(Self.id, .nextExit), .start(Self.id), .logs(Self.id, tty: false), .inspect(Self.id),
            ])
        #expect(harness.health.calls == [.start(Self.id)])
        harness.onLoop { harness.engine.exit(statusCode: 0) }
        #expect(harness.reporter.states == [.starting, .running, .finished])
        #expect(harness.reporter.updates.last?.message == "Container exited with status 0")
        #expect(harness.health.calls == [.start(Self.id), .containerExited])
        #expect(!harness.engine.calls.contains(.remove(Self.id)))
        #expect(harness.finishedCount == 0)
        harness.onLoop { harness.supervisor.terminalUpdateAcknowledged() }
        #expect(harness.engine.calls.last == .remove(Self.id))
        #expect(harness.finishedCount == 1)
        #expect(harness.health.calls.last == .stop)
    }

    @Test func theCreateBodyIsTheContainerSpec() throws {
        let harness = Harness()
        harness.launch()
        let spec = try ContainerSpec.make(
            task: TaskInfo.parse(TaskInfoFixture.task()),
            settings: .init(hostCPUCount: 2, sandboxDirectory: TaskInfoFixture.sandbox))
        #expect(harness.engine.createdBodies == [spec.body])
    }

    @Test func aNonZeroExitFailsTheTaskWithTheStatus() {
        let harness = Harness()
        harness.launch()
        harness.onLoop { harness.engine.exit(statusCode: 3) }
        #expect(harness.reporter.states.last == .failed)
        #expect(harness.messages.last == "Container exited with status 3")
    }

    @Test(arguments: [(true, TaskStatusReason?.some(.containerLimitationMemory)), (false, nil)])
    func aSIGKILLNobodySentAsksTheEngineWhetherTheOOMKillerDidIt(oomKilled: Bool, reason: TaskStatusReason?) {
        let harness = Harness()
        harness.engine.oomKilled = oomKilled
        harness.launch()
        let inspectsBefore = harness.engine.calls.filter { $0 == .inspect(Self.id) }.count
        harness.onLoop { harness.engine.exit(statusCode: 137) }
        #expect(harness.engine.calls.filter { $0 == .inspect(Self.id) }.count == inspectsBefore + 1)
        #expect(harness.reporter.states.last == .failed)
        #expect(harness.reporter.updates.last?.reason == reason)
    }

    @Test func anInspectFailingAfterTheExitStillEndsTheTask() {
        let harness = Harness()
        harness.launch()
        harness.engine.inspectError = .engine(status: 500, message: "the engine is gone")
        harness.onLoop { harness.engine.exit(statusCode: 137) }
        #expect(harness.reporter.states.last == .failed)
        #expect(harness.messages.last == "Container terminated with signal 9 (exit status 137)")
    }

    @Test(arguments: [
        (Duration?.some(.seconds(2)), Int64?.some(15_000_000_000), Duration.seconds(2)),
        (nil, 15_000_000_000, .seconds(15)),
        (nil, nil, .seconds(7)),
        (.zero, 15_000_000_000, .zero),
    ])
    func theKillGraceComesFromTheKillThenTheTaskThenTheSetting(
        killGrace: Duration?, taskGraceNanoseconds: Int64?, expected: Duration
    ) {
        var settings = ExecutorSettings()
        settings.killTaskTimeout = .seconds(7)
        let harness = Harness(settings: settings)
        let raw = TaskInfoFixture.task(
            taskGraceNanoseconds.map { [("kill_policy.grace_period.nanoseconds", JSONValue.int($0))] } ?? [])
        harness.launch(raw)
        harness.onLoop { harness.supervisor.kill(gracePeriod: killGrace) }
        #expect(
            harness.engine.calls.filter { if case .stop = $0 { true } else { false } } == [
                .stop(Self.id, grace: expected)
            ])
        #expect(harness.reporter.states.last == .killed)
    }

    @Test func aKillSendsKillingDrainsFirstThenStopsAndEndsKilled() {
        let harness = Harness(killingState: true)
        harness.health.drainsAtOnce = false
        harness.launch()
        harness.onLoop { harness.supervisor.kill(gracePeriod: .seconds(1)) }
        #expect(harness.reporter.states == [.starting, .running, .killing])
        #expect(harness.health.calls.last == .drain)
        #expect(!harness.engine.calls.contains(.stop(Self.id, grace: .seconds(1))))
        harness.onLoop { harness.health.finishDrain() }
        #expect(harness.engine.calls.last == .stop(Self.id, grace: .seconds(1)))
        #expect(harness.reporter.states == [.starting, .running, .killing, .killed])
        #expect(harness.reporter.updates.last?.labels == [.init(key: "docker_id", value: Self.id)])
    }

    @Test func aRepeatedKillDoesNotStartASecondStop() {
        let harness = Harness(killingState: true)
        harness.engine.exitCodeOnStop = nil
        harness.launch()
        harness.onLoop {
            harness.supervisor.kill(gracePeriod: .seconds(1))
            harness.supervisor.kill(gracePeriod: .seconds(1))
        }
        let stops = harness.engine.calls.filter { if case .stop = $0 { true } else { false } }
        #expect(stops.count == 1)
        #expect(harness.reporter.states.filter { $0 == .killing }.count == 1)
        harness.onLoop { harness.engine.exit(statusCode: 137) }
        #expect(harness.reporter.states.last == .killed)
    }

    @Test func aShorterKillAsksTheEngineAgainWithWhatIsLeftOfItsGrace() {
        let harness = Harness(killingState: true)
        harness.engine.exitCodeOnStop = nil
        harness.launch()
        harness.onLoop { harness.supervisor.kill(gracePeriod: .seconds(60)) }
        harness.onLoop { harness.supervisor.kill(gracePeriod: .seconds(3)) }
        let stops = harness.engine.calls.compactMap { if case .stop(_, let grace) = $0 { grace } else { nil } }
        #expect(stops.count == 2)
        #expect(stops.first == .seconds(60))
        #expect(stops.last.map { $0 <= .seconds(3) && $0 > .zero } == true, "what is left of 3 s: \(stops)")
        harness.onLoop { harness.engine.exit(statusCode: 137) }
        #expect(harness.reporter.states == [.starting, .running, .killing, .killed])
        #expect(harness.messages.last?.contains("(grace period 3s)") == true)
    }

    @Test func aFailedStopAndFailedKillsAreRetriedOnATimerUntilTheEngineKills() {
        let harness = Harness()
        harness.engine.exitCodeOnStop = nil
        harness.engine.stopError = .engine(status: 500, message: "stop failed")
        // Three kills fail, the fourth goes through.
        harness.engine.killErrors = Array(repeating: .engine(status: 500, message: "kill failed"), count: 3)
        harness.launch()
        harness.onLoop { harness.supervisor.shutdown(grace: .seconds(3)) }
        #expect(DockerTestEngine.waitUntil(harness.loop) { harness.reporter.states.last == .killed })
        #expect(harness.engine.calls.filter { if case .kill = $0 { true } else { false } }.count == 4)
        #expect(harness.reporter.states == [.starting, .running, .killed])
    }

    @Test func aContainerTheEngineCannotKillFailsTheTaskAfterTheLastAttempt() {
        let harness = Harness()
        harness.engine.exitCodeOnStop = nil
        harness.engine.stopError = .engine(status: 500, message: "stop failed")
        harness.engine.killErrors = Array(repeating: .engine(status: 500, message: "kill failed"), count: 10)
        harness.launch()
        harness.onLoop { harness.supervisor.shutdown(grace: .seconds(3)) }
        #expect(DockerTestEngine.waitUntil(harness.loop) { harness.reporter.states.last == .failed })
        #expect(harness.engine.calls.filter { if case .kill = $0 { true } else { false } }.count == 5)
        #expect(harness.messages.last?.hasPrefix("Could not stop the container: the engine failed 5 kills") == true)
        harness.onLoop { harness.supervisor.terminalUpdateAcknowledged() }
        #expect(harness.engine.calls.last == .remove(Self.id))
        #expect(harness.finishedCount == 1)
    }

    @Test func cleaningUpBeforeTheExitRemovesTheRunningContainerAndReportsItsEnd() {
        let harness = Harness()
        harness.launch()
        harness.onLoop { harness.supervisor.cleanUpBeforeExit() }
        #expect(harness.engine.calls.suffix(2) == [.cancelWait, .remove(Self.id)])
        #expect(harness.reporter.states == [.starting, .running, .failed])
        #expect(harness.reporter.updates.last?.reason == .executorTerminated)
        #expect(harness.health.calls.last == .stop)
        #expect(harness.finishedCount == 1)
    }

    @Test func shutdownStopsTheContainerAndSendsTheTerminalUpdate() {
        let harness = Harness()
        harness.launch()
        harness.onLoop { harness.supervisor.shutdown(grace: .seconds(3)) }
        #expect(harness.engine.calls.last == .stop(Self.id, grace: .seconds(3)))
        #expect(!harness.health.calls.contains(.drain))
        #expect(harness.reporter.states.last == .killed)
    }

    @Test func healthVerdictsAndFailureAreReported() {
        let harness = Harness()
        harness.launch(TaskInfoFixture.task([("kill_policy.grace_period.nanoseconds", 4_000_000_000)]))
        harness.onLoop { harness.health.verdict(true) }
        #expect(harness.reporter.updates.last?.healthy == true)
        #expect(harness.reporter.updates.last?.reason == .healthCheckStatusUpdated)
        harness.onLoop { harness.health.fail("Sidecar reported the service UNHEALTHY on 4 consecutive polls") }
        #expect(harness.engine.calls.last == .stop(Self.id, grace: .seconds(4)))
        let last = harness.reporter.updates.last
        #expect(last?.state == .failed)
        #expect(last?.healthy == false)
        #expect(last?.reason == .healthCheckStatusUpdated)
        #expect(last?.message == "Sidecar reported the service UNHEALTHY on 4 consecutive polls")
    }

    @Test func theHealthCheckerGetsTheMergedTaskLabels() {
        let harness = Harness()
        harness.launch(TaskInfoFixture.task(parameters: [("label", "SidecarDiscover=false")]))
        #expect(harness.healthLabels == ["SidecarDiscover": "false"])
    }

    @Test func aMissingImageIsPulledWithTheRegistrysCredential() throws {
        let config = #"{"auths":{"registry:5000":{"auth":"dTpw"},"https://index.docker.io/v1/":{"auth":"aDpw"}}}"#
        let credentials = try RegistryCredentials.parse(Array(config.utf8), format: .configJSON, path: "test")
        let harness = Harness(credentials: credentials)
        harness.engine.imagePresent = false
        harness.launch()
        #expect(harness.engine.calls[1] == .pull("registry:5000/web:1.2", credentialServer: "registry:5000"))
        #expect(harness.reporter.states == [.starting, .running])
    }

    @Test func aFailedPullFailsTheLaunchWithTheEnginesMessage() {
        let harness = Harness()
        harness.engine.imagePresent = false
        harness.engine.pullError = .engine(
            status: 404, message: "manifest for registry:5000/web:1.2 not found: manifest unknown: manifest unknown")
        harness.launch()
        #expect(harness.reporter.states == [.starting, .failed])
        #expect(harness.reporter.updates.last?.reason == .containerLaunchFailed)
        #expect(
            harness.messages.last
                == "Failed to pull image registry:5000/web:1.2: manifest for registry:5000/web:1.2 not found: "
                + "manifest unknown: manifest unknown")
        harness.onLoop { harness.supervisor.terminalUpdateAcknowledged() }
        #expect(harness.finishedCount == 1)
        #expect(!harness.engine.calls.contains { if case .create = $0 { true } else { false } })
    }

    @Test func aContainerThatCannotStartFailsAndIsRemovedAfterTheAck() {
        let harness = Harness()
        harness.engine.startError = .engine(
            status: 400, message: "failed to create shim task: OCI runtime create failed: exec: \"/no/such\"")
        harness.launch()
        #expect(harness.reporter.states == [.starting, .failed])
        #expect(harness.messages.last?.hasPrefix("Failed to start the container: failed to create shim task") == true)
        #expect(harness.engine.calls.suffix(2) == [.start(Self.id), .cancelWait])
        harness.onLoop { harness.supervisor.terminalUpdateAcknowledged() }
        #expect(harness.engine.calls.last == .remove(Self.id))
        #expect(harness.finishedCount == 1)
    }

    @Test func aFailedCreateFailsTheLaunch() {
        let harness = Harness()
        harness.engine.createError = .engine(status: 404, message: "No such image: registry:5000/web:1.2")
        harness.launch()
        #expect(harness.messages.last == "Failed to create the container: No such image: registry:5000/web:1.2")
    }

    @Test func anInvalidTaskFailsWithoutTouchingTheEngine() {
        let harness = Harness()
        harness.launch(TaskInfoFixture.task([("container.docker.image", nil)]))
        #expect(harness.reporter.states == [.failed])
        #expect(harness.reporter.updates[0].reason == .taskInvalid)
        #expect(harness.messages == ["The TaskInfo is invalid: container.docker.image is missing."])
        #expect(harness.engine.calls.isEmpty)
        harness.onLoop { harness.supervisor.terminalUpdateAcknowledged() }
        #expect(harness.finishedCount == 1)
    }

    @Test func keptContainersAreNotRemovedAfterTheAck() {
        var settings = ExecutorSettings()
        settings.keepContainers = true
        let harness = Harness(settings: settings)
        harness.launch()
        harness.onLoop {
            harness.engine.exit(statusCode: 0)
            harness.supervisor.terminalUpdateAcknowledged()
        }
        #expect(!harness.engine.calls.contains(.remove(Self.id)))
        #expect(harness.finishedCount == 1)
    }

    @Test func containerOutputReachesTheLogSinkByStream() {
        let harness = Harness()
        harness.engine.logOutput = [(.stdout, Array("out\n".utf8)), (.stderr, Array("err\n".utf8))]
        harness.launch()
        #expect(harness.logs.stdout == Array("out\n".utf8))
        #expect(harness.logs.stderr == Array("err\n".utf8))
    }

    @Test func aTTYContainersLogsAreFollowedRaw() {
        let harness = Harness()
        harness.launch(TaskInfoFixture.task([("container.tty_info", [:])]))
        #expect(harness.engine.calls.contains(.logs(Self.id, tty: true)))
    }

    @Test func aBrokenWaitIsRearmedAndStillSeesTheExit() {
        let harness = Harness()
        harness.launch()
        // Re-registered after a pause, with a condition that also sees an exit that happened meanwhile. Checked in the
        // same turn of the loop: read from the test thread, the calls race the pause's timer.
        var rearmedAtOnce = true
        harness.onLoop {
            harness.engine.breakWait(.transport(.connectionFailed(reason: "reset by peer")))
            rearmedAtOnce = harness.engine.calls.last == .wait(Self.id, .notRunning)
        }
        #expect(!rearmedAtOnce)
        #expect(DockerTestEngine.waitUntil(harness.loop) { harness.engine.calls.last == .wait(Self.id, .notRunning) })
        harness.onLoop { harness.engine.exit(statusCode: 0) }
        #expect(harness.reporter.states == [.starting, .running, .finished])
    }

    @Test func aKillDuringThePullNeverCreatesAContainer() {
        let harness = Harness(killingState: true)
        harness.engine.imagePresent = false
        harness.engine.holdPull = true
        harness.launch()
        harness.onLoop { harness.supervisor.kill(gracePeriod: nil) }
        // The pull may never end: the task ends now, and the pull's late end changes nothing.
        #expect(harness.reporter.states == [.starting, .killing, .killed])
        #expect(harness.reporter.updates.last?.reason == .taskKilledDuringLaunch)
        harness.onLoop { harness.engine.releasePull() }
        #expect(harness.reporter.states == [.starting, .killing, .killed])
        #expect(!harness.engine.calls.contains { if case .create = $0 { true } else { false } })
        harness.onLoop { harness.supervisor.terminalUpdateAcknowledged() }
        #expect(harness.finishedCount == 1)
        #expect(!harness.engine.calls.contains { if case .remove = $0 { true } else { false } })
    }

    @Test func theDebugLogHidesSecretLookingEnvironmentValues() {
        let body: JSONValue = ["Image": "x", "Env": ["FOO=bar", "DB_PASSWORD=hunter2", "API_TOKEN=t0k"]]
        #expect(
            Redaction.createBody(body)
                == ["Image": "x", "Env": ["FOO=bar", "DB_PASSWORD=<redacted>", "API_TOKEN=<redacted>"]])
    }
}
