import Dispatch
import EventLoop
import Testing

@testable import Executor

struct SidecarHealthMonitorTests {
    let harness = LoopHarness()
    let recorder = SidecarRecorder()
    let containerID = "0123456789abcdef0123456789abcdef"

    func settings(
        backoff: Duration = .zero,
        interval: Duration = .milliseconds(3),
        maxFails: Int = 3,
        draining: Duration = .milliseconds(20)
    ) -> ExecutorSettings {
        var settings = ExecutorSettings()
        settings.sidecarBackoff = backoff
        settings.sidecarPollInterval = interval
        settings.sidecarMaxFails = maxFails
        settings.sidecarDrainingDuration = draining
        settings.taskHost = "node-a"
        return settings
    }

    func makeMonitor(_ settings: ExecutorSettings, _ source: FakeHealthSource) -> SidecarHealthMonitor {
        SidecarHealthMonitor(loop: harness.loop, settings: settings, source: source, logger: recorder.logger)
    }

    func start(_ monitor: SidecarHealthMonitor, source: FakeHealthSource) {
        harness.sync {
            monitor.start(
                containerID: containerID,
                onVerdictChange: { [recorder] in recorder.verdicts.append($0) },
                onFailure: { [recorder] in
                    recorder.failures.append($0)
                    recorder.failurePoll = source.fetches.count
                })
        }
    }

    @Test func aHealthyServiceIsReportedOnceAndNeverFails() async {
        let source = FakeHealthSource(loop: harness.loop, pollResults: [FakeHealthSource.status(.alive)])
        let monitor = makeMonitor(settings(), source)
        start(monitor, source: source)
        #expect(await harness.wait { source.fetches.count >= 15 })
        harness.sync { monitor.stop() }
        harness.sync {
            #expect(recorder.verdicts == [true])
            #expect(recorder.failures.isEmpty)
            #expect(source.fetches.allSatisfy { $0.serviceID == "0123456789ab" && $0.host == "node-a" })
        }
    }

    @Test func theFifthPollFailsAfterAnAliveAndFourUnhealthyOnesAndPollingStops() async {
        let script: [ServiceStatus] = [.alive, .unhealthy, .unhealthy, .unhealthy, .unhealthy, .alive]
        let source = FakeHealthSource(loop: harness.loop, pollResults: script.map(FakeHealthSource.status))
        let monitor = makeMonitor(settings(), source)
        start(monitor, source: source)
        #expect(await harness.wait { !recorder.failures.isEmpty })
        try? await Task.sleep(for: .milliseconds(30))
        harness.sync {
            #expect(recorder.failurePoll == 5)
            #expect(source.fetches.count == 5)
            #expect(recorder.verdicts == [true, false])
            #expect(
                recorder.failures == [
                    "Sidecar reported the service UNHEALTHY on 4 consecutive polls (EXECUTOR_SIDECAR_MAX_FAILS is 3)."
                ])
        }
    }

    @Test func anAliveInBetweenResetsTheCount() async {
        let script: [ServiceStatus] =
            [.unhealthy, .unhealthy, .unhealthy, .alive] + Array(repeating: .unhealthy, count: 4)
        let source = FakeHealthSource(loop: harness.loop, pollResults: script.map(FakeHealthSource.status))
        let monitor = makeMonitor(settings(), source)
        start(monitor, source: source)
        #expect(await harness.wait { !recorder.failures.isEmpty })
        harness.sync {
            #expect(recorder.failurePoll == 8)
            #expect(recorder.verdicts == [true, false])
        }
    }

    @Test func tombstoneFailsTheTaskNamingTombstone() async {
        let source = FakeHealthSource(loop: harness.loop, pollResults: [FakeHealthSource.status(.tombstone)])
        let monitor = makeMonitor(settings(maxFails: 1), source)
        start(monitor, source: source)
        #expect(await harness.wait { !recorder.failures.isEmpty })
        harness.sync {
            #expect(recorder.failurePoll == 2)
            #expect(recorder.failures.first?.contains("TOMBSTONE on 2 consecutive polls") == true)
            #expect(recorder.verdicts.isEmpty)
        }
    }

    @Test func pollsWithoutVerdictNeverFailAndAreLogged() async {
        let script: [SidecarPollResult] = [
            .unreachable(reason: "connection refused", attempts: 6),
            .answered(.notStateDocument(.missingServers)),
            .answered(.hostNotListed(host: "node-a")),
            .answered(.notStateDocument(.bodyTooLarge(limit: 4_194_304))),
            .answered(.serviceNotListed(host: "node-a", serviceID: "0123456789ab")),
        ]
        let source = FakeHealthSource(loop: harness.loop, pollResults: script)
        let monitor = makeMonitor(settings(maxFails: 0), source)
        start(monitor, source: source)
        #expect(await harness.wait { source.fetches.count >= 12 })
        harness.sync { monitor.stop() }
        harness.sync {
            #expect(recorder.failures.isEmpty)
            #expect(recorder.verdicts.isEmpty)
            #expect(recorder.logCount(containing: "could not be reached in 6 attempt(s) (connection refused)") == 1)
            #expect(recorder.logCount(containing: "has no \"Servers\" member. No verdict") == 1)
            #expect(recorder.logCount(containing: "does not list host node-a") == 1)
            #expect(recorder.logCount(containing: "does not list service 0123456789ab on host node-a") >= 8)
            #expect(recorder.logCount(containing: "larger than 4194304 bytes") == 1)
        }
    }

    @Test func theFirstPollWaitsForTheBackoff() async {
        let source = FakeHealthSource(loop: harness.loop)
        let monitor = makeMonitor(settings(backoff: .milliseconds(150)), source)
        let started = ContinuousClock.now
        start(monitor, source: source)
        #expect(await harness.wait { !source.fetches.isEmpty })
        // Timers never fire early; this is a lower bound only.
        #expect(ContinuousClock.now - started >= .milliseconds(150))
        harness.sync { monitor.stop() }
    }

    @Test func aTickDuringARunningPollIsSkippedAndLogged() async {
        let source = FakeHealthSource(loop: harness.loop)
        harness.sync { source.holdPolls = true }
        let monitor = makeMonitor(settings(), source)
        start(monitor, source: source)
        #expect(await harness.wait { recorder.logCount(containing: "Skipping a Sidecar poll") >= 5 })
        harness.sync {
            #expect(source.fetches.count == 1)
            #expect(recorder.logs.contains { $0.0 == .warning && $0.1.contains("poll 1 (with its retries)") })
            source.releaseHeld()
        }
        #expect(await harness.wait { source.fetches.count >= 3 })
        harness.sync {
            monitor.stop()
            #expect(recorder.verdicts == [true])
        }
    }

    @Test func aFailureIsReportedOnceAndADrainStillWorksAfterIt() async {
        let source = FakeHealthSource(loop: harness.loop, pollResults: [FakeHealthSource.status(.unhealthy)])
        let monitor = makeMonitor(settings(maxFails: 0), source)
        start(monitor, source: source)
        #expect(await harness.wait { !recorder.failures.isEmpty })
        try? await Task.sleep(for: .milliseconds(30))
        harness.sync {
            #expect(recorder.failures.count == 1)
            #expect(source.fetches.count == 1)
        }
        // The supervisor may still drain after a failure; that works as usual.
        harness.sync { monitor.drain { recorder.drainCompletions += 1 } }
        #expect(await harness.wait { recorder.drainCompletions == 1 })
        harness.sync { #expect(source.drains == ["0123456789ab"]) }
    }

    @Test func drainPostsThenWaitsTheDrainingDurationThenCompletesOnce() async {
        let source = FakeHealthSource(loop: harness.loop)
        let monitor = makeMonitor(settings(backoff: .seconds(60), draining: .milliseconds(100)), source)
        start(monitor, source: source)
        let started = ContinuousClock.now
        harness.sync { monitor.drain { recorder.drainCompletions += 1 } }
        #expect(await harness.wait { recorder.drainCompletions == 1 })
        #expect(ContinuousClock.now - started >= .milliseconds(100))
        try? await Task.sleep(for: .milliseconds(20))
        harness.sync {
            #expect(recorder.drainCompletions == 1)
            #expect(source.drains == ["0123456789ab"])
            #expect(source.fetches.isEmpty)
            #expect(recorder.logCount(containing: "Sidecar accepted the drain (attempt 1)") == 1)
        }
    }

    @Test func aFailedDrainStillWaitsTheDrainingDuration() async {
        let source = FakeHealthSource(loop: harness.loop)
        harness.sync { source.drainResult = .failed(reason: "Sidecar answered 404", attempts: 6) }
        let monitor = makeMonitor(settings(backoff: .seconds(60), draining: .milliseconds(80)), source)
        start(monitor, source: source)
        let started = ContinuousClock.now
        harness.sync { monitor.drain { recorder.drainCompletions += 1 } }
        #expect(await harness.wait { recorder.drainCompletions == 1 })
        #expect(ContinuousClock.now - started >= .milliseconds(80))
        harness.sync {
            #expect(
                recorder.logCount(containing: "did not accept the drain in 6 attempt(s) (Sidecar answered 404)") == 1)
        }
    }

    @Test func theContainerExitingCutsTheDrainWaitShort() async {
        let source = FakeHealthSource(loop: harness.loop)
        let monitor = makeMonitor(settings(backoff: .seconds(60), draining: .seconds(600)), source)
        start(monitor, source: source)
        harness.sync { monitor.drain { recorder.drainCompletions += 1 } }
        #expect(await harness.wait { recorder.logCount(containing: "Sidecar accepted the drain") == 1 })
        harness.sync {
            #expect(recorder.drainCompletions == 0)
            monitor.containerExited()
            // At once, inside containerExited: no timer is involved any more.
            #expect(recorder.drainCompletions == 1)
            monitor.containerExited()
            #expect(recorder.drainCompletions == 1)
        }
    }

    @Test func theContainerExitingDuringTheDrainCallCancelsItsRetries() async {
        let source = FakeHealthSource(loop: harness.loop)
        harness.sync { source.holdDrains = true }
        let monitor = makeMonitor(settings(backoff: .seconds(60), draining: .seconds(600)), source)
        start(monitor, source: source)
        harness.sync {
            monitor.drain { recorder.drainCompletions += 1 }
            #expect(source.drains.count == 1)
            monitor.containerExited()
            #expect(recorder.drainCompletions == 1)
            #expect(source.requests.last?.cancelled == true)
        }
    }

    @Test func aZeroDrainingDurationCompletesAtOnceWithoutADrainCall() async {
        let source = FakeHealthSource(loop: harness.loop)
        let monitor = makeMonitor(settings(backoff: .seconds(60), draining: .zero), source)
        start(monitor, source: source)
        harness.sync {
            monitor.drain { recorder.drainCompletions += 1 }
            #expect(recorder.drainCompletions == 1)
            #expect(source.drains.isEmpty)
            #expect(recorder.logCount(containing: "Draining is turned off") == 1)
        }
    }

    @Test func drainBeforeStartOrAfterExitCompletesAtOnce() async {
        let source = FakeHealthSource(loop: harness.loop)
        let notStarted = makeMonitor(settings(), source)
        let exited = makeMonitor(settings(backoff: .seconds(60)), source)
        start(exited, source: source)
        harness.sync {
            notStarted.drain { recorder.drainCompletions += 1 }
            exited.containerExited()
            exited.drain { recorder.drainCompletions += 1 }
            #expect(recorder.drainCompletions == 2)
            #expect(source.drains.isEmpty)
        }
    }

    @Test func aSecondDrainJoinsTheFirstAndALateOneCompletesAtOnce() async {
        let source = FakeHealthSource(loop: harness.loop)
        let monitor = makeMonitor(settings(backoff: .seconds(60), draining: .milliseconds(30)), source)
        start(monitor, source: source)
        harness.sync {
            monitor.drain { recorder.drainCompletions += 1 }
            monitor.drain { recorder.drainCompletions += 10 }
        }
        #expect(await harness.wait { recorder.drainCompletions == 11 })
        harness.sync {
            #expect(source.drains.count == 1)
            monitor.drain { recorder.drainCompletions += 100 }
            #expect(recorder.drainCompletions == 111)
        }
    }

    @Test func drainStopsPolling() async {
        let source = FakeHealthSource(loop: harness.loop, pollResults: [FakeHealthSource.status(.unhealthy)])
        let monitor = makeMonitor(settings(maxFails: 1000, draining: .milliseconds(200)), source)
        start(monitor, source: source)
        #expect(await harness.wait { source.fetches.count >= 2 })
        let polls = harness.sync {
            monitor.drain { recorder.drainCompletions += 1 }
            return source.fetches.count
        }
        #expect(await harness.wait { recorder.drainCompletions == 1 })
        harness.sync { #expect(source.fetches.count == polls) }
    }

    @Test func afterStopNoCallbackFires() async {
        let source = FakeHealthSource(loop: harness.loop, pollResults: [FakeHealthSource.status(.unhealthy)])
        harness.sync { source.holdPolls = true }
        let monitor = makeMonitor(settings(maxFails: 0, draining: .milliseconds(10)), source)
        start(monitor, source: source)
        #expect(await harness.wait { source.fetches.count == 1 })
        harness.sync {
            monitor.drain { recorder.drainCompletions += 1 }
            monitor.stop()
            source.releaseHeld()
        }
        try? await Task.sleep(for: .milliseconds(50))
        harness.sync {
            #expect(recorder.failures.isEmpty)
            #expect(recorder.drainCompletions == 0)
            #expect(source.requests.allSatisfy { $0.cancelled })
            #expect(source.closed)
        }
    }
}
