/// The agent connection's lifecycle: every transition is in `handle(_:)`, which returns what to do, so the rules can
/// be tested without sockets or time.
///
/// Rules (they follow the C++ executor library and the HTTP command executor, tightened for density):
/// - A SUBSCRIBE answered 503 or 404 means the agent is up but still starting (its HTTP server listens before its
///   executor handler is installed, and it refuses calls while it recovers): retry soon, whatever the checkpointing.
/// - A disconnect (stream EOF or decode error, a connection failure, a protocol error, any other SUBSCRIBE answer)
///   with checkpointing: reconnect again and again, until `MESOS_RECOVERY_TIMEOUT` has passed since the first
///   disconnect (or since start, for an executor that never subscribed); then give up. Without checkpointing: give
///   up at once, as the agent will not take the executor back.
/// - Each reconnection attempt is itself the probe for the agent being back: a refused TCP connect costs a few
///   system calls, so the attempts come quickly and the executor subscribes in the same breath as it finds the agent
///   listening. The agent destroys executors that have not resubscribed within `--executor_reregistration_timeout`
///   (2 s by default) of its restart, so a long random wait would lose tasks. How quickly is
///   `ResubscribeSchedule`'s business; this type only counts the consecutive failed attempts it is based on.
/// - A SUBSCRIBE answered 401 (the bearer token is missing or invalid) or 403 (the token names another executor)
///   means the agent refuses this executor's credentials: no retry can change that, so give up at once.
/// - SUBSCRIBED ends the recovery window and resets the count.
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
        /// The stream ended or failed, a connection dropped, the agent could not be reached, or it answered the
        /// SUBSCRIBE with something other than SUBSCRIBED.
        case disconnected(reason: String)
        case reconnectTimerFired
        case recoveryTimerFired
        case stop
    }

    /// What the connection must do, in order.
    enum Action: Sendable, Equatable {
        case sendSubscribe
        case closeConnections
        /// Wait before the next SUBSCRIBE; `failures` attempts in a row have failed (at least 1).
        case scheduleReconnect(failures: Int)
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
    /// SUBSCRIBE attempts that failed since the last SUBSCRIBED (or since start).
    private(set) var failures = 0

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
                failures += 1
                return [.closeConnections, .scheduleReconnect(failures: failures)]
            case 401, 403:
                phase = .gaveUp
                let cancel: [Action] = isRecovering ? [.cancelRecoveryTimer] : []
                isRecovering = false
                let why = status == 401 ? "missing or invalid" : "for another executor"
                return cancel + [
                    .closeConnections,
                    .giveUp(
                        reason: "the agent refused this executor's authentication token (SUBSCRIBE answered \(status): "
                            + "the token is \(why))"),
                ]
            default:
                return disconnect(reason: "the agent answered SUBSCRIBE with status \(status)")
            }

        case (.subscribing, .subscribedReceived):
            phase = .subscribed
            failures = 0
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
        failures += 1
        return [.closeConnections] + openRecoveryWindow() + [.scheduleReconnect(failures: failures)]
    }
}
