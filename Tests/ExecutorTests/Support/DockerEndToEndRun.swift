import Dispatch
import EventLoop
import Foundation

@testable import Executor

/// Forwards to a real engine and notes when each wait answer arrives, to measure how long the executor takes
/// from the engine's answer to the terminal update.
final class TimingDockerEngine: ForwardingDockerEngine, @unchecked Sendable {
    private(set) var waitAnswers: [ContinuousClock.Instant] = []

    override func waitForExit(
        containerID: String,
        condition: WaitCondition,
        onWaiting: @escaping () -> Void,
        completion: @escaping (Result<ContainerExit, DockerError>) -> Void
    ) -> any DockerStreamHandle {
        base.waitForExit(containerID: containerID, condition: condition, onWaiting: onWaiting) { [self] result in
            waitAnswers.append(.now)
            completion(result)
        }
    }
}

/// Records status updates with the moment each arrived.
final class TimedStatusRecorder: StatusReporter, @unchecked Sendable {
    private(set) var updates: [TaskStatusUpdate] = []
    private(set) var times: [ContinuousClock.Instant] = []
    var states: [TaskState] { updates.map(\.state) }

    func report(_ update: TaskStatusUpdate) {
        updates.append(update)
        times.append(.now)
    }
}

/// One task run by a real supervisor against the test engine, on its own event loop.
final class DockerEndToEndRun: @unchecked Sendable {
    let taskID: String
    let loop: EventLoop
    let client: DockerClient
    let engine: TimingDockerEngine
    let reporter = TimedStatusRecorder()
    let logs = ContainerLogRecorder()
    let sandbox: String
    private(set) var finished = false
    private(set) var supervisor: TaskSupervisor!

    init(
        name: String,
        settings: ExecutorSettings = ExecutorSettings(),
        killingState: Bool = false,
        credentials: RegistryCredentials = RegistryCredentials(),
        clientSettings: DockerClient.Settings = DockerClient.Settings(pullAttempts: 2),
        runsChecks: Bool = false
    ) throws {
        let endpoint = try DockerTestEngine.require()
        taskID = "e2e-\(name)-\(DockerTestEngine.uniqueSuffix())"
        loop = EventLoop(label: "e2e-\(name)")
        client = DockerClient(endpoint: endpoint, loop: loop, settings: clientSettings)
        engine = TimingDockerEngine(client)
        sandbox = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(taskID)").path
        try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
        let settings = TaskSupervisor.Settings(
            executor: settings, sandboxDirectory: sandbox, hostCPUCount: 2, sendsKillingState: killingState,
            credentials: credentials)
        loop.queue.sync {
            supervisor = TaskSupervisor(
                settings: settings, loop: loop, engine: engine, reporter: reporter, logSink: logs,
                makeHealthChecking: { _ in NoHealthChecking() },
                // The TaskInfo's checks run against the real client (exec and the container's namespace).
                makeChecks: { [loop, client] task in
                    runsChecks ? MesosTaskChecks.make(for: task, loop: loop, engine: client) : nil
                },
                onFinished: { [unowned self] in finished = true })
        }
    }

    /// A Docker TaskInfo for this run: `local/busybox:latest`, host networking unless changed.
    func taskInfo(shell command: String?, _ changes: [(String, JSONValue?)] = []) -> JSONValue {
        var json = TaskInfoFixture.task([
            ("task_id.value", .string(taskID)),
            ("container.docker.image", "local/busybox:latest"),
            ("container.docker.network", "HOST"),
        ])
        if let command { json[path: "command"] = ["shell": true, "value": .string(command)] }
        for (path, value) in changes { json[path: path] = value }
        return json
    }

    func launch(_ taskInfo: JSONValue) {
        loop.queue.sync { supervisor.launch(taskInfo: taskInfo) }
    }

    func kill(grace: Duration?) {
        loop.queue.sync { supervisor.kill(gracePeriod: grace) }
    }

    func acknowledgeTerminalUpdate() {
        loop.queue.sync { supervisor.terminalUpdateAcknowledged() }
    }

    var states: [TaskState] { loop.queue.sync { reporter.states } }
    var updates: [TaskStatusUpdate] { loop.queue.sync { reporter.updates } }
    var stdout: String { loop.queue.sync { String(decoding: logs.stdout, as: UTF8.self) } }
    var stderr: String { loop.queue.sync { String(decoding: logs.stderr, as: UTF8.self) } }
    var isFinished: Bool { loop.queue.sync { finished } }

    /// Waits until the task reaches `state` (or any terminal state when nil).
    @discardableResult
    func waitFor(_ state: TaskState? = nil, timeout: Duration = .seconds(120)) -> Bool {
        DockerTestEngine.waitUntil(loop, timeout: timeout) {
            reporter.states.contains { state == nil ? $0.isTerminal : $0 == state }
        }
    }

    /// Wait answer → terminal update, as seen on the loop.
    var waitToTerminal: Duration? {
        loop.queue.sync {
            guard let answer = engine.waitAnswers.last,
                let index = reporter.updates.firstIndex(where: { $0.state.isTerminal })
            else { return nil }
            return reporter.times[index] - answer
        }
    }

    /// Acknowledges, waits for the supervisor to finish, removes leftovers and the sandbox.
    func tearDown() {
        if loop.queue.sync(execute: { supervisor.isTerminal }) { acknowledgeTerminalUpdate() }
        _ = DockerTestEngine.waitUntil(loop, timeout: .seconds(60)) { finished }
        DockerTestEngine.removeContainers(taskID: taskID)
        loop.queue.sync { client.close() }
        try? FileManager.default.removeItem(atPath: sandbox)
    }
}
