import EventLoop

/// The SUBSCRIBE side of the agent connection: the lifecycle (`AgentConnectionState`), its reconnect and recovery
/// timers, and each attempt's two TCP connections. The event stream stays here; the call connection, opened with it,
/// is handed over on SUBSCRIBED.
///
/// An attempt counts as subscribed only once the first event is a SUBSCRIBED carrying `agent_info`, `executor_info`
/// and `framework_info`; anything else on a 200 stream is a protocol error (typically a peer that is not the agent's
/// executor API), logged as such and handled as a failed attempt. The one exception is a stream that carries only
/// SHUTDOWN: the agent answers so when the framework or the executor is being torn down, and the executor must obey.
///
/// Confined to the event loop.
final class AgentSubscription: @unchecked Sendable {
    /// What the subscription tells its owner; all set before `start()`.
    struct Hooks {
        /// The SUBSCRIBE call to send now (it carries whatever is unacknowledged).
        var subscribeCall: () -> ExecutorCall = { .subscribe(unacknowledgedTasks: [], unacknowledgedUpdates: []) }
        /// Subscribed: the facts, and the call connection to POST on from now on.
        var subscribed: (SubscribedInfo, AgentChannel) -> Void = { _, _ in }
        /// Every event after SUBSCRIBED, and a SHUTDOWN that came instead of it.
        var event: (ExecutorEvent) -> Void = { _ in }
        /// Both connections are gone (a disconnect, a stop, giving up).
        var closed: () -> Void = {}
        /// Lost the agent for good.
        var gaveUp: (String) -> Void = { _ in }
    }

    private let loop: EventLoop
    private let environment: AgentEnvironment
    private let settings: AgentConnection.Settings
    private let requests: AgentRequests
    private let schedule: ResubscribeSchedule
    var hooks = Hooks()

    private var state: AgentConnectionState
    /// Bumped for every attempt: callbacks of an earlier attempt see a different value and do nothing.
    private var attempt = 0
    private var streamChannel: AgentChannel?
    private var callChannel: AgentChannel?
    private var decoder: ExecutorEventStreamDecoder
    /// Stream bytes not yet decoded: a record may span body pieces.
    private var streamBuffer = ByteBuffer()
    private var reconnectTimer: ScheduledTimer?
    private var recoveryTimer: ScheduledTimer?
    private var headTimer: ScheduledTimer?

    init(loop: EventLoop, environment: AgentEnvironment, settings: AgentConnection.Settings) {
        self.loop = loop
        self.environment = environment
        self.settings = settings
        requests = AgentRequests(environment: environment)
        schedule = ResubscribeSchedule(
            floor: settings.resubscribeFloor, ceiling: settings.resubscribeCeiling,
            backoffMax: environment.subscriptionBackoffMax)
        state = AgentConnectionState(checkpoint: environment.checkpoint)
        decoder = ExecutorEventStreamDecoder(maxEventBytes: settings.maxEventBytes)
    }

    var isSubscribed: Bool { state.phase == .subscribed }

    func start() { apply(state.handle(.start)) }

    func stop() { apply(state.handle(.stop)) }

    /// Either connection failed, or an answer is missing: the attempt (or the subscription) is over.
    func disconnect(_ reason: String) {
        Log.warning("Disconnected from the agent at \(environment.agentEndpoint): \(reason)")
        apply(state.handle(.disconnected(reason: reason)))
    }

    private func apply(_ actions: [AgentConnectionState.Action]) {
        for action in actions {
            switch action {
            case .sendSubscribe:
                openChannels()
            case .closeConnections:
                closeChannels()
            case .scheduleReconnect(let failures):
                let wait = schedule.delay(afterFailures: failures, unit: Double.random(in: 0...1))
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
                break  // `subscribed(_:)` hands the facts over once the state agrees.
            case .giveUp(let reason):
                Log.error("Giving up on the agent: \(reason)")
                hooks.gaveUp(reason)
            }
        }
    }

    // MARK: - Connections

    private func openChannels() {
        attempt += 1
        let generation = attempt
        decoder = ExecutorEventStreamDecoder(maxEventBytes: settings.maxEventBytes)
        streamBuffer = ByteBuffer()
        for isStream in [true, false] {
            AgentChannel.open(to: environment.agentEndpoint, on: loop, timeout: settings.connectTimeout) {
                [weak self] result in
                self?.channelOpened(result, isStream: isStream, generation: generation)
            }
        }
    }

    private func channelOpened(_ result: Result<AgentChannel, SocketError>, isStream: Bool, generation: Int) {
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
            disconnect((isStream ? "the event stream: " : "the call connection: ") + reason)
        }
        if isStream {
            streamChannel = channel
        } else {
            callChannel = channel
        }
        if streamChannel != nil && callChannel != nil {
            sendSubscribe(generation: generation)
        }
    }

    private func closeChannels() {
        streamChannel?.close()
        streamChannel = nil
        callChannel?.close()
        callChannel = nil
        streamBuffer = ByteBuffer()
        headTimer?.cancel()
        headTimer = nil
        hooks.closed()
    }

    // MARK: - SUBSCRIBE and its stream

    private func sendSubscribe(generation: Int) {
        guard let channel = streamChannel else { return }
        let call = hooks.subscribeCall()
        if case .subscribe(let tasks, let updates) = call, !tasks.isEmpty || !updates.isEmpty {
            Log.info(
                "Resubscribing with \(tasks.count) unacknowledged task(s) and \(updates.count) unacknowledged update(s)"
            )
        }
        var status = 0
        var errorBody: [UInt8] = []
        let timeout = settings.responseTimeout
        headTimer = loop.schedule(after: timeout) { [weak self] in
            guard let self, generation == attempt else { return }
            headTimer = nil
            disconnect("the agent did not answer the SUBSCRIBE within \(timeout)")
        }
        channel.send(requests.request(for: call)) { [weak self] part in
            guard let self, generation == attempt else { return }
            switch part {
            case .head(let head):
                headTimer?.cancel()
                headTimer = nil
                status = head.status
                if status == 200 {
                    apply(state.handle(.subscribeAnswered(status: 200)))
                }
            case .body(let bytes) where status == 200:
                receiveEvents(bytes, generation: generation)
            case .body(let bytes):
                errorBody += bytes.prefix(AgentConnection.loggedBodyLimit - errorBody.count)
            case .end where status == 200:
                disconnect("the agent ended the event stream")
            case .end:
                Log.warning(
                    "The agent answered SUBSCRIBE with \(status): \(String(decoding: errorBody, as: UTF8.self))")
                apply(state.handle(.subscribeAnswered(status: status)))
            }
        }
    }

    private func receiveEvents(_ bytes: [UInt8], generation: Int) {
        streamBuffer.append(contentsOf: bytes)
        while generation == attempt, streamChannel != nil {
            let event: ExecutorEvent
            do {
                guard let next = try decoder.decode(&streamBuffer) else { return }
                event = next
            } catch {
                disconnect("\(error)")
                return
            }
            if state.phase == .subscribing {
                firstEvent(event)
            } else {
                hooks.event(event)
            }
        }
    }

    /// The first event of a 200 stream decides whether this attempt subscribed.
    private func firstEvent(_ event: ExecutorEvent) {
        switch event {
        case .subscribed(let info) where info.agentInfo != nil && info.executorInfo != nil && info.frameworkInfo != nil:
            guard let channel = callChannel else { return }
            apply(state.handle(.subscribedReceived))
            Log.info("Subscribed to the agent \(info.agentID ?? "?") at \(environment.agentEndpoint)")
            hooks.subscribed(info, channel)
        case .subscribed:
            protocolError("a SUBSCRIBED event without agent_info, executor_info and framework_info")
        case .shutdown:
            Log.warning("The agent answered SUBSCRIBE with SHUTDOWN: the framework or this executor is being torn down")
            hooks.event(event)
        default:
            protocolError("a \(event.typeName) event before SUBSCRIBED")
        }
    }

    private func protocolError(_ what: String) {
        Log.error(
            "Protocol error: the SUBSCRIBE to \(environment.agentEndpoint)\(environment.executorPath) was answered "
                + "with \(what); not subscribed")
        disconnect("protocol error: \(what)")
    }
}
