import EventLoop

/// Runs one task's container: performs the actions of its `TaskLifecycle` against the Docker engine, the health
/// checker and the status reporter, and feeds the outcomes back as events.
///
/// Confined to the event loop: every method and every callback runs on it. Events raised while actions are being
/// performed (a fake engine may answer synchronously) are queued and handled afterwards, so that the actions of
/// one event always run in order and the lifecycle never re-enters itself.
final class TaskSupervisor: @unchecked Sendable {
    // @unchecked: all state is touched on the loop only.

    /// What the supervisor needs besides the task.
    struct Configuration: Sendable {
        var settings: ExecutorSettings
        /// MESOS_DIRECTORY: the sandbox on the host, mounted into the container.
        var sandboxDirectory: String
        var hostCPUCount: Int = 1
        /// The framework has the TASK_KILLING_STATE capability.
        var sendsKillingState = false
        var credentials = RegistryCredentials()
        /// The first pause before re-registering a broken wait; doubled for each further one (at most 8 s).
        var waitRetryDelay: Duration = .milliseconds(500)
        /// Resolves `vault://` environment values just before the create (without Vault, each fails the task).
        var secrets = SecretResolver(session: nil)
    }

    /// Consecutive broken log streams followed again (an engine restart breaks one; a broken engine, every one).
    static let maxLogRetries = 5

    let configuration: Configuration
    private let loop: EventLoop
    private let engine: any DockerEngine
    private let reporter: any StatusReporter
    private let logSink: any ContainerLogSink
    private let makeHealthChecking: ([String: String]) -> any TaskHealthChecking
    private let onFinished: () -> Void

    private(set) var taskID: String?
    private var task: TaskInfo?
    private var spec: ContainerSpec?
    private var lifecycle: TaskLifecycle?
    private var health: (any TaskHealthChecking)?
    private var waitHandle: (any DockerStreamHandle)?
    private var logHandle: (any DockerStreamHandle)?
    private var waitRetryTimer: ScheduledTimer?
    private var waitRetries = 0
    private var logRetryTimer: ScheduledTimer?
    private var logRetries = 0
    /// When the container's output last arrived (seconds since the epoch), to re-follow from there.
    private var lastLogOutput: Double?
    private var pendingEvents: [TaskLifecycle.Event] = []
    private var isHandling = false

    /// - Parameters:
    ///   - makeHealthChecking: the health checker for the task's labels (`SidecarDiscover=false` turns it off).
    ///   - onFinished: called once nothing is left to do: the terminal update was acknowledged and the container
    ///     removed (or kept). The executor may exit then.
    init(
        configuration: Configuration,
        loop: EventLoop,
        engine: any DockerEngine,
        reporter: any StatusReporter,
        logSink: any ContainerLogSink,
        makeHealthChecking: @escaping ([String: String]) -> any TaskHealthChecking,
        onFinished: @escaping () -> Void
    ) {
        self.configuration = configuration
        self.loop = loop
        self.engine = engine
        self.reporter = reporter
        self.logSink = logSink
        self.makeHealthChecking = makeHealthChecking
        self.onFinished = onFinished
    }

    /// The lifecycle's state, for the executor glue and tests.
    var state: TaskLifecycle.State? { lifecycle?.state }

    /// Whether the terminal update has been sent.
    var isTerminal: Bool { lifecycle?.isTerminal ?? false }

    // MARK: - Commands from the executor

    /// Starts the task described by the LAUNCH event's TaskInfo. A TaskInfo that cannot run ends TASK_FAILED with
    /// REASON_TASK_INVALID; one without even a task id cannot be reported and is only logged.
    func launch(taskInfo raw: JSONValue) {
        loop.assertOnLoop()
        guard lifecycle == nil else { return Log.error("A task supervisor was asked to launch twice; ignored.") }
        guard let taskID = TaskInfo.taskID(in: raw) else {
            Log.error("A LAUNCH without task_id.value cannot be run or reported; ignored.")
            return onFinished()
        }
        self.taskID = taskID
        let settings = configuration.settings
        do throws(TaskInfoError) {
            let task = try TaskInfo.parse(raw)
            let options = ContainerSpec.Options(
                forceCPULimit: settings.forceCPULimit, forceMemoryLimit: settings.forceMemoryLimit,
                useCPUShares: settings.useCPUShares, hostCPUCount: configuration.hostCPUCount,
                sandboxDirectory: configuration.sandboxDirectory, taskHost: settings.taskHost)
            let spec = try ContainerSpec.make(task: task, options: options)
            self.task = task
            self.spec = spec
            lifecycle = TaskLifecycle(
                configuration: .init(
                    taskID: taskID, image: spec.image.text, forcePull: spec.forcePull,
                    sendsKillingState: configuration.sendsKillingState, keepContainers: settings.keepContainers,
                    defaultGrace: task.killGracePeriod ?? settings.killTaskTimeout))
            health = makeHealthChecking(spec.taskLabels)
            Log.info("Launching task \(taskID) as container \(spec.name) from image \(spec.image).")
            for warning in spec.warnings { Log.warning("Task \(taskID): \(warning)") }
            Log.debug("Task \(taskID): create body \(Self.redacted(spec.body).jsonString)")
            handle(.launch)
        } catch {
            Log.error("Task \(taskID) cannot run: \(error)")
            lifecycle = TaskLifecycle(configuration: .init(taskID: taskID, image: ""))
            handle(.rejected(error))
        }
    }

    /// The agent's KILL. The grace is the KILL's kill policy, else the task's, else EXECUTOR_KILL_TASK_TIMEOUT.
    func kill(gracePeriod: Duration?) {
        loop.assertOnLoop()
        let grace = gracePeriod ?? task?.killGracePeriod ?? configuration.settings.killTaskTimeout
        Log.info("Task \(taskID ?? "?"): kill requested with a grace period of \(grace.shortDescription).")
        handle(.kill(grace: grace))
    }

    /// SHUTDOWN from the agent, or SIGTERM/SIGINT: stop the container within `grace` and send the terminal update.
    func shutdown(grace: Duration) {
        loop.assertOnLoop()
        Log.info("Task \(taskID ?? "?"): shutting down with a grace period of \(grace.shortDescription).")
        handle(.shutdown(grace: grace))
    }

    /// The agent acknowledged the terminal update: the container may go.
    func terminalUpdateAcknowledged() {
        loop.assertOnLoop()
        handle(.terminalAcknowledged)
    }

    // MARK: - Event processing

    private func handle(_ event: TaskLifecycle.Event) {
        pendingEvents.append(event)
        guard !isHandling else { return }
        isHandling = true
        defer { isHandling = false }
        while !pendingEvents.isEmpty {
            let next = pendingEvents.removeFirst()
            guard let actions = lifecycle?.handle(next) else { continue }
            for action in actions { perform(action) }
        }
    }

    // MARK: - Actions

    private func perform(_ action: TaskLifecycle.Action) {
        guard let spec else {
            // Only a rejected task has no spec: its actions are reports and the end.
            if case .report(let update) = action { reporter.report(update) }
            if case .finish = action { finish() }
            return
        }
        switch action {
        case .report(let update):
            reporter.report(update)
        case .checkImage:
            engine.imageExists(spec.image) { [self] result in
                switch result {
                case .success(let present): handle(.imageChecked(present: present))
                case .failure(let error): handle(.imageCheckFailed(error))
                }
            }
        case .pull:
            let credential = configuration.credentials.credential(
                for: spec.image, fallbackServer: configuration.settings.dockerRepository)
            Log.info("Pulling \(spec.image)\(credential.map { " with the \($0)" } ?? " anonymously").")
            engine.pullImage(spec.image, credential: credential) { [self] result in
                switch result {
                case .success: handle(.pulled)
                case .failure(let error): handle(.pullFailed(error))
                }
            }
        case .create:
            // The resolved body goes to the engine only: `spec` keeps the vault:// references.
            configuration.secrets.resolve(spec.body) { [self] resolved in
                guard case .success(let body) = resolved else {
                    if case .failure(let error) = resolved { handle(.createFailed(.secrets(error.message))) }
                    return
                }
                engine.createContainer(name: spec.name, body: body) { [self] result in
                    switch result {
                    case .success(let containerID):
                        Log.info("Created container \(containerID.prefix(12)) (\(spec.name)).")
                        handle(.created(containerID: containerID))
                    case .failure(let error): handle(.createFailed(error))
                    }
                }
            }
        case .armWait(let containerID, .notRunning):
            // Re-registering after a broken wait: give a restarting engine time to come back.
            let delay = min(configuration.waitRetryDelay * (1 << min(waitRetries, 4)), .seconds(8))
            waitRetries += 1
            waitRetryTimer?.cancel()
            let rearm = LoopBound({ [self] in armWait(containerID, condition: .notRunning) }, loop: loop)
            waitRetryTimer = loop.schedule(after: delay) { rearm.value() }
        case .armWait(let containerID, let condition):
            armWait(containerID, condition: condition)
        case .cancelWait:
            waitHandle?.cancel()
            waitHandle = nil
        case .start(let containerID):
            engine.startContainer(id: containerID) { [self] result in
                switch result {
                case .success:
                    Log.info("Started container \(containerID.prefix(12)).")
                    handle(.started)
                case .failure(let error): handle(.startFailed(error))
                }
            }
        case .inspectExit(let containerID):
            engine.inspectContainer(id: containerID) { [self] result in
                switch result {
                case .success(let details): handle(.exitInspected(oomKilled: details.oomKilled))
                case .failure(let error):
                    // Without the engine's word the exit is reported as what it looks like: a SIGKILL.
                    Log.warning("Inspecting container \(containerID.prefix(12)) after its exit failed: \(error)")
                    handle(.exitInspected(oomKilled: false))
                }
            }
        case .inspect(let containerID):
            engine.inspectContainer(id: containerID) { [self] result in
                switch result {
                case .success(let details): handle(.inspected(details))
                case .failure(let error):
                    Log.warning("Inspecting container \(containerID.prefix(12)) failed: \(error)")
                    handle(.inspectFailed(error))
                }
            }
        case .followLogs(let containerID):
            followLogs(containerID, tty: spec.hasTTY, since: nil)
        case .startHealth(let containerID):
            health?.start(
                containerID: containerID,
                onVerdictChange: { [self] healthy in handle(.healthChanged(healthy: healthy)) },
                onFailure: { [self] message in handle(.healthFailed(message: message)) })
        case .drain:
            health?.drain { [self] in handle(.drained) }
        case .stop(let containerID, let grace):
            Log.info("Stopping container \(containerID.prefix(12)) with a grace period of \(grace.shortDescription).")
            engine.stopContainer(id: containerID, grace: grace) { [self] result in
                if case .failure(let error) = result {
                    Log.warning("Stopping container \(containerID.prefix(12)) failed: \(error)")
                    handle(.stopFailed(error))
                }
            }
        case .kill(let containerID):
            engine.killContainer(id: containerID) { result in
                if case .failure(let error) = result {
                    Log.error("Killing container \(containerID.prefix(12)) failed: \(error)")
                }
            }
        case .containerExited:
            health?.containerExited()
        case .remove(let containerID):
            engine.removeContainer(id: containerID) { [self] result in
                if case .failure(let error) = result {
                    Log.warning("Removing container \(containerID.prefix(12)) failed: \(error)")
                } else {
                    Log.info("Removed container \(containerID.prefix(12)).")
                }
                handle(.removed)
            }
        case .finish:
            finish()
        }
    }

    private func armWait(_ containerID: String, condition: WaitCondition) {
        waitHandle?.cancel()
        waitHandle = engine.waitForExit(
            containerID: containerID, condition: condition, onWaiting: { [self] in handle(.waiting) },
            completion: { [self] result in
                waitHandle = nil
                switch result {
                case .success(let exit):
                    Log.info("Container \(containerID.prefix(12)) exited with status \(exit.statusCode).")
                    handle(.exited(exit))
                case .failure(let error):
                    Log.warning("Waiting for container \(containerID.prefix(12)) failed: \(error)")
                    handle(.waitFailed(error))
                }
            })
    }

    /// Follows the container's output into the log sink. A stream that breaks while the container may still run
    /// (the engine restarting) is followed again after a growing pause, from the moment the last output arrived,
    /// so nothing is repeated; output arriving resets the count of attempts.
    private func followLogs(_ containerID: String, tty: Bool, since: Double?) {
        logHandle = engine.followLogs(
            containerID: containerID, tty: tty, since: since,
            onOutput: { [self] stream, bytes in
                lastLogOutput = WallClock.now()
                logRetries = 0
                logSink.write(bytes, to: stream)
            },
            onEnd: { [self] error in
                logHandle = nil
                guard let error else { return }
                Log.warning("Following the logs of \(containerID.prefix(12)) ended: \(error)")
                guard !isTerminal, logRetries < Self.maxLogRetries else { return }
                let delay = min(configuration.waitRetryDelay * (1 << min(logRetries, 4)), .seconds(8))
                logRetries += 1
                let refollow = LoopBound(
                    { [self] in followLogs(containerID, tty: tty, since: lastLogOutput) }, loop: loop)
                logRetryTimer = loop.schedule(after: delay) { refollow.value() }
            })
    }

    private func finish() {
        waitRetryTimer?.cancel()
        waitRetryTimer = nil
        logRetryTimer?.cancel()
        logRetryTimer = nil
        health?.stop()
        health = nil
        waitHandle?.cancel()
        waitHandle = nil
        logHandle?.cancel()
        logHandle = nil
        onFinished()
    }

    /// The create body with secret-looking environment values hidden, for the debug log.
    static func redacted(_ body: JSONValue) -> JSONValue {
        guard var object = body.objectValue, let environment = object["Env"]?.arrayValue else { return body }
        object["Env"] = .array(environment.map { $0.stringValue.map { .string(Redaction.environmentEntry($0)) } ?? $0 })
        return .object(object)
    }
}
