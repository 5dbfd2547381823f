import EventLoop

/// Runs one probe on its schedule: first after the delay, then an interval after each outcome, each run bounded by
/// the timeout (an abandoned run is `.notPerformed`). Confined to the loop; `stop()` silences it for good.
///
/// One timer serves both deadlines, which never overlap (the next run's, while idle; the run's timeout, while it
/// runs): re-arming it costs no timer registration with Dispatch's event thread, as a new timer for each would.
final class CheckLoop: @unchecked Sendable {
    // @unchecked: touched on the loop only.
    private let loop: EventLoop
    private let probe: CheckProbe
    private let timing: CheckTiming
    private let prober: any ContainerProbing
    private var onOutcome: ((ProbeOutcome) -> Void)?
    /// Made at `start`, on the loop.
    private var timer: ReusableTimer?
    private var running: (any ProbeHandle)?
    /// A run started and has not delivered its outcome yet.
    private var inFlight = false

    init(
        loop: EventLoop, probe: CheckProbe, timing: CheckTiming, prober: any ContainerProbing,
        onOutcome: @escaping (ProbeOutcome) -> Void
    ) {
        self.loop = loop
        self.probe = probe
        self.timing = timing
        self.prober = prober
        self.onOutcome = onOutcome
    }

    func start() {
        guard onOutcome != nil, timer == nil else { return }
        let timer = ReusableTimer(loop: loop)
        self.timer = timer
        timer.arm(after: timing.delay) { [self] in runOnce() }
    }

    func stop() {
        onOutcome = nil
        timer?.cancel()
        timer = nil
        running?.cancel()
        running = nil
        inFlight = false
    }

    private func runOnce() {
        guard onOutcome != nil else { return }
        inFlight = true
        if let timeout = timing.timeout {
            timer?.arm(after: timeout) { [self] in
                running?.cancel()
                completed(.notPerformed(reason: "no answer within \(timeout.shortDescription)"))
            }
        }
        let handle = prober.run(probe, timeout: timing.timeout) { [self] outcome in completed(outcome) }
        // A prober may answer before `run` returns.
        if inFlight { running = handle }
    }

    private func completed(_ outcome: ProbeOutcome) {
        guard let onOutcome, inFlight else { return }
        inFlight = false
        running = nil
        onOutcome(outcome)
        // Re-arming replaces the timeout's deadline with the next run's; after a stop there is no timer.
        guard self.onOutcome != nil else { return }
        timer?.arm(after: timing.interval) { [self] in runOnce() }
    }
}
