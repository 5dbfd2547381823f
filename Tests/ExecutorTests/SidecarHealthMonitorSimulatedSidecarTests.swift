import EventLoop
import Simulators
import Synchronization
import Testing

@testable import Executor

/// The whole Sidecar path (the factory, the monitor, the client, real loopback HTTP) against the simulated
/// Sidecar serving the real state document shape. Durations are milliseconds.
struct SidecarHealthMonitorSimulatedSidecarTests {
    let harness = LoopHarness()
    let recorder = SidecarRecorder()
    let containerID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    let id = "0123456789ab"

    func settings(
        port: UInt16,
        interval: Duration = .milliseconds(20),
        maxFails: Int = 3,
        draining: Duration = .milliseconds(50),
        timeout: Duration = .seconds(30),
        retries: Int = 1
    ) throws -> ExecutorSettings {
        var settings = ExecutorSettings()
        settings.sidecarURL = try HTTPURL(parsing: "http://127.0.0.1:\(port)/state.json")
        settings.sidecarBackoff = .milliseconds(5)
        settings.sidecarPollInterval = interval
        settings.sidecarMaxFails = maxFails
        settings.sidecarDrainingDuration = draining
        settings.httpTimeout = timeout
        settings.sidecarRetryCount = retries
        settings.sidecarRetryDelay = .milliseconds(5)
        return settings
    }

    func startedSidecar(_ status: SidecarServiceStatus = .alive) throws -> SimulatedSidecar {
        let sidecar = try SimulatedSidecar(hostname: "node-a")
        sidecar.setService(id: id, name: "web", status: status)
        sidecar.start()
        return sidecar
    }

    /// Makes the simulator answer its nth state poll with `statuses[n]` (the last one repeats): the status is set
    /// inside the server's handler, just before the simulator answers, so no poll can see another one.
    func script(_ sidecar: SimulatedSidecar, _ statuses: [SidecarServiceStatus]) {
        let original = sidecar.server.handler
        let polls = Mutex(0)
        sidecar.server.handler = { [id] request, responder in
            if request.method == "GET" {
                let index = polls.withLock { count in
                    defer { count += 1 }
                    return count
                }
                sidecar.setStatus(id: id, statuses[min(index, statuses.count - 1)])
            }
            original(request, responder)
        }
    }

    func start(_ settings: ExecutorSettings, labels: [String: String] = [:]) -> any TaskHealthChecking {
        harness.sync {
            let checking = makeHealthChecking(
                for: labels, settings: settings, loop: harness.loop, logger: recorder.logger)
            checking.start(
                containerID: containerID,
                onVerdictChange: { [recorder] in recorder.verdicts.append($0) },
                onFailure: { [recorder] message in
                    recorder.failures.append(message)
                    recorder.failurePoll = (checking as? SidecarHealthMonitor)?.pollCount
                })
            return checking
        }
    }

    func statePolls(_ sidecar: SimulatedSidecar) -> Int {
        sidecar.requests.filter { $0.method == "GET" }.count
    }

    @Test func aHealthyServiceIsReportedHealthyOnceAndNeverFails() async throws {
        let sidecar = try startedSidecar(.alive)
        defer { sidecar.stop() }
        let checking = start(try settings(port: sidecar.port))
        #expect(await harness.wait { statePolls(sidecar) >= 6 })
        harness.sync {
            checking.stop()
            #expect(recorder.verdicts == [true])
            #expect(recorder.failures.isEmpty)
        }
        #expect(sidecar.requests.allSatisfy { $0.method == "GET" && $0.path == "/state.json" })
    }

    @Test func anUnhealthyServiceFailsOnTheFourthPollWithMaxFailsThree() async throws {
        let sidecar = try startedSidecar(.unhealthy)
        defer { sidecar.stop() }
        let checking = start(try settings(port: sidecar.port))
        #expect(await harness.wait { !recorder.failures.isEmpty })
        try await Task.sleep(for: .milliseconds(100))
        harness.sync {
            #expect(recorder.failurePoll == 4)
            #expect(
                recorder.failures == [
                    "Sidecar reported the service UNHEALTHY on 4 consecutive polls (EXECUTOR_SIDECAR_MAX_FAILS is 3)."
                ])
            #expect(recorder.verdicts.isEmpty, "unhealthy from the start: no health update before the failure")
            checking.stop()
        }
        #expect(statePolls(sidecar) == 4, "polling stops at the failure")
    }

    @Test func anAliveInBetweenResetsTheCount() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        script(sidecar, [.unhealthy, .unhealthy, .unhealthy, .alive, .unhealthy, .unhealthy, .unhealthy, .unhealthy])
        let checking = start(try settings(port: sidecar.port))
        #expect(await harness.wait { !recorder.failures.isEmpty })
        harness.sync {
            #expect(recorder.failurePoll == 8)
            #expect(recorder.verdicts == [true, false])
            checking.stop()
        }
    }

    @Test func tombstoneFailsLikeUnhealthy() async throws {
        let sidecar = try startedSidecar(.tombstone)
        defer { sidecar.stop() }
        let checking = start(try settings(port: sidecar.port, maxFails: 1))
        #expect(await harness.wait { !recorder.failures.isEmpty })
        harness.sync {
            #expect(recorder.failurePoll == 2)
            #expect(
                recorder.failures == [
                    "Sidecar reported the service TOMBSTONE on 2 consecutive polls (EXECUTOR_SIDECAR_MAX_FAILS is 1)."
                ])
            checking.stop()
        }
    }

    @Test func unknownAndDrainingCountAsHealthyAndEachChangeIsReportedOnce() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        let statuses: [SidecarServiceStatus] = [
            .unhealthy, .unhealthy, .unhealthy, .unknown, .unknown, .unhealthy, .unhealthy, .unhealthy, .draining,
            .unhealthy, .unhealthy, .unhealthy, .alive,
        ]
        script(sidecar, statuses)
        let checking = start(try settings(port: sidecar.port))
        #expect(await harness.wait { statePolls(sidecar) >= statuses.count + 3 })
        harness.sync {
            checking.stop()
            #expect(recorder.failures.isEmpty)
            #expect(recorder.verdicts == [true, false, true, false, true])
        }
    }

    @Test func anUnreachableSidecarNeverKills() async throws {
        let server = try BlockingHTTPServer()
        let port = server.port
        server.stop()
        let checking = start(try settings(port: port, maxFails: 0))
        #expect(await harness.wait { recorder.logCount(containing: "could not be reached in 2 attempt(s)") >= 4 })
        harness.sync {
            checking.stop()
            #expect(recorder.failures.isEmpty)
            #expect(recorder.verdicts.isEmpty)
        }
    }

    @Test func aHangingSidecarNeverKillsAndPollsDoNotPileUp() async throws {
        let sidecar = try startedSidecar(.unhealthy)
        defer { sidecar.stop() }
        sidecar.mode = .hang
        let checking = start(try settings(port: sidecar.port, maxFails: 0, timeout: .milliseconds(60)))
        #expect(await harness.wait { recorder.logCount(containing: "timed out") >= 2 })
        let polls = harness.sync {
            checking.stop()
            #expect(recorder.failures.isEmpty)
            #expect(recorder.logCount(containing: "Skipping a Sidecar poll") >= 1)
            return (checking as? SidecarHealthMonitor)?.pollCount ?? 0
        }
        // Skipped ticks sent nothing: at most two attempts (one retry) per poll reached Sidecar.
        #expect(sidecar.requests.count <= 2 * polls)
    }

    @Test func aTenMegabyteGarbageBodyNeverKills() async throws {
        let sidecar = try startedSidecar(.unhealthy)
        defer { sidecar.stop() }
        sidecar.mode = .garbage(bytes: 10 << 20)
        let checking = start(
            try settings(port: sidecar.port, interval: .milliseconds(50), maxFails: 0, timeout: .seconds(30)))
        #expect(await harness.wait { recorder.logCount(containing: "larger than 4194304 bytes") >= 2 })
        harness.sync {
            checking.stop()
            #expect(recorder.failures.isEmpty)
        }
    }

    @Test func aMissingHostOrServiceGivesNoVerdict() async throws {
        let sidecar = try startedSidecar(.unhealthy)
        defer { sidecar.stop() }
        var otherHost = try settings(port: sidecar.port, maxFails: 0)
        otherHost.taskHost = "node-b"
        let first = start(otherHost)
        #expect(await harness.wait { recorder.logCount(containing: "does not list host node-b") >= 3 })
        harness.sync { first.stop() }
        sidecar.removeService(id: id)
        sidecar.setService(id: "ffffffffffff", name: "other", status: .unhealthy)
        let second = start(try settings(port: sidecar.port, maxFails: 0))
        #expect(
            await harness.wait {
                recorder.logCount(containing: "does not list service 0123456789ab on host node-a") >= 3
            })
        harness.sync {
            second.stop()
            #expect(recorder.failures.isEmpty)
            #expect(recorder.verdicts.isEmpty)
        }
    }

    @Test func aKillDrainsThroughTheAPIThenWaitsTheDrainingDuration() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        var settings = try settings(port: sidecar.port, draining: .milliseconds(150))
        settings.sidecarBackoff = .seconds(600)
        let checking = start(settings)
        let completedAt = ResultBox<ContinuousClock.Instant>()
        harness.sync {
            checking.drain {
                recorder.drainCompletions += 1
                completedAt.values.append(.now)
            }
        }
        #expect(await harness.wait { recorder.drainCompletions == 1 })
        let drainRequest = try #require(sidecar.requests.first)
        #expect(drainRequest.method == "POST")
        #expect(drainRequest.path == "/api/services/0123456789ab/drain")
        // The POST first, then the whole draining duration.
        let completed = try #require(harness.sync { completedAt.values.first })
        #expect(completed - drainRequest.receivedAt >= .milliseconds(150))
        #expect(sidecar.service(id: id)?.status == .draining)
        harness.sync { checking.stop() }
    }

    @Test func aDrainAnswered404Then500Then202IsRetried() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        sidecar.drainResponses = [404, 500]
        var settings = try settings(port: sidecar.port, retries: 5)
        settings.sidecarBackoff = .seconds(600)
        let checking = start(settings)
        harness.sync { checking.drain { recorder.drainCompletions += 1 } }
        #expect(await harness.wait { recorder.drainCompletions == 1 })
        #expect(sidecar.requests.map(\.method) == ["POST", "POST", "POST"])
        harness.sync {
            #expect(recorder.logCount(containing: "Sidecar accepted the drain (attempt 3)") == 1)
            checking.stop()
        }
    }

    @Test func aZeroDrainingDurationSendsNoDrain() async throws {
        let sidecar = try startedSidecar()
        defer { sidecar.stop() }
        var settings = try settings(port: sidecar.port, draining: .zero)
        settings.sidecarBackoff = .seconds(600)
        let checking = start(settings)
        harness.sync {
            checking.drain { recorder.drainCompletions += 1 }
            #expect(recorder.drainCompletions == 1)
            checking.stop()
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(sidecar.requests.isEmpty)
    }

    @Test func sidecarDiscoverFalseTurnsOffEveryRequest() async throws {
        let sidecar = try startedSidecar(.unhealthy)
        defer { sidecar.stop() }
        let checking = start(try settings(port: sidecar.port, maxFails: 0), labels: ["SidecarDiscover": "false"])
        #expect(checking is NoHealthChecking)
        try await Task.sleep(for: .milliseconds(150))
        harness.sync {
            checking.drain { recorder.drainCompletions += 1 }
            #expect(recorder.drainCompletions == 1)
            #expect(recorder.failures.isEmpty)
        }
        #expect(sidecar.requests.isEmpty)
    }
}
