import Dispatch
import EventLoop
import Foundation
import Simulators
import Synchronization
import Testing

@testable import Executor

/// One task run by a real supervisor against the project's private Docker engine, with Sidecar health checking
/// against a simulated Sidecar on loopback. Fails (not skips) when the engine is missing.
final class SidecarEndToEndRun: @unchecked Sendable {
    let taskID: String
    let loop: EventLoop
    let client: DockerClient
    let reporter = TimedStatusRecorder()
    let logs = ContainerLogRecorder()
    let sidecarLog = SidecarRecorder()
    let sidecar: SimulatedSidecar
    let settings: ExecutorSettings
    let sandbox: String
    private(set) var finished = false
    private(set) var supervisor: TaskSupervisor!

    /// `configure` adjusts the settings; the Sidecar URL is the simulator's, TASK_HOST is unset (so the state's own
    /// `Hostname` is used, as when Singularity does not set it).
    init(name: String, configure: (inout ExecutorSettings) -> Void) throws {
        let endpoint = try DockerTestEngine.require()
        taskID = "e2e-sidecar-\(name)-\(DockerTestEngine.uniqueSuffix())"
        loop = EventLoop(label: "e2e-sidecar-\(name)")
        client = DockerClient(endpoint: endpoint, loop: loop)
        sidecar = try SimulatedSidecar(hostname: "node-a")
        sidecar.start()
        var settings = ExecutorSettings()
        settings.sidecarURL = try HTTPURL(parsing: "http://127.0.0.1:\(sidecar.port)/state.json")
        settings.httpTimeout = .seconds(30)
        settings.sidecarRetryCount = 1
        settings.sidecarRetryDelay = .milliseconds(50)
        configure(&settings)
        self.settings = settings
        sandbox = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(taskID)").path
        try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
        let supervisorSettings = TaskSupervisor.Settings(
            executor: settings, sandboxDirectory: sandbox, hostCPUCount: 2)
        loop.queue.sync {
            supervisor = TaskSupervisor(
                settings: supervisorSettings, loop: loop, engine: client, reporter: reporter, logSink: logs,
                makeHealthChecking: { [loop, sidecarLog] labels in
                    makeHealthChecking(for: labels, settings: settings, loop: loop, logger: sidecarLog.logger)
                },
                onFinished: { [unowned self] in finished = true })
        }
    }

    /// A task running `local/busybox:latest` with host networking; `labels` become Docker `label` parameters.
    func taskInfo(shell command: String, labels: [String] = []) -> JSONValue {
        var json = TaskInfoFixture.task(
            parameters: labels.map { ("label", $0) },
            [
                ("task_id.value", .string(taskID)),
                ("container.docker.image", "local/busybox:latest"),
                ("container.docker.network", "HOST"),
            ])
        json[path: "command"] = ["shell": true, "value": .string(command)]
        return json
    }

    /// A container that ends at once on TERM, so that stopping it takes no grace period.
    static let stopsOnTerm = "trap 'exit 0' TERM; while true; do sleep 0.1; done"

    func launch(_ taskInfo: JSONValue) {
        loop.queue.sync { supervisor.launch(taskInfo: taskInfo) }
    }

    func kill(grace: Duration?) {
        loop.queue.sync { supervisor.kill(gracePeriod: grace) }
    }

    var updates: [TaskStatusUpdate] { loop.queue.sync { reporter.updates } }
    var states: [TaskState] { loop.queue.sync { reporter.states } }

    /// When the first update matching `predicate` reached the reporter.
    func time(of predicate: (TaskStatusUpdate) -> Bool) -> ContinuousClock.Instant? {
        loop.queue.sync {
            reporter.updates.firstIndex(where: predicate).map { reporter.times[$0] }
        }
    }

    @discardableResult
    func waitFor(timeout: Duration = .seconds(120), _ predicate: @escaping (TaskStatusUpdate) -> Bool) -> Bool {
        DockerTestEngine.waitUntil(loop, timeout: timeout) { reporter.updates.contains(where: predicate) }
    }

    /// The container's id, from the TASK_RUNNING update's `docker_id` label.
    func containerID() throws -> String {
        let running = try #require(updates.first { $0.state == .running })
        return try #require(running.labels.first { $0.key == "docker_id" }?.value)
    }

    func tearDown() {
        if loop.queue.sync(execute: { supervisor.isTerminal }) {
            loop.queue.sync { supervisor.terminalUpdateAcknowledged() }
        }
        _ = DockerTestEngine.waitUntil(loop, timeout: .seconds(60)) { finished }
        DockerTestEngine.removeContainers(taskID: taskID)
        loop.queue.sync { client.close() }
        sidecar.stop()
        try? FileManager.default.removeItem(atPath: sandbox)
    }
}

@Suite(.serialized, .requires(.docker))
struct SidecarEndToEndTests {
    @Test func aServiceSidecarCallsUnhealthyEndsTaskFailedWithinTheBound() throws {
        let backoff = Duration.milliseconds(300)
        let interval = Duration.milliseconds(200)
        let grace = Duration.seconds(2)
        let run = try SidecarEndToEndRun(name: "unhealthy") { settings in
            settings.sidecarBackoff = backoff
            settings.sidecarPollInterval = interval
            settings.sidecarMaxFails = 3
            settings.killTaskTimeout = grace
        }
        defer { run.tearDown() }
        run.launch(run.taskInfo(shell: SidecarEndToEndRun.stopsOnTerm))
        #expect(run.waitFor { $0.state == .running })
        let id12 = String(try run.containerID().prefix(12))
        // Sidecar discovers the container and its check fails. Polls before this saw no service (how many depends
        // on how fast this machine got here), so only the later ones are counted.
        let pollsBefore = run.sidecar.requests.count
        run.sidecar.setService(id: id12, name: "web", status: .unhealthy)
        #expect(run.waitFor { $0.state.isTerminal })

        #expect(run.states == [.starting, .running, .failed])
        let failed = try #require(run.updates.last)
        #expect(failed.healthy == false)
        #expect(failed.reason == .healthCheckStatusUpdated)
        #expect(
            failed.message
                == "Sidecar reported the service UNHEALTHY on 4 consecutive polls (EXECUTOR_SIDECAR_MAX_FAILS is 3).")
        #expect(failed.labels.contains { $0.key == "docker_id" })
        // The 4th poll that saw the service failed it (the first of them may have arrived just before it was set).
        let polls = run.sidecar.requests.count - pollsBefore
        #expect((3...4).contains(polls), "\(polls) polls after the service turned unhealthy")
        #expect(run.sidecar.requests.allSatisfy { $0.method == "GET" }, "no drain on the health-failure path")

        let runningAt = try #require(run.time { $0.state == .running })
        let failedAt = try #require(run.time { $0.state == .failed })
        // Timers never fire early. How late they are depends on the machine's load: the bound of the issue (backoff
        // + (fails + 1) x interval + the stop) is the exact poll count above, not a wall-clock limit.
        #expect(failedAt - runningAt >= backoff + interval * 3)
        let inspect = try #require(try DockerTestEngine.inspect(try run.containerID()))
        #expect(inspect["State"]?["Running"]?.boolValue == false)
    }

    @Test func healthChangesReachMesosOncePerChange() throws {
        let run = try SidecarEndToEndRun(name: "changes") { settings in
            settings.sidecarBackoff = .milliseconds(100)
            settings.sidecarPollInterval = .milliseconds(50)
            settings.sidecarMaxFails = 1000
            settings.sidecarDrainingDuration = .milliseconds(100)
        }
        defer { run.tearDown() }
        run.launch(run.taskInfo(shell: SidecarEndToEndRun.stopsOnTerm))
        #expect(run.waitFor { $0.state == .running })
        let id12 = String(try run.containerID().prefix(12))
        run.sidecar.setService(id: id12, name: "web", status: .alive)
        #expect(run.waitFor { $0.healthy == true })
        run.sidecar.setStatus(id: id12, .unhealthy)
        #expect(run.waitFor { $0.healthy == false })
        run.sidecar.setStatus(id: id12, .unknown)
        #expect(DockerTestEngine.waitUntil(run.loop) { run.reporter.updates.filter { $0.healthy != nil }.count == 3 })
        // Several more polls with the same verdict send nothing more.
        let polls = run.sidecar.requests.count
        #expect(DockerTestEngine.waitUntil(run.loop) { run.sidecar.requests.count >= polls + 5 })
        run.kill(grace: .seconds(2))
        #expect(run.waitFor { $0.state.isTerminal })

        let healthUpdates = run.updates.filter { $0.healthy != nil }
        #expect(healthUpdates.map(\.healthy) == [true, false, true])
        #expect(healthUpdates.allSatisfy { $0.state == .running && $0.reason == .healthCheckStatusUpdated })
        #expect(run.states.last == .killed)
    }

    @Test func aKillDrainsTheServiceBeforeTheContainerStops() throws {
        let draining = Duration.milliseconds(500)
        let run = try SidecarEndToEndRun(name: "drain") { settings in
            settings.sidecarBackoff = .seconds(600)
            settings.sidecarDrainingDuration = draining
        }
        defer { run.tearDown() }
        run.launch(run.taskInfo(shell: SidecarEndToEndRun.stopsOnTerm))
        #expect(run.waitFor { $0.state == .running })
        let containerID = try run.containerID()
        run.sidecar.setService(id: String(containerID.prefix(12)), name: "web", status: .alive)
        // At the drain request, ask the engine (through its CLI, not the client under test) whether the
        // container still runs.
        let runningAtDrain = Mutex<Bool?>(nil)
        let original = run.sidecar.server.handler
        run.sidecar.server.handler = { request, responder in
            if request.method == "POST" {
                let running = (try? DockerTestEngine.inspect(containerID))??["State"]?["Running"]?.boolValue
                runningAtDrain.withLock { $0 = running }
            }
            original(request, responder)
        }
        run.kill(grace: .seconds(2))
        #expect(run.waitFor { $0.state.isTerminal })

        #expect(run.states == [.starting, .running, .killed])
        let drain = try #require(run.sidecar.requests.first { $0.method == "POST" })
        #expect(drain.path == "/api/services/\(containerID.prefix(12))/drain")
        #expect(runningAtDrain.withLock { $0 } == true, "the drain must come before the stop")
        #expect(run.sidecar.service(id: String(containerID.prefix(12)))?.status == .draining)
        let killedAt = try #require(run.time { $0.state == .killed })
        #expect(killedAt - drain.receivedAt >= draining, "the container is stopped after the draining duration")
        let inspect = try #require(try DockerTestEngine.inspect(containerID))
        #expect(inspect["State"]?["Running"]?.boolValue == false)
    }

    @Test func sidecarDiscoverFalseMeansNoSidecarTrafficAtAll() throws {
        let run = try SidecarEndToEndRun(name: "nodiscover") { settings in
            settings.sidecarBackoff = .milliseconds(10)
            settings.sidecarPollInterval = .milliseconds(20)
            settings.sidecarMaxFails = 0
        }
        defer { run.tearDown() }
        run.launch(run.taskInfo(shell: SidecarEndToEndRun.stopsOnTerm, labels: ["SidecarDiscover=false"]))
        #expect(run.waitFor { $0.state == .running })
        run.sidecar.setService(id: String(try run.containerID().prefix(12)), name: "web", status: .unhealthy)
        Thread.sleep(forTimeInterval: 0.3)
        run.kill(grace: .seconds(2))
        #expect(run.waitFor { $0.state.isTerminal })
        #expect(run.states == [.starting, .running, .killed])
        #expect(run.sidecar.requests.isEmpty)
    }
}
