import EventLoop

/// Runs one task's container: performs the actions of its `TaskLifecycle` against the Docker engine, the health
/// checker and the status reporter, and feeds the outcomes back as events.
///
/// Confined to the event loop: every method and every callback runs on it. Events raised while actions are being
/// performed (a fake engine may answer synchronously) are queued and handled afterwards, so that the actions of
/// one event always run in order and the lifecycle never re-enters itself.
final class TaskSupervisor: @unchecked Sendable {
    // @unchecked: all state is touched on the loop only.

    /// Consecutive broken log streams followed again (an engine restart breaks one; a broken engine, every one).
    static let maxLogRetries = ContainerLogFollower.maxRetries

    let settings: Settings
    private let loop: EventLoop
    /// Internal (not private) for the launch calls in `TaskSupervisor+Launching.swift`, as is `handle(_:)`.
    let engine: any DockerEngine
    private let reporter: any StatusReporter
    private let logSink: any ContainerLogSink
    private let makeHealthChecking: ([String: String]) -> any TaskHealthChecking
    private let makeChecks: ((TaskInfo) -> (any TaskChecking)?)?
    private let onFinished: () -> Void

    private(set) var taskID: String?
    private var task: TaskInfo?
    private var spec: ContainerSpec?
    private var lifecycle: TaskLifecycle?
    private var health: (any TaskHealthChecking)?
    /// The TaskInfo's own health check and check, when it has them.
    private var checks: (any TaskChecking)?
    /// `max_completion_time`, armed at launch.
    private var completionTimer: ScheduledTimer?
    private var waitHandle: (any DockerStreamHandle)?
    private var logs: ContainerLogFollower?
    private var waitRetryTimer: ScheduledTimer?
    private var waitRetries = 0
    private var killRetryTimer: ScheduledTimer?
    /// When the first stop was asked of the engine (monotonic), for a later KILL that shortens it.
    private var stopStartedAt: Duration?
    private var logRelay: LogRelay?
    private let events = EventFunnel<TaskLifecycle.Event>()

    /// - Parameters:
    ///   - makeHealthChecking: the health checker for the task's labels (`SidecarDiscover=false` turns it off).
    ///   - makeChecks: the TaskInfo's own checks; nil: `MesosTaskChecks` over the engine.
    ///   - onFinished: called once nothing is left to do: the terminal update was acknowledged and the container
    ///     removed (or kept). The executor may exit then.
    init(
        settings: Settings,
        loop: EventLoop,
        engine: any DockerEngine,
        reporter: any StatusReporter,
        logSink: any ContainerLogSink,
        makeHealthChecking: @escaping ([String: String]) -> any TaskHealthChecking,
        makeChecks: ((TaskInfo) -> (any TaskChecking)?)? = nil,
        onFinished: @escaping () -> Void
    ) {
        self.settings = settings
        self.loop = loop
        self.engine = engine
        self.reporter = reporter
        self.logSink = logSink
        self.makeHealthChecking = makeHealthChecking
        self.makeChecks = makeChecks
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
        Log.debug("Task \(taskID): TaskInfo \(TaskInfoRedaction.redacted(raw).jsonString)")
        let executor = settings.executor
        do throws(TaskInfoError) {
            let task = try TaskInfo.parse(raw)
            let containerSettings = ContainerSpec.Settings(
                forceCPULimit: executor.forceCPULimit, forceMemoryLimit: executor.forceMemoryLimit,
                useCPUShares: executor.useCPUShares, hostCPUCount: settings.hostCPUCount,
                sandboxDirectory: settings.sandboxDirectory, taskHost: executor.taskHost,
                strictParameters: executor.strictParameters)
            let spec = try ContainerSpec.make(task: task, settings: containerSettings)
            self.task = task
            self.spec = spec
            checks = makeChecks.map { $0(task) } ?? MesosTaskChecks.make(for: task, loop: loop, engine: engine)
            lifecycle = TaskLifecycle(
                settings: .init(
                    taskID: taskID, image: spec.image.text, forcePull: spec.forcePull,
                    sendsKillingState: settings.sendsKillingState, keepContainers: executor.keepContainers,
                    defaultGrace: task.killGracePeriod ?? executor.killTaskTimeout,
                    healthCheckSetsHealthy: checks?.setsHealthy ?? false,
                    killRetryDelay: settings.killRetryDelay))
            health = makeHealthChecking(spec.taskLabels)
            armCompletionTimer(task.maxCompletionTime)
            Log.info("Launching task \(taskID) as container \(spec.name) from image \(spec.image).")
            for warning in spec.warnings { Log.warning("Task \(taskID): \(warning)") }
            Log.debug("Task \(taskID): create body \(Redaction.createBody(spec.body).jsonString)")
            // The relay is dialled before anything else: a destination it cannot reach fails the task at once.
            LogRelay.openIfEnabled(executor.relay, loop: loop, stdout: settings.outputs?.stdout) { [self] in
                // A task killed while the relay's host name was being resolved has no use for it.
                logRelay = isTerminal ? nil : try? $0.get()
                if case .failure(let error) = $0 {
                    handle(.rejected(.logRelay(error.description)))
                } else {
                    handle(.launch)
                }
            }
        } catch {
            Log.error("Task \(taskID) cannot run: \(error)")
            lifecycle = TaskLifecycle(settings: .init(taskID: taskID, image: ""))
            handle(.rejected(error))
        }
    }

    /// The agent's KILL. The grace is the KILL's kill policy, else the task's, else EXECUTOR_KILL_TASK_TIMEOUT. A
    /// later KILL with a shorter grace shortens a stop under way.
    func kill(gracePeriod: Duration?) {
        loop.assertOnLoop()
        let grace = gracePeriod ?? task?.killGracePeriod ?? settings.executor.killTaskTimeout
        Log.info("Task \(taskID ?? "?"): kill requested with a grace period of \(grace.shortDescription).")
        let elapsed = stopStartedAt.map { EventLoop.monotonicNow() - $0 } ?? .zero
        handle(.kill(grace: grace, elapsed: elapsed))
    }

    /// SHUTDOWN from the agent, SIGTERM/SIGINT, or the executor's own `cause`: stop the container within `grace`
    /// and send the terminal update.
    func shutdown(grace: Duration, cause: TaskLifecycle.ShutdownCause = .executorShuttingDown) {
        loop.assertOnLoop()
        Log.info("Task \(taskID ?? "?"): shutting down with a grace period of \(grace.shortDescription).")
        handle(.shutdown(grace: grace, cause: cause))
    }

    /// The terminal update is settled (acknowledged, refused or undeliverable): the container may go.
    func terminalUpdateAcknowledged() {
        loop.assertOnLoop()
        handle(.terminalAcknowledged)
    }

    /// The executor exits without waiting any longer: stop and remove the container now.
    func cleanUpBeforeExit() {
        loop.assertOnLoop()
        Log.info("Task \(taskID ?? "?"): the executor is exiting; removing the container now.")
        handle(.cleanUpBeforeExit)
    }

    // MARK: - Event processing

    func handle(_ event: TaskLifecycle.Event) {
        events.submit(event) { next in
            guard let actions = lifecycle?.handle(next) else { return }
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
            checkImage(spec)
        case .pull:
            pull(spec)
        case .create:
            create(spec)
        case .armWait(let containerID, .notRunning):
            // Re-registering after a broken wait: give a restarting engine time to come back.
            let delay = min(settings.waitRetryDelay * (1 << min(waitRetries, 4)), .seconds(8))
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
            start(containerID)
        case .inspectExit(let containerID):
            inspectExit(containerID)
        case .inspect(let containerID):
            inspect(containerID)
        case .followLogs(let containerID):
            logRelay?.start(containerID: containerID, createBody: spec.body)
            logs = ContainerLogFollower(
                loop: loop, engine: engine, sink: logRelay.map { RelayingLogSink(logSink, relay: $0) } ?? logSink,
                containerID: containerID, tty: spec.hasTTY, retryDelay: settings.waitRetryDelay,
                mayRetry: { [weak self] in self.map { !$0.isTerminal } ?? false })
            logs?.start()
        case .startHealth(let containerID):
            health?.start(
                containerID: containerID,
                onVerdictChange: { [self] healthy in handle(.healthChanged(healthy: healthy)) },
                onFailure: { [self] message in handle(.healthFailed(message: message)) })
            checks?.start(
                containerID: containerID, onReport: { [self] report in handle(.checkReported(report)) },
                onKill: { [self] message in handle(.healthCheckKill(message: message)) })
        case .drain:
            health?.drain { [self] in handle(.drained) }
        case .stop(let containerID, let grace):
            checks?.stop()
            Log.info("Stopping container \(containerID.prefix(12)) with a grace period of \(grace.shortDescription).")
            if stopStartedAt == nil { stopStartedAt = EventLoop.monotonicNow() }
            engine.stopContainer(id: containerID, grace: grace) { [self] result in
                if case .failure(let error) = result {
                    Log.warning("Stopping container \(containerID.prefix(12)) failed: \(error)")
                    handle(.stopFailed(error))
                }
            }
        case .kill(let containerID):
            killContainer(containerID)
        case .scheduleKillRetry(let pause):
            Log.warning("Killing container \(spec.name) again in \(pause.shortDescription).")
            let retry = LoopBound({ [self] in handle(.killRetryDue) }, loop: loop)
            killRetryTimer = loop.schedule(after: pause) { retry.value() }
        case .containerExited:
            health?.containerExited()
            checks?.stop()
        case .remove(let containerID):
            removeContainer(containerID)
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

    private func finish() {
        waitRetryTimer?.cancel()
        waitRetryTimer = nil
        killRetryTimer?.cancel()
        killRetryTimer = nil
        health?.stop()
        health = nil
        checks?.stop()
        checks = nil
        completionTimer?.cancel()
        completionTimer = nil
        waitHandle?.cancel()
        waitHandle = nil
        logs?.stop()
        logs = nil
        logRelay?.close()
        logRelay = nil
        onFinished()
    }

    /// Kills the task when `limit` (its max_completion_time) runs out, counted from the launch as Mesos does.
    private func armCompletionTimer(_ limit: Duration?) {
        guard let limit else { return }
        let reached = LoopBound(
            { [self] in
                Log.warning("Task \(taskID ?? "?") ran past its max_completion_time of \(limit.shortDescription).")
                handle(.maxCompletionTimeReached(limit: limit))
            }, loop: loop)
        completionTimer = loop.schedule(after: limit) { reached.value() }
    }
}
