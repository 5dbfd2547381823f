/// The agent connection's lifecycle: every transition is in `handle(_:)`, which returns what to do, so the rules can
/// be tested without sockets or time.
///
/// Rules (the reference's §4, following the C++ executor library and the HTTP command executor):
/// - A SUBSCRIBE answered 503 or 404 (the agent is recovering or still starting) is retried after
///   `subscribeRetryInterval` (1 s), whatever the checkpointing.
/// - A disconnect (stream EOF or decode error, a connection failure, any other SUBSCRIBE answer) with checkpointing:
///   reconnect after a random wait in `[0, MESOS_SUBSCRIPTION_BACKOFF_MAX]`, again and again, until
///   `MESOS_RECOVERY_TIMEOUT` has passed since the first disconnect (or since start, for an executor that never
///   subscribed); then give up. Without checkpointing: give up at once.
/// - SUBSCRIBED ends the recovery window.
struct AgentConnectionState: Sendable {
    enum Phase: Sendable, Equatable {
        /// Not started yet.
        case idle
        /// The SUBSCRIBE request is on its way; no answer yet.
        case connecting
        /// 200 received; waiting for the SUBSCRIBED event.
        case subscribing
        /// SUBSCRIBED received: calls may be POSTed.
        case subscribed
        /// Waiting for a timer before the next SUBSCRIBE.
        case waitingToReconnect
        /// Gave up on the agent (no checkpointing, or the recovery timeout): the executor shuts down.
        case gaveUp
        /// Stopped by the executor; nothing happens any more.
        case stopped
    }

    /// What happened.
    enum Event: Sendable, Equatable {
        case start
        /// The agent answered the SUBSCRIBE with this status code.
        case subscribeAnswered(status: Int)
        case subscribedReceived
        /// The stream ended or failed, a connection dropped, or the agent could not be reached.
        case disconnected(reason: String)
        case reconnectTimerFired
        case recoveryTimerFired
        case stop
    }

    /// How long to wait before the next SUBSCRIBE.
    enum ReconnectDelay: Sendable, Equatable {
        /// Uniform-random in `[0, MESOS_SUBSCRIPTION_BACKOFF_MAX]`.
        case randomBackoff
        /// The fixed retry interval for a 503/404 answer.
        case subscribeRetry
    }

    /// What the connection must do, in order.
    enum Action: Sendable, Equatable {
        case sendSubscribe
        case closeConnections
        case scheduleReconnect(ReconnectDelay)
        case startRecoveryTimer
        case cancelRecoveryTimer
        case cancelReconnectTimer
        /// Subscribed: POST what waits in the outbox and tell the delegate.
        case didSubscribe
        case giveUp(reason: String)
    }

    let checkpoint: Bool
    private(set) var phase: Phase = .idle
    /// Whether the recovery window is open (its timer is running).
    private(set) var isRecovering = false

    init(checkpoint: Bool) {
        self.checkpoint = checkpoint
    }

    mutating func handle(_ event: Event) -> [Action] {
        switch (phase, event) {
        case (_, .stop):
            guard phase != .stopped else { return [] }
            phase = .stopped
            isRecovering = false
            return [.cancelReconnectTimer, .cancelRecoveryTimer, .closeConnections]

        case (.stopped, _), (.gaveUp, _):
            return []

        case (.idle, .start):
            phase = .connecting
            return openRecoveryWindow() + [.sendSubscribe]

        case (.connecting, .subscribeAnswered(let status)):
            switch status {
            case 200:
                phase = .subscribing
                return []
            case 503, 404:
                phase = .waitingToReconnect
                return [.closeConnections, .scheduleReconnect(.subscribeRetry)]
            default:
                return disconnect(reason: "the agent answered SUBSCRIBE with status \(status)")
            }

        case (.subscribing, .subscribedReceived):
            phase = .subscribed
            let cancel: [Action] = isRecovering ? [.cancelRecoveryTimer] : []
            isRecovering = false
            return cancel + [.didSubscribe]

        case (.connecting, .disconnected(let reason)), (.subscribing, .disconnected(let reason)),
            (.subscribed, .disconnected(let reason)):
            return disconnect(reason: reason)

        case (.waitingToReconnect, .reconnectTimerFired):
            phase = .connecting
            return [.sendSubscribe]

        case (_, .recoveryTimerFired):
            guard isRecovering, phase != .subscribed else { return [] }
            phase = .gaveUp
            isRecovering = false
            return [
                .cancelReconnectTimer, .closeConnections,
                .giveUp(reason: "the agent could not be resubscribed to within the recovery timeout"),
            ]

        // Anything else is stale (a late callback from connections already closed) or a repeat; ignoring it is
        // what keeps one disconnect from being handled twice.
        case (.idle, _), (.connecting, _), (.subscribing, _), (.subscribed, _), (.waitingToReconnect, _):
            return []
        }
    }

    private mutating func openRecoveryWindow() -> [Action] {
        guard checkpoint, !isRecovering else { return [] }
        isRecovering = true
        return [.startRecoveryTimer]
    }

    private mutating func disconnect(reason: String) -> [Action] {
        guard checkpoint else {
            phase = .gaveUp
            return [
                .closeConnections,
                .giveUp(reason: "lost the agent (\(reason)) and the framework does not checkpoint"),
            ]
        }
        phase = .waitingToReconnect
        return [.closeConnections] + openRecoveryWindow() + [.scheduleReconnect(.randomBackoff)]
    }
}
