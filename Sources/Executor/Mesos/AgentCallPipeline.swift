import EventLoop

/// The call side of the agent connection: one keep-alive connection, one call in flight at a time, updates first
/// (oldest first), then a due HEARTBEAT. A retriable answer (403, 404, 429, 5xx) is retried after
/// `callRetryInterval`; a call left unanswered or the connection dropping is reported as lost, which the owner
/// turns into a disconnect (the resubscription then carries every unacknowledged update).
///
/// Confined to the event loop.
final class AgentCallPipeline: @unchecked Sendable {
    /// How a POSTed update ended.
    enum Outcome {
        case accepted
        /// Permanently: retrying cannot help. `answer` is the agent's status code and body.
        case rejected(answer: String)
    }

    /// What the pipeline asks of its owner; all set before the first `attach`.
    struct Hooks {
        /// The next update to POST, if any.
        var nextUpdate: () -> TaskStatus? = { nil }
        /// The agent answered this update for good.
        var updateSettled: (TaskStatus, Outcome) -> Void = { _, _ in }
        /// The call connection is lost: the owner disconnects.
        var lost: (String) -> Void = { _ in }
    }

    private let loop: EventLoop
    private let settings: AgentConnection.Settings
    private let requests: AgentRequests
    var hooks = Hooks()

    private var channel: AgentChannel?
    /// Bumped on every attach and detach: answers on an older connection are ignored.
    private var generation = 0
    private var inFlight = false
    private var retryTimer: ScheduledTimer?
    private var answerTimer: ScheduledTimer?
    private var heartbeatTimer: ScheduledTimer?
    private var heartbeatDue = false

    init(loop: EventLoop, settings: AgentConnection.Settings, requests: AgentRequests) {
        self.loop = loop
        self.settings = settings
        self.requests = requests
    }

    /// Subscribed: POST on `channel` from now on.
    func attach(_ channel: AgentChannel) {
        detach()
        let current = generation
        channel.onFailure = { [weak self] reason in
            guard let self, generation == current else { return }
            hooks.lost("the call connection: " + reason)
        }
        self.channel = channel
        startHeartbeats()
        pump()
    }

    /// The connection is gone (its owner closed it); nothing is POSTed until the next `attach`.
    func detach() {
        generation += 1
        channel = nil
        inFlight = false
        retryTimer?.cancel()
        retryTimer = nil
        answerTimer?.cancel()
        answerTimer = nil
    }

    /// Stops for good, heartbeats included.
    func stop() {
        detach()
        heartbeatTimer?.cancel()
        heartbeatTimer = nil
    }

    /// POSTs the next call when attached and nothing is in flight.
    func pump() {
        guard channel != nil, !inFlight, retryTimer == nil else { return }
        if let status = hooks.nextUpdate() {
            post(.update(status: status.json), describing: "the UPDATE \(status.uuid) of task \(status.taskID)") {
                [weak self] outcome in
                self?.hooks.updateSettled(status, outcome)
            }
        } else if heartbeatDue {
            post(.heartbeat, describing: "a HEARTBEAT") { [weak self] _ in self?.heartbeatDue = false }
        }
    }

    private func startHeartbeats() {
        guard heartbeatTimer == nil, let interval = settings.heartbeatInterval else { return }
        heartbeatTimer = loop.scheduleRepeating(every: interval) { [weak self] in
            guard let self else { return }
            heartbeatDue = true
            pump()
        }
    }

    private func post(_ call: ExecutorCall, describing what: String, settled: @escaping (Outcome) -> Void) {
        guard let channel else { return }
        let current = generation
        inFlight = true
        let timeout = settings.responseTimeout
        answerTimer = loop.schedule(after: timeout) { [weak self] in
            guard let self, generation == current else { return }
            answerTimer = nil
            hooks.lost("the agent did not answer \(what) within \(timeout)")
        }
        var status = 0
        var body: [UInt8] = []
        channel.send(requests.request(for: call)) { [weak self] part in
            guard let self, generation == current else { return }
            switch part {
            case .head(let head):
                status = head.status
            case .body(let bytes):
                body += bytes.prefix(AgentConnection.loggedBodyLimit - body.count)
            case .end:
                answerTimer?.cancel()
                answerTimer = nil
                inFlight = false
                answered(what, status: status, body: String(decoding: body, as: UTF8.self), settled: settled)
            }
        }
    }

    private func answered(_ what: String, status: Int, body: String, settled: (Outcome) -> Void) {
        switch status {
        case 200..<300:
            settled(.accepted)
        case 403, 404, 429, 500..<600:
            // 503 while the agent recovers, 403 if it lost our subscription: the call may succeed later.
            Log.warning(
                "The agent answered \(what) with \(status) (\(body)); retrying in \(settings.callRetryInterval)")
            retryTimer = loop.schedule(after: settings.callRetryInterval) { [weak self] in
                guard let self else { return }
                retryTimer = nil
                pump()
            }
            return
        default:
            Log.error("The agent rejected \(what) with \(status): \(body)")
            settled(.rejected(answer: "\(status): \(body)"))
        }
        pump()
    }
}
