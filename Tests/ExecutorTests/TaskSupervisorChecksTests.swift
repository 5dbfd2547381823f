import Dispatch
import EventLoop
import Testing

@testable import Executor

/// The supervisor with a TaskInfo health check, a check and max_completion_time, against the scripted engine,
/// a scripted Sidecar and a scripted prober: both health sources at once.
struct TaskSupervisorChecksTests {
    final class Harness: @unchecked Sendable {
        let loop = EventLoop(label: "supervisor-checks")
        let engine = FakeDockerEngine()
        let reporter = SupervisorStatusRecorder()
        let sidecar = SupervisorFakeHealth()
        let prober = ScriptedProber()
        var finished = false
        var supervisor: TaskSupervisor!

        init(killingState: Bool = false) {
            let settings = TaskSupervisor.Settings(
                executor: ExecutorSettings(), sandboxDirectory: TaskInfoFixture.sandbox, hostCPUCount: 2,
                sendsKillingState: killingState, waitRetryDelay: .milliseconds(1))
            supervisor = TaskSupervisor(
                settings: settings, loop: loop, engine: engine, reporter: reporter,
                logSink: ContainerLogRecorder(), makeHealthChecking: { [sidecar] _ in sidecar },
                makeChecks: { [loop, prober] task in
                    MesosTaskChecks(loop: loop, healthCheck: task.healthCheck, check: task.check) { _, ready in
                        ready(prober)
                    }
                },
                onFinished: { [unowned self] in finished = true })
        }

        func onLoop<T>(_ body: () -> T) -> T { loop.queue.sync { body() } }

        /// Answers the next health probe once it has been started.
        func answerProbe(_ outcome: ProbeOutcome) {
            #expect(DockerTestEngine.waitUntil(loop) { prober.runs.contains { $0.completion != nil } })
            onLoop { prober.answer(outcome) }
        }
    }

    static let fastHealthCheck: JSONValue = [
        "type": "HTTP", "http": ["port": 8080], "delay_seconds": 0.001, "interval_seconds": 0.001,
        "grace_period_seconds": 0, "consecutive_failures": 2,
    ]

    @Test func theHealthCheckSetsHealthyWhileSidecarsVerdictIsOnlyLogged() {
        let harness = Harness()
        harness.onLoop {
            harness.supervisor.launch(taskInfo: TaskInfoFixture.task([("health_check", Self.fastHealthCheck)]))
        }
        #expect(harness.onLoop { harness.reporter.states } == [.starting, .running])
        harness.onLoop { harness.sidecar.verdict(true) }
        harness.answerProbe(.httpStatus(200))
        harness.onLoop { harness.sidecar.verdict(false) }
        harness.answerProbe(.httpStatus(200))
        harness.answerProbe(.httpStatus(503))
        harness.onLoop {
            let health = harness.reporter.updates.dropFirst(2)
            #expect(health.map(\.healthy) == [true, false])
            #expect(health.allSatisfy { $0.message?.hasPrefix("Health check HTTP GET :8080/") == true })
        }
    }

    @Test func theHealthCheckKillsTheTaskKilledUnhealthy() throws {
        let harness = Harness(killingState: true)
        harness.onLoop {
            harness.supervisor.launch(taskInfo: TaskInfoFixture.task([("health_check", Self.fastHealthCheck)]))
        }
        harness.answerProbe(.httpStatus(200))
        harness.answerProbe(.notPerformed(reason: "connection refused"))
        harness.answerProbe(.notPerformed(reason: "connection refused"))
        #expect(DockerTestEngine.waitUntil(harness.loop) { harness.reporter.states.last?.isTerminal == true })
        harness.onLoop {
            #expect(harness.reporter.states == [.starting, .running, .running, .running, .running, .killing, .killed])
            #expect(harness.engine.calls.contains(.stop(FakeDockerEngine.containerID, grace: .seconds(5))))
            let final = harness.reporter.updates.last
            #expect(final?.healthy == false)
            #expect(final?.message?.contains("Killed by its health check") == true)
        }
    }

    @Test func sidecarsFailureStillFailsATaskWithAHealthCheck() {
        let harness = Harness()
        harness.onLoop {
            harness.supervisor.launch(taskInfo: TaskInfoFixture.task([("health_check", Self.fastHealthCheck)]))
        }
        harness.answerProbe(.httpStatus(200))
        harness.onLoop { harness.sidecar.fail("Sidecar reported the service UNHEALTHY on 4 consecutive polls") }
        #expect(harness.onLoop { harness.reporter.states.last } == .failed)
        #expect(harness.onLoop { harness.reporter.updates.last?.reason } == .healthCheckStatusUpdated)
        // The checks stopped with the stop: no probe is started afterwards.
        let runs = harness.onLoop { harness.prober.runs.count }
        #expect(harness.onLoop { harness.prober.closed })
        #expect(harness.onLoop { harness.prober.runs.count } == runs)
    }

    @Test func maxCompletionTimeFailsTheTaskWithItsReason() throws {
        let harness = Harness()
        harness.onLoop {
            harness.supervisor.launch(
                taskInfo: TaskInfoFixture.task([("max_completion_time", ["nanoseconds": 5_000_000])]))
        }
        #expect(DockerTestEngine.waitUntil(harness.loop) { harness.reporter.states.last?.isTerminal == true })
        harness.onLoop {
            #expect(harness.engine.calls.contains(.stop(FakeDockerEngine.containerID, grace: .zero)))
            #expect(harness.reporter.updates.last?.state == .failed)
            #expect(harness.reporter.updates.last?.reason == .maxCompletionTimeReached)
        }
    }

    @Test func checkStatusChangesReachTheReporter() {
        let harness = Harness()
        let check: JSONValue = [
            "type": "COMMAND", "command": ["command": ["value": "exit 0"]], "delay_seconds": 0.001,
            "interval_seconds": 0.001,
        ]
        harness.onLoop { harness.supervisor.launch(taskInfo: TaskInfoFixture.task([("check", check)])) }
        harness.answerProbe(.exited(code: 0))
        harness.answerProbe(.exited(code: 0))
        harness.answerProbe(.exited(code: 2))
        harness.onLoop {
            let checks = harness.reporter.updates.dropFirst(2)
            #expect(checks.map(\.checkStatus?.exitCode) == [0, 2])
            #expect(checks.allSatisfy { $0.reason == .checkStatusUpdated && $0.healthy == nil })
        }
        // Without a health check Sidecar's verdict still sets healthy.
        harness.onLoop { harness.sidecar.verdict(true) }
        #expect(harness.onLoop { harness.reporter.updates.last?.healthy } == true)
    }
}
