import EventLoop

/// The checks a TaskInfo asks for itself, run as Mesos 1.11 runs them: `health_check` judged by
/// `MesosHealthPolicy` (it sets `healthy` and kills at its threshold), `check` reported by `CheckStatusPolicy`
/// whenever its result changes.
///
/// Confined to the loop. The prober is made when checking starts (it needs the running container's process for its
/// network namespace); `stop()` ends every loop and closes the prober.
final class MesosTaskChecks: TaskChecking, @unchecked Sendable {
    // @unchecked: touched on the loop only.
    typealias ProberFactory = (_ containerID: String, _ ready: @escaping (any ContainerProbing) -> Void) -> Void

    private let loop: EventLoop
    let healthCheck: HealthCheckSpec?
    let check: CheckSpec?
    private let makeProber: ProberFactory
    private var prober: (any ContainerProbing)?
    private var loops: [CheckLoop] = []
    private var healthPolicy: MesosHealthPolicy?
    private var checkPolicy: CheckStatusPolicy?
    private var startedAt: Duration = .zero
    private var onReport: ((CheckReport) -> Void)?
    private var onKill: ((String) -> Void)?
    private var isStopped = false

    init(loop: EventLoop, healthCheck: HealthCheckSpec?, check: CheckSpec?, makeProber: @escaping ProberFactory) {
        self.loop = loop
        self.healthCheck = healthCheck
        self.check = check
        self.makeProber = makeProber
    }

    var setsHealthy: Bool { healthCheck != nil }

    func start(
        containerID: String, onReport: @escaping (CheckReport) -> Void, onKill: @escaping (_ message: String) -> Void
    ) {
        loop.assertOnLoop()
        guard !isStopped, self.onReport == nil else { return }
        self.onReport = onReport
        self.onKill = onKill
        // The grace period counts from here, as Mesos's checker counts from its own start.
        startedAt = EventLoop.monotonicNow()
        makeProber(containerID) { [self] prober in
            guard !isStopped else { return prober.close() }
            self.prober = prober
            startLoops(prober)
        }
    }

    func stop() {
        isStopped = true
        onReport = nil
        onKill = nil
        for checkLoop in loops { checkLoop.stop() }
        loops = []
        prober?.close()
        prober = nil
    }

    private func startLoops(_ prober: any ContainerProbing) {
        if let healthCheck {
            healthPolicy = MesosHealthPolicy(healthCheck)
            Log.info(
                "Health check \(healthCheck.probe.summary): first in \(healthCheck.timing.delay.shortDescription), "
                    + "every \(healthCheck.timing.interval.shortDescription), grace period "
                    + "\(healthCheck.gracePeriod.shortDescription), killed after \(healthCheck.consecutiveFailures) "
                    + "consecutive failures.")
            loops.append(
                CheckLoop(loop: loop, probe: healthCheck.probe, timing: healthCheck.timing, prober: prober) {
                    [self] outcome in healthResult(outcome)
                })
        }
        if let check {
            checkPolicy = CheckStatusPolicy(type: check.probe.typeName)
            Log.info(
                "Check \(check.probe.summary): first in \(check.timing.delay.shortDescription), every "
                    + "\(check.timing.interval.shortDescription).")
            loops.append(
                CheckLoop(loop: loop, probe: check.probe, timing: check.timing, prober: prober) { [self] outcome in
                    checkResult(outcome)
                })
        }
        for checkLoop in loops { checkLoop.start() }
    }

    private func healthResult(_ outcome: ProbeOutcome) {
        guard var policy = healthPolicy, let healthCheck else { return }
        let what = "Health check \(healthCheck.probe.summary)"
        let decision: MesosHealthPolicy.Decision
        if outcome.isHealthy {
            decision = policy.success()
        } else {
            decision = policy.failure(elapsed: EventLoop.monotonicNow() - startedAt)
        }
        healthPolicy = policy
        switch decision {
        case .none:
            break
        case .ignoredInGracePeriod:
            Log.info("\(what) failed (\(outcome.description)); ignored inside the grace period.")
        case .healthy:
            Log.info("\(what) passed (\(outcome.description)): healthy.")
            onReport?(CheckReport(healthy: true, message: "\(what) passed: \(outcome.description)"))
        case .unhealthy(let consecutive, let kill):
            let count = "\(consecutive) of \(healthCheck.consecutiveFailures) consecutive failures"
            let message = "\(what) failed: \(outcome.description) (\(count))"
            Log.warning("\(message)\(kill ? "; killing the task." : ".")")
            onReport?(CheckReport(healthy: false, message: message))
            if kill { onKill?(message) }
        }
    }

    private func checkResult(_ outcome: ProbeOutcome) {
        guard var policy = checkPolicy else { return }
        let status = policy.record(outcome)
        checkPolicy = policy
        guard let status else { return }
        Log.info("Check status changed: \(status.summary) (\(outcome.description)).")
        onReport?(CheckReport(checkStatus: status, message: "Check status changed: \(status.summary)"))
    }
}
