import EventLoop

/// The executor: wires the agent connection to the task layer and decides when the process exits.
///
/// One task per executor, like Mesos's own docker executor: a second LAUNCH is answered TASK_FAILED, and so is each
/// task of a LAUNCH_GROUP (task groups are for the default executor). Exit policy (the reference's §4):
/// - every task's terminal update acknowledged by the agent (and its runner finished) → exit 0 at once;
/// - SHUTDOWN → tasks stopped within the shutdown grace period minus 2 s, then the same rule; with no task, exit 0;
/// - the agent lost for good → tasks stopped, exit 1 once their terminal updates are out (they cannot be delivered);
/// - a fail-safe: once the executor starts waiting to exit (every task terminal, SHUTDOWN, or the agent lost), it
///   exits 1 after `exitFailSafe` (60 s, as the HTTP command executor) if the rules above have not let it go.
///
/// The type is not called `Executor`: that is the module's name, and Swift's concurrency library has a protocol of
/// that name too. Confined to the event loop.
final class MesosExecutor: AgentConnectionDelegate, StatusReporter, @unchecked Sendable {
    struct Settings: Sendable {
        /// The longest the executor waits to exit once it has nothing left to do but be acknowledged.
        var exitFailSafe: Duration = .seconds(60)
        /// Taken off the agent's shutdown grace period for a SHUTDOWN, so the terminal update is out before the agent
        /// destroys the container (the docker executor's reap interval plus a second).
        var shutdownReserve: Duration = .seconds(2)

        init() {}
    }

    /// What the executor knows of a task.
    private struct TaskEntry {
        /// Nil for a task rejected without running (a second LAUNCH, a LAUNCH_GROUP).
        var runner: (any TaskRunner)?
        var terminalReported = false
        var terminalAcknowledged = false
        var runnerFinished = false

        var isDone: Bool { terminalAcknowledged && (runner == nil || runnerFinished) }
    }

    static let taskGroupsUnsupported = "task groups are not supported by sidecar-executor"

    let loop: EventLoop
    let connection: AgentConnection
    let settings: Settings
    private let makeRunner: (TaskRunnerContext) -> any TaskRunner
    private let exit: (Int32) -> Void

    private var tasks: [String: TaskEntry] = [:]
    /// The task this executor runs; any other is rejected.
    private var runningTaskID: String?
    private var subscribedInfo: SubscribedInfo?
    private var shuttingDown = false
    private var gaveUp = false
    private var exited = false
    private var failSafeTimer: ScheduledTimer?

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
        connection.delegate = self
    }

    /// Connects to the agent; everything else follows from its events.
    func start() {
        loop.assertOnLoop()
        connection.start()
    }

    /// SIGTERM or SIGINT: behave as on SHUTDOWN.
    func terminate() {
        loop.assertOnLoop()
        Log.info("Terminating on a signal: stopping the task as for a SHUTDOWN")
        shutDownTasks()
    }

    // MARK: - StatusReporter (the runners report through the executor)

    func report(_ update: TaskStatusUpdate) {
        loop.assertOnLoop()
        if update.state.isTerminal, var entry = tasks[update.taskID] {
            entry.terminalReported = true
            tasks[update.taskID] = entry
        }
        connection.report(update)
        if gaveUp, update.state.isTerminal {
            // No acknowledgement can come: let the runner clean up now.
            tasks[update.taskID]?.runner?.terminalUpdateAcknowledged()
        }
        considerExit()
    }

    // MARK: - AgentConnectionDelegate

    func agentConnection(_ connection: AgentConnection, didSubscribe info: SubscribedInfo) {
        subscribedInfo = info
    }

    func agentConnection(_ connection: AgentConnection, didReceive event: ExecutorEvent) {
        guard !exited else { return }
        switch event {
        case .launch(let task):
            launch(task)
        case .launchGroup(let group):
            for task in group {
                reject(task.taskID, message: Self.taskGroupsUnsupported, reason: .taskInvalid)
            }
        case .kill(let taskID, let gracePeriod):
            guard let runner = tasks[taskID]?.runner else {
                Log.warning("Ignoring a KILL of task \(taskID), which this executor does not run")
                return
            }
            runner.kill(gracePeriod: gracePeriod)
        case .shutdown:
            Log.info("The agent asked the executor to shut down")
            shutDownTasks()
        case .message(let data):
            Log.info("Ignoring a \(data.count)-byte message from the scheduler")
        case .error(let message):
            Log.error("The agent reported an error: \(message)")
        case .subscribed, .acknowledged, .heartbeat, .unknown:
            break
        }
    }

    func agentConnection(_ connection: AgentConnection, didAcknowledge status: TaskStatus) {
        guard status.update.state.isTerminal, var entry = tasks[status.taskID], !entry.terminalAcknowledged else {
            return
        }
        entry.terminalAcknowledged = true
        tasks[status.taskID] = entry
        entry.runner?.terminalUpdateAcknowledged()
        considerExit()
    }

    func agentConnection(_ connection: AgentConnection, didGiveUp reason: String) {
        gaveUp = true
        for entry in tasks.values where entry.terminalReported {
            entry.runner?.terminalUpdateAcknowledged()
        }
        shutDownTasks()
    }

    // MARK: - Tasks

    private func launch(_ task: LaunchedTask) {
        if tasks[task.taskID] != nil {
            Log.warning("Ignoring a repeated LAUNCH of task \(task.taskID)")
            return
        }
        if shuttingDown || gaveUp {
            reject(task.taskID, message: "the executor is shutting down", reason: .executorTerminated)
            return
        }
        if let running = runningTaskID {
            reject(
                task.taskID, message: "sidecar-executor runs one task per executor, and it already runs \(running)",
                reason: .taskInvalid)
            return
        }
        runningTaskID = task.taskID
        let taskID = task.taskID
        let context = TaskRunnerContext(
            reporter: self, sendsKillingState: subscribedInfo?.hasTaskKillingState ?? false,
            onFinished: { [weak self] in self?.runnerFinished(taskID) })
        let runner = makeRunner(context)
        tasks[taskID] = TaskEntry(runner: runner)
        runner.launch(taskInfo: task.taskInfo)
    }

    private func reject(_ taskID: String, message: String, reason: TaskStatusReason) {
        guard tasks[taskID] == nil else { return }
        Log.warning("Rejecting task \(taskID): \(message)")
        tasks[taskID] = TaskEntry(runner: nil)
        report(TaskStatusUpdate(taskID: taskID, state: .failed, message: message, reason: reason))
    }

    private func runnerFinished(_ taskID: String) {
        tasks[taskID]?.runnerFinished = true
        considerExit()
    }

    private func shutDownTasks() {
        guard !exited else { return }
        shuttingDown = true
        let grace = max(.zero, connection.environment.shutdownGracePeriod - settings.shutdownReserve)
        for entry in tasks.values where !entry.terminalReported {
            entry.runner?.shutdown(grace: grace)
        }
        armFailSafe()
        considerExit()
    }

    // MARK: - Exit

    private func considerExit() {
        guard !exited else { return }
        let entries = Array(tasks.values)
        if gaveUp {
            if entries.allSatisfy({ $0.terminalReported && ($0.runner == nil || $0.runnerFinished) }) {
                finish(1, "The agent is lost and every task has stopped; exiting")
            }
            return
        }
        if entries.allSatisfy(\.terminalReported) && !entries.isEmpty {
            armFailSafe()
        }
        guard entries.allSatisfy(\.isDone), !entries.isEmpty || shuttingDown else { return }
        finish(0, "Every task's terminal update is acknowledged; exiting")
    }

    private func armFailSafe() {
        guard failSafeTimer == nil, !exited else { return }
        let limit = settings.exitFailSafe
        failSafeTimer = loop.schedule(after: limit) { [weak self] in
            self?.finish(1, "No acknowledgement of the terminal update within \(limit); exiting anyway")
        }
    }

    private func finish(_ status: Int32, _ message: String) {
        guard !exited else { return }
        exited = true
        if status == 0 {
            Log.info(message)
        } else {
            Log.error(message)
        }
        failSafeTimer?.cancel()
        failSafeTimer = nil
        connection.stop()
        exit(status)
    }
}
