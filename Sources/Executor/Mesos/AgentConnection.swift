import EventLoop

/// What the agent connection tells the executor. Called on the event loop.
protocol AgentConnectionDelegate: AnyObject {
    /// SUBSCRIBED arrived (the first time, or after a resubscription).
    func agentConnection(_ connection: AgentConnection, didSubscribe info: SubscribedInfo)
    /// LAUNCH, LAUNCH_GROUP, KILL, MESSAGE, SHUTDOWN or ERROR.
    func agentConnection(_ connection: AgentConnection, didReceive event: ExecutorEvent)
    /// The agent acknowledged `status` (it has checkpointed the update).
    func agentConnection(_ connection: AgentConnection, didAcknowledge status: TaskStatus)
    /// The agent is lost for good (no checkpointing, or the recovery timeout passed): the executor must shut down.
    func agentConnection(_ connection: AgentConnection, didGiveUp reason: String)
    /// The agent accepted the POST of `status` (202): it has the update, though it may never acknowledge it (it drops
    /// the updates of a framework being torn down).
    func agentConnection(_ connection: AgentConnection, didDeliver status: TaskStatus)
    /// The agent refused the POST of `status` for good (`answer`: its status code and body): it will never be
    /// acknowledged.
    func agentConnection(_ connection: AgentConnection, didReject status: TaskStatus, answer: String)
}

/// The executor's link to its Mesos agent (v1 executor HTTP API), and the bookkeeping that makes sure no status
/// update is lost.
///
/// Three parts, each owning its state: `AgentSubscription` (the lifecycle, the SUBSCRIBE stream, reconnection),
/// `AgentCallPipeline` (POSTing updates and heartbeats on the second connection) and, here, the `TaskStatusLedger`
/// (what is unacknowledged) and the routing of events. A failure of either connection is a disconnect, after which
/// the resubscription carries every unacknowledged update with its original uuid.
///
/// Confined to the event loop: call everything on it.
final class AgentConnection: StatusReporter, @unchecked Sendable {
    /// Timings that do not come from the agent's environment; tests shorten them.
    struct Settings: Sendable {
        /// The first wait before resubscribing after a failed attempt (`ResubscribeSchedule`).
        var resubscribeFloor: Duration = .milliseconds(20)
        /// The longest wait between two SUBSCRIBE attempts, when `MESOS_SUBSCRIPTION_BACKOFF_MAX` is not shorter.
        var resubscribeCeiling: Duration = .milliseconds(250)
        /// Before re-POSTing a call the agent answered with a retriable status.
        var callRetryInterval: Duration = .seconds(1)
        var connectTimeout: Duration = .seconds(10)
        /// How long the agent may take to answer a call or the SUBSCRIBE (its head); beyond, it counts as lost.
        var responseTimeout: Duration = .seconds(30)
        /// HEARTBEAT calls, as the C++ executor library sends them; nil sends none.
        var heartbeatInterval: Duration? = .seconds(30 * 60)
        var maxEventBytes = ExecutorEventStreamDecoder.defaultMaxEventBytes

        init() {}
    }

    /// Error bodies are only logged; a few hundred bytes say everything the agent says.
    static let loggedBodyLimit = 512

    let loop: EventLoop
    let environment: AgentEnvironment
    weak var delegate: (any AgentConnectionDelegate)?

    private var ledger = TaskStatusLedger()
    private let subscription: AgentSubscription
    private let calls: AgentCallPipeline

    init(loop: EventLoop, environment: AgentEnvironment, settings: Settings = Settings()) {
        self.loop = loop
        self.environment = environment
        subscription = AgentSubscription(loop: loop, environment: environment, settings: settings)
        calls = AgentCallPipeline(loop: loop, settings: settings, requests: AgentRequests(environment: environment))
        subscription.hooks = AgentSubscription.Hooks(
            subscribeCall: { [unowned self] in ledger.subscribeCall() },
            subscribed: { [unowned self] info, channel in
                calls.attach(channel)
                delegate?.agentConnection(self, didSubscribe: info)
            },
            event: { [unowned self] event in dispatch(event) },
            closed: { [unowned self] in calls.detach() },
            gaveUp: { [unowned self] reason in
                calls.stop()
                delegate?.agentConnection(self, didGiveUp: reason)
            })
        calls.hooks = AgentCallPipeline.Hooks(
            nextUpdate: { [unowned self] in ledger.nextToPost },
            updateSettled: { [unowned self] status, outcome in
                switch outcome {
                case .accepted:
                    ledger.posted(status.uuid)
                    delegate?.agentConnection(self, didDeliver: status)
                case .rejected(let answer):
                    ledger.rejected(status.uuid)
                    delegate?.agentConnection(self, didReject: status, answer: answer)
                }
            },
            lost: { [unowned self] reason in subscription.disconnect(reason) })
    }

    /// Connects and subscribes.
    func start() {
        loop.assertOnLoop()
        subscription.start()
    }

    /// Closes both connections and cancels every timer; nothing is reported afterwards.
    func stop() {
        loop.assertOnLoop()
        calls.stop()
        subscription.stop()
    }

    /// Whether no update and no task waits for an acknowledgement.
    var isSettled: Bool { ledger.isSettled }

    /// Sends the update to the agent (StatusReporter): it gets a fresh uuid and timestamp, then waits in the ledger
    /// until acknowledged.
    func report(_ update: TaskStatusUpdate) {
        loop.assertOnLoop()
        let status = TaskStatus(
            update: update, executorID: environment.executorID, agentID: ledger.agentID(forTask: update.taskID),
            uuid: .random(), timestamp: WallClock.now())
        ledger.record(status)
        let message = update.message.map { ": \($0)" } ?? ""
        Log.info("Task \(update.taskID) is \(update.state.rawValue)\(message) (update \(status.uuid))")
        calls.pump()
    }

    private func dispatch(_ event: ExecutorEvent) {
        switch event {
        case .subscribed:
            Log.warning("Ignoring a second SUBSCRIBED event on the same stream")
        case .launch(let task):
            ledger.launched(task)
            delegate?.agentConnection(self, didReceive: event)
        case .launchGroup(let tasks):
            for task in tasks { ledger.launched(task) }
            delegate?.agentConnection(self, didReceive: event)
        case .acknowledged(let taskID, let uuid):
            guard let status = ledger.acknowledge(taskID: taskID, uuid: uuid) else {
                Log.warning("Ignoring an acknowledgement of task \(taskID) for unknown update \(uuid)")
                return
            }
            delegate?.agentConnection(self, didAcknowledge: status)
            calls.pump()
        case .heartbeat:
            Log.debug("Heartbeat from the agent")
        case .unknown(let type):
            Log.warning("Ignoring an event of unknown type \(type) from the agent")
        case .kill, .message, .shutdown, .error:
            delegate?.agentConnection(self, didReceive: event)
        }
    }
}
