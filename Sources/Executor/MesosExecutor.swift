import EventLoop

/// The executor: wires the agent connection to the task layer and performs what `ExecutorLifecycle` (the exit
/// policy) decides: starting, stopping and releasing runners, the fail-safe, shutdown and cleanup timers, the exit.
///
/// The type is not called `Executor`: that is the module's name, and Swift's concurrency library has a protocol of
/// that name too. Confined to the event loop. Events raised while actions are being performed (a runner may report
/// synchronously) are queued and handled afterwards, so the actions of one event always run in order.
final class MesosExecutor: AgentConnectionDelegate, StatusReporter, @unchecked Sendable {
    struct Settings: Sendable {
        /// The longest the executor waits to exit once it has nothing left to do but be acknowledged.
        var exitFailSafe: Duration = .seconds(60)
        /// Taken off the agent's shutdown grace period for a SHUTDOWN, so the terminal update is out and the container
        /// removed before the agent kills the executor.
        var shutdownReserve: Duration = .seconds(2)
        /// The longest the removal of the containers may take before a fail-safe exit.
        var cleanupLimit: Duration = .seconds(10)

        init() {}
    }

    static let taskGroupsUnsupported = ExecutorLifecycle.taskGroupsUnsupported

    let loop: EventLoop
    let connection: AgentConnection
    let settings: Settings
    private let makeRunner: (TaskRunnerContext) -> any TaskRunner
    private let exit: (Int32) -> Void

    private var lifecycle: ExecutorLifecycle
    private var runners: [String: any TaskRunner] = [:]
    /// TaskInfos of LAUNCHes being decided on, by task id.
    private var launching: [String: JSONValue] = [:]
    private var subscribedInfo: SubscribedInfo?
    private var failSafeTimer: ScheduledTimer?
    private var shutdownDeadlineTimer: ScheduledTimer?
    private var cleanupLimitTimer: ScheduledTimer?
    private let events = EventFunnel<ExecutorLifecycle.Event>()
    /// What the tasks' terminal updates give as the reason for a shutdown (the first cause given wins).
    private var shutdownCause = TaskLifecycle.ShutdownCause.executorShuttingDown

    /// - Parameters:
    ///   - makeRunner: makes the runner of an accepted task.
    ///   - exit: ends the process with a status (tests record it instead).
    init(
        loop: EventLoop, connection: AgentConnection, settings: Settings = Settings(),
        makeRunner: @escaping (TaskRunnerContext) -> any TaskRunner, exit: @escaping (Int32) -> Void
    ) {
        self.loop = loop
        self.connection = connection
        self.settings = settings
        self.makeRunner = makeRunner
        self.exit = exit
        lifecycle = ExecutorLifecycle(
            settings: .init(
                shutdownGracePeriod: connection.environment.shutdownGracePeriod, exitFailSafe: settings.exitFailSafe,
                shutdownReserve: settings.shutdownReserve, cleanupLimit: settings.cleanupLimit))
        connection.delegate = self
    }

    /// Connects to the agent; everything else follows from its events.
    func start() {
        loop.assertOnLoop()
        connection.start()
    }

    /// A signal (SIGTERM, SIGINT, SIGHUP, SIGUSR1), or the executor's own `cause` (the AWS credentials' lease
    /// ending): behave as on SHUTDOWN; the task's terminal update names the cause.
    func terminate(cause: TaskLifecycle.ShutdownCause = .executorShuttingDown) {
        loop.assertOnLoop()
        Log.info("Terminating: stopping the task as for a SHUTDOWN")
        if shutdownCause == .executorShuttingDown { shutdownCause = cause }
        handle(.shutdown)
    }

    // MARK: - StatusReporter (the runners report through the executor)

    func report(_ update: TaskStatusUpdate) {
        loop.assertOnLoop()
        connection.report(update)
        if update.state.isTerminal {
            handle(.terminalReported(taskID: update.taskID))
        }
    }

    // MARK: - AgentConnectionDelegate

    func agentConnection(_ connection: AgentConnection, didSubscribe info: SubscribedInfo) {
        subscribedInfo = info
    }

    func agentConnection(_ connection: AgentConnection, didReceive event: ExecutorEvent) {
        switch event {
        case .launch(let task):
            launching[task.taskID] = task.taskInfo
            handle(.launch(taskID: task.taskID))
            // Decided (a LAUNCH raised while another event's actions run waits in the queue, and keeps its TaskInfo).
            if !events.isDraining { launching[task.taskID] = nil }
        case .launchGroup(let group):
            handle(.launchGroup(taskIDs: group.map(\.taskID)))
        case .kill(let taskID, let gracePeriod):
            handle(.kill(taskID: taskID, grace: gracePeriod))
        case .shutdown:
            Log.info("The agent asked the executor to shut down")
            handle(.shutdown)
        case .message(let data):
            Log.info("Ignoring a \(data.count)-byte message from the scheduler")
        case .error(let message):
            Log.error("The agent reported an error: \(message)")
        case .subscribed, .acknowledged, .heartbeat, .unknown:
            break
        }
    }

    func agentConnection(_ connection: AgentConnection, didAcknowledge status: TaskStatus) {
        guard status.update.state.isTerminal else { return }
        handle(.terminalAcknowledged(taskID: status.taskID))
    }

    func agentConnection(_ connection: AgentConnection, didDeliver status: TaskStatus) {
        guard status.update.state.isTerminal else { return }
        handle(.terminalDelivered(taskID: status.taskID))
    }

    func agentConnection(_ connection: AgentConnection, didReject status: TaskStatus, answer: String) {
        let update = status.update
        Log.error(
            "The agent refused the \(update.state.rawValue) update \(status.uuid) of task \(update.taskID) for good "
                + "(\(answer)); it will never be acknowledged, so the task is stopped and the executor exits 1")
        handle(.updateRejected(taskID: update.taskID, terminal: update.state.isTerminal))
    }

    func agentConnection(_ connection: AgentConnection, didGiveUp reason: String) {
        handle(.agentLost)
    }

    // MARK: - The lifecycle

    private func handle(_ event: ExecutorLifecycle.Event) {
        events.submit(event) { next in
            for action in lifecycle.handle(next) { perform(action) }
        }
    }

    private func perform(_ action: ExecutorLifecycle.Action) {
        switch action {
        case .startRunner(let taskID):
            guard let taskInfo = launching[taskID] else { return }
            let context = TaskRunnerContext(
                reporter: self, sendsKillingState: subscribedInfo?.hasTaskKillingState ?? false,
                onFinished: { [weak self] in self?.handle(.runnerFinished(taskID: taskID)) })
            let runner = makeRunner(context)
            runners[taskID] = runner
            runner.launch(taskInfo: taskInfo)
        case .rejectTask(let taskID, let message, let reason):
            Log.warning("Rejecting task \(taskID): \(message)")
            report(TaskStatusUpdate(taskID: taskID, state: .failed, message: message, reason: reason))
        case .killRunner(let taskID, let grace):
            runners[taskID]?.kill(gracePeriod: grace)
        case .shutDownRunner(let taskID, let grace):
            runners[taskID]?.shutdown(grace: grace, cause: shutdownCause)
        case .releaseRunner(let taskID):
            runners[taskID]?.terminalUpdateAcknowledged()
        case .cleanUpRunner(let taskID):
            runners[taskID]?.cleanUpBeforeExit()
        case .armFailSafe(let limit):
            failSafeTimer = schedule(after: limit, .failSafeFired)
        case .armShutdownDeadline(let limit):
            shutdownDeadlineTimer = schedule(after: limit, .shutdownDeadlineFired)
        case .armCleanupLimit(let limit):
            cleanupLimitTimer = schedule(after: limit, .cleanupLimitFired)
        case .warn(let message):
            Log.warning(message)
        case .exit(let status, let reason):
            if status == 0 { Log.info(reason) } else { Log.error(reason) }
            for timer in [failSafeTimer, shutdownDeadlineTimer, cleanupLimitTimer] { timer?.cancel() }
            failSafeTimer = nil
            shutdownDeadlineTimer = nil
            cleanupLimitTimer = nil
            connection.stop()
            exit(status)
        }
    }

    private func schedule(after limit: Duration, _ event: ExecutorLifecycle.Event) -> ScheduledTimer {
        loop.schedule(after: limit) { [weak self] in self?.handle(event) }
    }
}
