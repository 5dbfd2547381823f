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

/// The executor's link to its Mesos agent (v1 executor HTTP API): the SUBSCRIBE event stream on one connection,
/// calls on a second, keep-alive one; reconnection and resubscription; the bookkeeping that makes sure no status
/// update is lost.
///
/// The lifecycle rules are in `AgentConnectionState`, the acknowledgement rules in `TaskStatusLedger`; this class
/// does the I/O they ask for. Updates are POSTed one at a time in the order reported; a retriable answer (403, 404,
/// 429, 5xx) is retried after `callRetryInterval`; a connection failure or a call left unanswered is a disconnect,
/// after which the resubscription carries every unacknowledged update with its original uuid.
///
/// Confined to the event loop: call everything on it.
final class AgentConnection: StatusReporter, @unchecked Sendable {
    /// Timings that do not come from the agent's environment; tests shorten them.
    struct Settings: Sendable {
        /// Between two SUBSCRIBEs answered 503 or 404 (the HTTP command executor's 1 s).
        var subscribeRetryInterval: Duration = .seconds(1)
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

    let loop: EventLoop
    let environment: AgentEnvironment
    let settings: Settings
    weak var delegate: (any AgentConnectionDelegate)?

    var state: AgentConnectionState
    var ledger = TaskStatusLedger()
    /// SUBSCRIBED's facts, once subscribed.
    private(set) var subscribedInfo: SubscribedInfo?
    /// Bumped for every connection attempt: callbacks of an earlier attempt see a different value and do nothing.
    var attempt = 0
    var subscribeChannel: AgentChannel?
    var callChannel: AgentChannel?
    var eventDecoder: ExecutorEventStreamDecoder
    /// Stream bytes not yet decoded: a record may span body pieces.
    var streamBuffer = ByteBuffer()
    var reconnectTimer: ScheduledTimer?
    var recoveryTimer: ScheduledTimer?
    var responseTimer: ScheduledTimer?
    var callRetryTimer: ScheduledTimer?
    var heartbeatTimer: ScheduledTimer?
    var callInFlight = false
    var heartbeatDue = false
    var pendingMessages: [[UInt8]] = []

    init(loop: EventLoop, environment: AgentEnvironment, settings: Settings = Settings()) {
        self.loop = loop
        self.environment = environment
        self.settings = settings
        state = AgentConnectionState(checkpoint: environment.checkpoint)
        eventDecoder = ExecutorEventStreamDecoder(maxEventBytes: settings.maxEventBytes)
    }

    /// Connects and subscribes.
    func start() {
        loop.assertOnLoop()
        apply(state.handle(.start))
    }

    /// Closes both connections and cancels every timer; nothing is reported afterwards.
    func stop() {
        loop.assertOnLoop()
        heartbeatTimer?.cancel()
        heartbeatTimer = nil
        apply(state.handle(.stop))
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
        pumpCalls()
    }

    /// Sends data to the scheduler (best effort: dropped if the agent rejects it).
    func sendMessage(_ data: [UInt8]) {
        loop.assertOnLoop()
        pendingMessages.append(data)
        pumpCalls()
    }

    // MARK: - Actions

    func apply(_ actions: [AgentConnectionState.Action]) {
        for action in actions {
            switch action {
            case .sendSubscribe:
                openChannels()
            case .closeConnections:
                closeChannels()
            case .scheduleReconnect(let delay):
                let wait = delay == .subscribeRetry ? settings.subscribeRetryInterval : randomBackoff()
                Log.info("Subscribing to the agent again in \(wait)")
                reconnectTimer?.cancel()
                reconnectTimer = loop.schedule(after: wait) { [weak self] in
                    guard let self else { return }
                    reconnectTimer = nil
                    apply(state.handle(.reconnectTimerFired))
                }
            case .startRecoveryTimer:
                recoveryTimer = loop.schedule(after: environment.recoveryTimeout) { [weak self] in
                    guard let self else { return }
                    recoveryTimer = nil
                    apply(state.handle(.recoveryTimerFired))
                }
            case .cancelRecoveryTimer:
                recoveryTimer?.cancel()
                recoveryTimer = nil
            case .cancelReconnectTimer:
                reconnectTimer?.cancel()
                reconnectTimer = nil
            case .didSubscribe:
                Log.info("Subscribed to the agent \(subscribedInfo?.agentID ?? "?") at \(environment.agentEndpoint)")
                startHeartbeats()
                if let subscribedInfo {
                    delegate?.agentConnection(self, didSubscribe: subscribedInfo)
                }
                pumpCalls()
            case .giveUp(let reason):
                Log.error("Giving up on the agent: \(reason)")
                heartbeatTimer?.cancel()
                heartbeatTimer = nil
                delegate?.agentConnection(self, didGiveUp: reason)
            }
        }
    }

    func disconnect(_ reason: String) {
        Log.warning("Disconnected from the agent at \(environment.agentEndpoint): \(reason)")
        apply(state.handle(.disconnected(reason: reason)))
    }

    private func randomBackoff() -> Duration {
        let limit = max(0, environment.subscriptionBackoffMax.nanosecondsValue)
        return .nanoseconds(Int64.random(in: 0...limit))
    }

    private func startHeartbeats() {
        guard heartbeatTimer == nil, let interval = settings.heartbeatInterval else { return }
        heartbeatTimer = loop.scheduleRepeating(every: interval) { [weak self] in
            guard let self else { return }
            heartbeatDue = true
            pumpCalls()
        }
    }

    // MARK: - Connections

    private func openChannels() {
        attempt += 1
        let generation = attempt
        eventDecoder = ExecutorEventStreamDecoder(maxEventBytes: settings.maxEventBytes)
        streamBuffer = ByteBuffer()
        for isSubscribe in [true, false] {
            AgentChannel.open(to: environment.agentEndpoint, on: loop, timeout: settings.connectTimeout) {
                [weak self] result in
                self?.channelOpened(result, isSubscribe: isSubscribe, generation: generation)
            }
        }
    }

    private func channelOpened(_ result: Result<AgentChannel, SocketError>, isSubscribe: Bool, generation: Int) {
        guard generation == attempt, state.phase == .connecting else {
            if case .success(let channel) = result { channel.close() }
            return
        }
        let channel: AgentChannel
        switch result {
        case .failure(let error):
            disconnect("\(error)")
            return
        case .success(let opened):
            channel = opened
        }
        channel.onFailure = { [weak self] reason in
            guard let self, generation == attempt else { return }
            disconnect((isSubscribe ? "the event stream: " : "the call connection: ") + reason)
        }
        if isSubscribe {
            subscribeChannel = channel
        } else {
            callChannel = channel
        }
        if subscribeChannel != nil && callChannel != nil {
            sendSubscribe(generation: generation)
        }
    }

    func closeChannels() {
        subscribeChannel?.close()
        subscribeChannel = nil
        callChannel?.close()
        callChannel = nil
        streamBuffer = ByteBuffer()
        responseTimer?.cancel()
        responseTimer = nil
        callRetryTimer?.cancel()
        callRetryTimer = nil
        callInFlight = false
    }

    /// An HTTP request for `call`, with exactly the headers the agent wants.
    func request(for call: ExecutorCall) -> HTTPRequest {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "Accept": "application/json"]
        if let token = environment.authenticationToken {
            headers.add("Authorization", token.authorizationHeaderValue)
        }
        let body = call.json(frameworkID: environment.frameworkID, executorID: environment.executorID).serialized()
        return HTTPRequest(method: .post, target: "/api/v1/executor", headers: headers, body: body)
    }

    /// Arms the timer that turns a missing answer into a disconnect.
    func armResponseTimer(_ what: String, generation: Int) {
        responseTimer?.cancel()
        let timeout = settings.responseTimeout
        responseTimer = loop.schedule(after: timeout) { [weak self] in
            guard let self, generation == attempt else { return }
            responseTimer = nil
            disconnect("the agent did not answer \(what) within \(timeout)")
        }
    }

    // MARK: - Events

    func dispatch(_ event: ExecutorEvent) {
        switch event {
        case .subscribed(let info):
            subscribedInfo = info
            apply(state.handle(.subscribedReceived))
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
            pumpCalls()
        case .heartbeat:
            Log.debug("Heartbeat from the agent")
        case .unknown(let type):
            Log.warning("Ignoring an event of unknown type \(type) from the agent")
        case .kill, .message, .shutdown, .error:
            delegate?.agentConnection(self, didReceive: event)
        }
    }
}
