import EventLoop

/// Runs one probe on its schedule: first after the delay, then an interval after each outcome, each run bounded by
/// the timeout (an abandoned run is `.notPerformed`). Confined to the loop; `stop()` silences it for good.
final class CheckLoop: @unchecked Sendable {
    // @unchecked: touched on the loop only.
    private let loop: EventLoop
    private let probe: CheckProbe
    private let timing: CheckTiming
    private let prober: any ContainerProbing
    private var onOutcome: ((ProbeOutcome) -> Void)?
    private var timer: ScheduledTimer?
    private var timeoutTimer: ScheduledTimer?
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
        schedule(after: timing.delay)
    }

    func stop() {
        onOutcome = nil
        timer?.cancel()
        timer = nil
        timeoutTimer?.cancel()
        timeoutTimer = nil
        running?.cancel()
        running = nil
        inFlight = false
    }

    private func schedule(after delay: Duration) {
        let run = LoopBound({ [self] in runOnce() }, loop: loop)
        timer = loop.schedule(after: delay) { run.value() }
    }

    private func runOnce() {
        timer = nil
        guard onOutcome != nil else { return }
        inFlight = true
        if let timeout = timing.timeout {
            let expire = LoopBound(
                { [self] in
                    running?.cancel()
                    completed(.notPerformed(reason: "no answer within \(timeout.shortDescription)"))
                }, loop: loop)
            timeoutTimer = loop.schedule(after: timeout) { expire.value() }
        }
        let handle = prober.run(probe, timeout: timing.timeout) { [self] outcome in completed(outcome) }
        // A prober may answer before `run` returns.
        if inFlight { running = handle }
    }

    private func completed(_ outcome: ProbeOutcome) {
        guard let onOutcome, inFlight else { return }
        inFlight = false
        running = nil
        timeoutTimer?.cancel()
        timeoutTimer = nil
        onOutcome(outcome)
        if self.onOutcome != nil { schedule(after: timing.interval) }
    }
}
