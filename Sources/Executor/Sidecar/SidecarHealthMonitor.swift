import EventLoop

/// One task's Sidecar health checking: polls Sidecar on a timer, applies `HealthPolicy`, and drains the service
/// before a kill.
///
/// Polling: the first poll `backoff` after `start`, then one every `pollInterval`. Polls never overlap: a tick that
/// finds the previous poll (with its retries) still running is skipped and logged, so a hanging Sidecar costs one
/// request at a time, never a pile of them. Polling ends for good on the first of: the policy's failure
/// (`onFailure` runs once), `drain`, `containerExited` or `stop`; a poll still running then is cancelled.
///
/// Draining: unless the draining duration is zero, `drain` POSTs the drain call (with its retries), then waits the
/// draining duration, whether or not Sidecar accepted it (as the original does), and then runs its completion. The
/// container exiting cuts both short. Each completion runs exactly once, unless `stop` comes first.
///
/// The monitor owns its source: `stop` closes it.
///
/// Confined to the event loop: every method must be called on it, and every callback runs on it.
final class SidecarHealthMonitor: TaskHealthChecking, @unchecked Sendable {
    private enum DrainState {
        case notStarted
        case inProgress
        case done
    }

    private let loop: EventLoop
    private let settings: ExecutorSettings
    private let source: any HealthSource
    private let logger: SidecarLogger

    private var policy: HealthPolicy
    private var serviceID: String?
    private var onVerdictChange: ((Bool) -> Void)?
    private var onFailure: ((String) -> Void)?

    private var polling = false
    private var pollTimer: ScheduledTimer?
    private var pollInFlight = false
    private var currentPoll: (any SidecarRequest)?
    /// Polls started so far, to name them in logs.
    private(set) var pollCount = 0

    private var drainState = DrainState.notStarted
    private var drainRequest: (any SidecarRequest)?
    private var drainTimer: ScheduledTimer?
    private var drainCompletions: [() -> Void] = []
    private var containerGone = false
    private var stopped = false

    init(loop: EventLoop, settings: ExecutorSettings, source: any HealthSource, logger: SidecarLogger = .executorLog) {
        self.loop = loop
        self.settings = settings
        self.source = source
        self.logger = logger
        self.policy = HealthPolicy(maxFails: settings.sidecarMaxFails)
    }

    func start(
        containerID: String,
        onVerdictChange: @escaping (_ healthy: Bool) -> Void,
        onFailure: @escaping (_ message: String) -> Void
    ) {
        loop.assertOnLoop()
        guard !stopped, !containerGone, serviceID == nil, drainState == .notStarted else { return }
        let serviceID = String(containerID.prefix(12))
        self.serviceID = serviceID
        self.onVerdictChange = onVerdictChange
        self.onFailure = onFailure
        polling = true
        // A zero interval would make Dispatch spin; a millisecond is far below any sensible setting.
        let interval = max(settings.sidecarPollInterval, .milliseconds(1))
        logger.info(
            "Sidecar health checking of service \(serviceID) starts in \(settings.sidecarBackoff.shortDescription), then every \(interval.shortDescription)."
        )
        pollTimer = loop.scheduleRepeating(every: interval, firstAfter: max(settings.sidecarBackoff, .zero)) {
            [weak self] in
            self?.tick()
        }
    }

    func drain(completion: @escaping () -> Void) {
        loop.assertOnLoop()
        endPolling()
        switch drainState {
        case .done:
            completion()
        case .inProgress:
            drainCompletions.append(completion)
        case .notStarted:
            guard let serviceID, !stopped, !containerGone, settings.sidecarDrainingDuration > .zero else {
                drainState = .done
                if settings.sidecarDrainingDuration <= .zero {
                    logger.info("Draining is turned off (EXECUTOR_SIDECAR_DRAINING_DURATION is 0).")
                }
                completion()
                return
            }
            drainState = .inProgress
            drainCompletions = [completion]
            logger.info("Asking Sidecar to drain service \(serviceID) before the container is stopped.")
            let request = source.drain(serviceID: serviceID) { [weak self] result in
                self?.drainCallFinished(result)
            }
            if drainState == .inProgress, drainTimer == nil { drainRequest = request }
        }
    }

    func containerExited() {
        loop.assertOnLoop()
        containerGone = true
        endPolling()
        if drainState == .inProgress {
            logger.info("The container exited; the Sidecar drain is cut short.")
            finishDrain()
        }
    }

    func stop() {
        loop.assertOnLoop()
        stopped = true
        endPolling()
        onVerdictChange = nil
        onFailure = nil
        drainRequest?.cancel()
        drainRequest = nil
        drainTimer?.cancel()
        drainTimer = nil
        drainCompletions = []
        if drainState == .inProgress { drainState = .done }
        source.close()
    }

    // MARK: - Polling

    private func tick() {
        guard polling, let serviceID else { return }
        guard !pollInFlight else {
            logger.warning(
                "Skipping a Sidecar poll of service \(serviceID): poll \(pollCount) (with its retries) is still running."
            )
            return
        }
        pollCount += 1
        let number = pollCount
        pollInFlight = true
        let request = source.fetchState(serviceID: serviceID, host: settings.taskHost) { [weak self] result in
            self?.pollFinished(result, number: number)
        }
        // The completion may already have run.
        if pollInFlight, number == pollCount { currentPoll = request }
    }

    private func pollFinished(_ result: SidecarPollResult, number: Int) {
        guard polling, number == pollCount, let serviceID else { return }
        pollInFlight = false
        currentPoll = nil
        let status = verdict(of: result, serviceID: serviceID)
        let service = "service \(serviceID)\(status?.name.map { " (\($0))" } ?? "")"
        switch policy.record(status?.status) {
        case .noVerdict:
            break
        case .healthy(let changed):
            if changed {
                logger.info("Sidecar reports \(service) \(status?.status.description ?? "") (poll \(number)).")
                onVerdictChange?(true)
            }
        case .unhealthy(let consecutive, let changed):
            logger.warning(
                "Sidecar reports \(service) \(status?.status.description ?? "") (poll \(number));"
                    + " \(consecutive) failing poll(s) in a row, \(settings.sidecarMaxFails) tolerated.")
            if changed { onVerdictChange?(false) }
        case .failed(let message):
            logger.error("The task fails its Sidecar health checks: \(message)")
            let onFailure = self.onFailure
            endPolling()
            onFailure?(message)
        }
    }

    /// The status a poll gives the policy, nil for no verdict (logged here, since the policy only counts).
    private func verdict(
        of result: SidecarPollResult,
        serviceID: String
    ) -> (status: ServiceStatus, name: String?)? {
        switch result {
        case .answered(.status(let status, let name)):
            return (status, name)
        case .answered(.hostNotListed(let host)):
            logger.info("Sidecar does not list host \(host) (yet); no verdict on service \(serviceID).")
        case .answered(.serviceNotListed(let host, _)):
            logger.info("Sidecar does not list service \(serviceID) on host \(host) (yet); no verdict.")
        case .answered(.notStateDocument(let error)):
            logger.warning("\(error) No verdict on service \(serviceID).")
        case .unreachable(let reason, let attempts):
            logger.warning(
                "Sidecar could not be reached in \(attempts) attempt(s) (\(reason)); no verdict on service \(serviceID)."
            )
        }
        return nil
    }

    private func endPolling() {
        polling = false
        pollTimer?.cancel()
        pollTimer = nil
        pollInFlight = false
        currentPoll?.cancel()
        currentPoll = nil
        onVerdictChange = nil
        onFailure = nil
    }

    // MARK: - Draining

    private func drainCallFinished(_ result: SidecarDrainResult) {
        guard drainState == .inProgress, drainTimer == nil else { return }
        drainRequest = nil
        switch result {
        case .drained(let attempts):
            logger.info(
                "Sidecar accepted the drain (attempt \(attempts)); waiting \(settings.sidecarDrainingDuration.shortDescription)."
            )
        case .failed(let reason, let attempts):
            logger.warning(
                "Sidecar did not accept the drain in \(attempts) attempt(s) (\(reason));"
                    + " waiting \(settings.sidecarDrainingDuration.shortDescription) anyway.")
        }
        drainTimer = loop.schedule(after: settings.sidecarDrainingDuration) { [weak self] in
            self?.finishDrain()
        }
    }

    private func finishDrain() {
        guard drainState == .inProgress else { return }
        drainState = .done
        drainRequest?.cancel()
        drainRequest = nil
        drainTimer?.cancel()
        drainTimer = nil
        let completions = drainCompletions
        drainCompletions = []
        for completion in completions { completion() }
    }
}
