import Dispatch
import EventLoop
import Testing

@testable import Executor

/// A scripted engine whose log streams the test ends by hand, recording where each follow starts (`since`).
/// Everything else is the scripted `FakeDockerEngine`. Used on the test's event loop only.
final class LogBreakingEngine: ForwardingDockerEngine, @unchecked Sendable {
    /// The scripted engine behind every call but the log follow.
    let fake = FakeDockerEngine()
    /// The `since` of each follow, in order.
    private(set) var follows: [Double?] = []
    private var output: ((DockerLogStream, [UInt8]) -> Void)?
    private var end: ((DockerError?) -> Void)?

    init() { super.init(fake) }

    /// The current stream delivers `text` on stdout.
    func emit(_ text: String) { output?(.stdout, Array(text.utf8)) }

    /// The current stream ends, with `error` or cleanly.
    func endStream(_ error: DockerError?) {
        let finish = end
        output = nil
        end = nil
        finish?(error)
    }

    override func followLogs(
        containerID: String, tty: Bool, since: Double?,
        onOutput: @escaping (DockerLogStream, [UInt8]) -> Void, onEnd: @escaping (DockerError?) -> Void
    ) -> any DockerStreamHandle {
        follows.append(since)
        output = onOutput
        end = onEnd
        return FakeDockerEngine.Handle { [weak self] in
            self?.output = nil
            self?.end = nil
        }
    }
}

/// The container's log stream breaking while the container runs (the Docker engine restarting): the supervisor
/// follows it again from where the output stopped, a bounded number of times, and only while the task runs.
struct ReliabilityLogFollowTests {
    final class Harness: @unchecked Sendable {
        let loop = EventLoop(label: "log-follow-tests")
        let engine = LogBreakingEngine()
        let reporter = SupervisorStatusRecorder()
        let logs = ContainerLogRecorder()
        var supervisor: TaskSupervisor!

        init() {
            let settings = TaskSupervisor.Settings(
                executor: ExecutorSettings(), sandboxDirectory: TaskInfoFixture.sandbox,
                waitRetryDelay: .milliseconds(1))
            supervisor = TaskSupervisor(
                settings: settings, loop: loop, engine: engine, reporter: reporter, logSink: logs,
                makeHealthChecking: { _ in NoHealthChecking() }, onFinished: {})
            loop.queue.sync { supervisor.launch(taskInfo: TaskInfoFixture.task()) }
        }

        func onLoop<T>(_ body: () -> T) -> T { loop.queue.sync(execute: body) }

        var follows: [Double?] { onLoop { engine.follows } }
        var stdout: String { onLoop { String(decoding: logs.stdout, as: UTF8.self) } }
    }

    static let broken = DockerError.transport(.connectionClosedEarly(during: "the chunked body"))

    @Test func aBrokenStreamIsFollowedAgainFromTheLastOutput() {
        let harness = Harness()
        #expect(harness.follows.count == 1)
        #expect(harness.follows.first == .some(nil), "the first follow starts at the container's start")
        let before = WallClock.now()
        harness.onLoop { harness.engine.emit("one\n") }
        let after = WallClock.now()
        harness.onLoop { harness.engine.endStream(Self.broken) }
        #expect(DockerTestEngine.waitUntil(harness.loop) { harness.engine.follows.count == 2 })
        let since = harness.follows.last ?? nil
        #expect(since.map { $0 >= before && $0 <= after } == true, "since \(String(describing: since))")
        harness.onLoop { harness.engine.emit("two\n") }
        #expect(harness.stdout == "one\ntwo\n")
    }

    @Test func aStreamThatEndsCleanlyIsNotFollowedAgain() {
        let harness = Harness()
        harness.onLoop { harness.engine.endStream(nil) }
        harness.onLoop { harness.engine.fake.exit(statusCode: 0) }
        #expect(harness.onLoop { harness.reporter.states } == [.starting, .running, .finished])
        #expect(harness.follows.count == 1)
    }

    @Test func aStreamThatKeepsBreakingIsFollowedAtMostFiveMoreTimes() {
        let harness = Harness()
        for attempt in 1...TaskSupervisor.maxLogRetries {
            harness.onLoop { harness.engine.endStream(Self.broken) }
            #expect(DockerTestEngine.waitUntil(harness.loop) { harness.engine.follows.count == attempt + 1 })
        }
        harness.onLoop { harness.engine.endStream(Self.broken) }
        // Give a sixth re-follow every chance to happen (its pause would be 16 ms) before checking it did not.
        _ = DockerTestEngine.waitUntil(harness.loop, timeout: .milliseconds(300)) { harness.engine.follows.count > 6 }
        #expect(harness.follows.count == 1 + TaskSupervisor.maxLogRetries)
        #expect(harness.onLoop { harness.reporter.states } == [.starting, .running], "a lost log stream fails nothing")
    }

    @Test func outputArrivingResetsTheCountOfAttempts() {
        let harness = Harness()
        for attempt in 1...(TaskSupervisor.maxLogRetries + 2) {
            harness.onLoop {
                harness.engine.emit("line \(attempt)\n")
                harness.engine.endStream(Self.broken)
            }
            #expect(DockerTestEngine.waitUntil(harness.loop) { harness.engine.follows.count == attempt + 1 })
        }
    }

    @Test func aStreamBreakingAfterTheExitIsNotFollowedAgain() {
        let harness = Harness()
        harness.onLoop { harness.engine.fake.exit(statusCode: 3) }
        harness.onLoop { harness.engine.endStream(Self.broken) }
        _ = DockerTestEngine.waitUntil(harness.loop, timeout: .milliseconds(100)) { harness.engine.follows.count > 1 }
        #expect(harness.follows.count == 1)
    }

    @Test func theLogsPathCarriesSinceToTheNanosecond() {
        #expect(DockerAPI.logs("abc") == "/containers/abc/logs?follow=1&stdout=1&stderr=1&timestamps=0")
        #expect(
            DockerAPI.logs("abc", since: 1_795_601_784.5)
                == "/containers/abc/logs?follow=1&stdout=1&stderr=1&timestamps=0&since=1795601784.500000000")
        #expect(DockerAPI.epochParameter(12.25) == "12.250000000")
        #expect(DockerAPI.epochParameter(0) == "0.000000000")
        #expect(DockerAPI.epochParameter(-5) == "0.000000000")
        // An engine answering nonsense (1e300, or a time that is not finite) cannot trap the executor.
        #expect(DockerAPI.epochParameter(1e300) == "1000000000000000.000000000")
        #expect(DockerAPI.epochParameter(.infinity) == "1000000000000000.000000000")
    }
}
