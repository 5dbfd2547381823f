import Dispatch
import EventLoop
import Testing

@testable import Executor

/// A prober whose probes are answered by the test, recording each run.
final class ScriptedProber: ContainerProbing, @unchecked Sendable {
    final class Run: ProbeHandle, @unchecked Sendable {
        let probe: CheckProbe
        var completion: ((ProbeOutcome) -> Void)?
        private(set) var cancelled = false
        init(probe: CheckProbe, completion: @escaping (ProbeOutcome) -> Void) {
            self.probe = probe
            self.completion = completion
        }
        func cancel() {
            cancelled = true
            completion = nil
        }
    }

    private(set) var runs: [Run] = []
    private(set) var closed = false
    /// Answers every probe at once with this outcome when set.
    var immediate: ProbeOutcome?

    func run(_ probe: CheckProbe, timeout: Duration?, completion: @escaping (ProbeOutcome) -> Void) -> any ProbeHandle {
        let run = Run(probe: probe, completion: completion)
        runs.append(run)
        if let immediate { completion(immediate) }
        return run
    }

    /// Answers the latest open run.
    func answer(_ outcome: ProbeOutcome) {
        guard let run = runs.last(where: { $0.completion != nil }) else { return }
        let completion = run.completion
        run.completion = nil
        completion?(outcome)
    }

    func close() { closed = true }
}

final class CheckRecorder: @unchecked Sendable {
    var reports: [CheckReport] = []
    var kills: [String] = []
}

struct MesosTaskChecksTests {
    static let fast = CheckTiming(delay: .milliseconds(1), interval: .milliseconds(1), timeout: .seconds(30))

    private func start(
        health: HealthCheckSpec?, check: CheckSpec? = nil, prober: ScriptedProber, loop: EventLoop,
        recorder: CheckRecorder
    ) -> MesosTaskChecks {
        loop.queue.sync {
            let checks = MesosTaskChecks(loop: loop, healthCheck: health, check: check) { _, ready in ready(prober) }
            checks.start(
                containerID: "c1", onReport: { recorder.reports.append($0) }, onKill: { recorder.kills.append($0) })
            return checks
        }
    }

    @Test func healthResultsFollowThePolicyUpToTheKill() {
        let loop = EventLoop(label: "checks-health")
        let prober = ScriptedProber()
        let recorder = CheckRecorder()
        let spec = HealthCheckSpec(
            probe: .http(port: 80, path: "/", ipv6: false), timing: Self.fast, consecutiveFailures: 2,
            gracePeriod: .zero)
        let checks = start(health: spec, prober: prober, loop: loop, recorder: recorder)
        #expect(loop.queue.sync { checks.setsHealthy })
        for outcome: ProbeOutcome in [.httpStatus(200), .httpStatus(204), .httpStatus(500), .notPerformed(reason: "x")]
        {
            #expect(DockerTestEngine.waitUntil(loop) { prober.runs.contains { $0.completion != nil } })
            loop.queue.sync { prober.answer(outcome) }
        }
        #expect(DockerTestEngine.waitUntil(loop) { !recorder.kills.isEmpty })
        loop.queue.sync {
            #expect(recorder.reports.map(\.healthy) == [true, false, false])
            #expect(recorder.reports[1].message.contains("HTTP status 500 (1 of 2 consecutive failures)"))
            #expect(recorder.kills.count == 1)
            #expect(recorder.kills[0].contains("2 of 2"))
            checks.stop()
            #expect(prober.closed)
        }
    }

    @Test func aProbeTakingLongerThanTheTimeoutIsAFailureAndIsCancelled() {
        let loop = EventLoop(label: "checks-timeout")
        let prober = ScriptedProber()
        let recorder = CheckRecorder()
        let timing = CheckTiming(delay: .milliseconds(1), interval: .seconds(3600), timeout: .milliseconds(20))
        let spec = HealthCheckSpec(
            probe: .tcp(port: 1, ipv6: false), timing: timing, consecutiveFailures: 1, gracePeriod: .zero)
        let checks = start(health: spec, prober: prober, loop: loop, recorder: recorder)
        #expect(DockerTestEngine.waitUntil(loop) { !recorder.kills.isEmpty })
        loop.queue.sync {
            #expect(prober.runs.first?.cancelled == true)
            #expect(recorder.reports.first?.message.contains("no answer within 20ms") == true)
            checks.stop()
        }
    }

    @Test func checkStatusChangesAreReportedAndRepeatsAreNot() {
        let loop = EventLoop(label: "checks-check")
        let prober = ScriptedProber()
        let recorder = CheckRecorder()
        let check = CheckSpec(probe: .command(TaskInfo.Command(value: "x")), timing: Self.fast)
        let checks = start(health: nil, check: check, prober: prober, loop: loop, recorder: recorder)
        #expect(loop.queue.sync { !checks.setsHealthy })
        for code in [0, 0, 3, 3, 0] {
            #expect(DockerTestEngine.waitUntil(loop) { prober.runs.contains { $0.completion != nil } })
            loop.queue.sync { prober.answer(.exited(code: code)) }
        }
        #expect(DockerTestEngine.waitUntil(loop) { recorder.reports.count == 3 })
        loop.queue.sync {
            #expect(recorder.reports.map(\.checkStatus?.exitCode) == [0, 3, 0])
            #expect(recorder.reports.allSatisfy { $0.healthy == nil })
            checks.stop()
        }
    }

    @Test func aProberAnsweringSynchronouslyKeepsTheScheduleGoing() {
        let loop = EventLoop(label: "checks-sync")
        let prober = ScriptedProber()
        prober.immediate = .connected(true)
        let recorder = CheckRecorder()
        let check = CheckSpec(probe: .tcp(port: 1, ipv6: false), timing: Self.fast)
        let checks = start(health: nil, check: check, prober: prober, loop: loop, recorder: recorder)
        #expect(DockerTestEngine.waitUntil(loop) { prober.runs.count >= 3 })
        loop.queue.sync {
            #expect(recorder.reports.map(\.checkStatus?.succeeded) == [true])
            checks.stop()
        }
    }

    @Test func nothingRunsOrIsReportedAfterStop() {
        let loop = EventLoop(label: "checks-stop")
        let prober = ScriptedProber()
        let recorder = CheckRecorder()
        let spec = HealthCheckSpec(probe: .tcp(port: 1, ipv6: false), timing: Self.fast, gracePeriod: .zero)
        let checks = start(health: spec, prober: prober, loop: loop, recorder: recorder)
        #expect(DockerTestEngine.waitUntil(loop) { !prober.runs.isEmpty })
        loop.queue.sync {
            checks.stop()
            prober.answer(.connected(true))
        }
        // Give a stray timer the chance to fire: a probe scheduled 1 ms later would show up as a second run.
        let settled = DispatchSemaphore(value: 0)
        _ = loop.queue.sync { loop.schedule(after: .milliseconds(50)) { settled.signal() } }
        settled.wait()
        loop.queue.sync {
            #expect(prober.runs.count == 1)
            #expect(recorder.reports.isEmpty)
        }
    }
}
