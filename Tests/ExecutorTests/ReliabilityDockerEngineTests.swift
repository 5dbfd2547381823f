import Dispatch
import EventLoop
import Foundation
import Simulators
import Testing

@testable import Executor

/// The Docker engine going away: restarted while a task runs (the executor re-attaches its wait and its log
/// stream, and reports no false failure), or not there at all when a task launches (TASK_FAILED with a clear
/// message after a bounded number of attempts).
struct ReliabilityDockerEngineTests {
    /// Set by the reliability step of `scripts/test.sh`, which runs this test alone: restarting the engine under
    /// the other end-to-end tests would fail them.
    static let restartAllowed = ProcessInfo.processInfo.environment["SIDECAR_TEST_ENGINE_RESTART"] == "1"

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    @Test(
        .enabled(
            if: restartAllowed,
            "restarts the shared engine: run alone with SIDECAR_TEST_ENGINE_RESTART=1 (scripts/test.sh --reliability does)"
        ),
        .requires(.docker))
    func anEngineRestartWhileTheTaskRunsIsRiddenOutWithItsWaitAndLogs() throws {
        let run = try DockerEndToEndRun(name: "engine-restart")
        defer { run.tearDown() }
        // Numbered lines until the test drops a file into the sandbox, then exit 0: a finish that only the
        // re-registered wait can report.
        run.launch(
            run.taskInfo(
                shell: "i=0; while [ ! -e /mnt/mesos/sandbox/stop ]; do i=$((i+1)); echo line $i; sleep 0.05; done; "
                    + "echo done; exit 0"))
        #expect(run.waitFor(.running))
        #expect(eventually(timeout: .seconds(120)) { run.stdout.contains("line 10\n") })

        let restart = try DockerTestEngine.run(["\(Self.repositoryRoot)/scripts/docker-engine.sh", "restart-daemon"])
        try #require(restart.status == 0, "restart-daemon failed: \(restart.output)")
        let linesAtRestart = Self.lineNumbers(run.stdout).last ?? 0

        // The output goes on arriving: the log stream was followed again after the engine came back.
        #expect(
            eventually(timeout: .seconds(120)) { (Self.lineNumbers(run.stdout).last ?? 0) > linesAtRestart + 20 },
            "no output after the restart")
        #expect(run.states == [.starting, .running], "the restart must not end the task")

        _ = FileManager.default.createFile(atPath: run.sandbox + "/stop", contents: nil)
        #expect(run.waitFor(timeout: .seconds(120)), "the re-registered wait never saw the exit")
        #expect(run.states == [.starting, .running, .finished])
        #expect(run.updates.last?.message == "Container exited with status 0")
        #expect(eventually(timeout: .seconds(120)) { run.stdout.hasSuffix("done\n") })

        // Nothing repeated, nothing lost: every line once, in order.
        let numbers = Self.lineNumbers(run.stdout)
        #expect(numbers == Array(1...(numbers.last ?? 0)), "lines missing or repeated around the restart")
        run.acknowledgeTerminalUpdate()
        #expect(DockerTestEngine.waitUntil(run.loop) { run.finished })
        let left = try DockerTestEngine.cli(["ps", "-aq", "--filter", "label=mesos.task_id=\(run.taskID)"])
        #expect(left.output.isEmpty, "the container is removed after the ACK, over a fresh connection")
    }

    /// The numbers of the `line N` lines, in order.
    static func lineNumbers(_ output: String) -> [Int] {
        output.split(separator: "\n").compactMap { $0.hasPrefix("line ") ? Int($0.dropFirst(5)) : nil }
    }

    @Test func anEngineGoneAtLaunchFailsTheTaskWithAClearMessageAfterBoundedAttempts() throws {
        // An engine socket whose every connection is closed at once: the engine is down (restarting).
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gone-\(DockerTestEngine.uniqueSuffix()).sock"
        ).path
        let engine = try BlockingHTTPServer(unixPath: path)
        engine.dropsNewConnections = true
        engine.start()
        defer { engine.stop() }
        let loop = EventLoop(label: "engine-gone")
        let client = DockerClient(
            endpoint: .unix(path: path), loop: loop,
            settings: DockerClient.Settings(pullAttempts: 4, pullBackoff: .milliseconds(10)))
        let reporter = SupervisorStatusRecorder()
        let finished = DockerClientTests.Box<Bool>()
        let supervisor = loop.queue.sync {
            TaskSupervisor(
                settings: TaskSupervisor.Settings(
                    executor: ExecutorSettings(), sandboxDirectory: TaskInfoFixture.sandbox),
                loop: loop, engine: client, reporter: reporter, logSink: ContainerLogRecorder(),
                makeHealthChecking: { _ in NoHealthChecking() }, onFinished: { finished.value = true })
        }
        loop.queue.sync { supervisor.launch(taskInfo: TaskInfoFixture.task()) }
        #expect(DockerTestEngine.waitUntil(loop, timeout: .seconds(120)) { reporter.states.count == 2 })
        let failed = try #require(loop.queue.sync { reporter.updates.last })
        #expect(failed.state == .failed)
        #expect(failed.reason == .containerLaunchFailed)
        let message = failed.message ?? ""
        #expect(
            message.hasPrefix("Failed to look up image registry:5000/web:1.2: The Docker engine could not be reached"),
            "\(message)")
        // Each attempt pings first (the API version is not known yet), and each ping is one connection.
        #expect(engine.acceptedConnectionCount == 4)
        loop.queue.sync { supervisor.terminalUpdateAcknowledged() }
        #expect(DockerTestEngine.waitUntil(loop) { finished.value == true })
        loop.queue.sync { client.close() }
    }
}
