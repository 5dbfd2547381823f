/// Mesos 1.11's health-check counting rules for one task, as a pure value fed one result at a time.
///
/// - A failure is ignored while the task has never passed and the grace period since checking started has not run
///   out (a starting service is expected to fail).
/// - Otherwise every failure counts and is reported unhealthy; `consecutiveFailures` of them in a row kill the task.
/// - A success is reported healthy the first time and after any failure; repeated successes say nothing.
/// - After the kill nothing is reported any more.
struct MesosHealthPolicy: Sendable, Equatable {
    enum Decision: Sendable, Equatable {
        /// Nothing to report (a repeated success, or anything after the kill).
        case none
        /// A failure inside the grace period, not counted.
        case ignoredInGracePeriod
        /// Report `healthy: true`.
        case healthy
        /// Report `healthy: false`; `kill`: this failure reached the threshold and the task must be killed.
        case unhealthy(consecutive: Int, kill: Bool)
    }

    let consecutiveFailuresToKill: Int
    let gracePeriod: Duration
    /// No success yet (Mesos's `initializing`).
    private(set) var initializing = true
    private(set) var consecutiveFailures = 0
    private(set) var killed = false

    init(consecutiveFailuresToKill: Int, gracePeriod: Duration) {
        self.consecutiveFailuresToKill = max(0, consecutiveFailuresToKill)
        self.gracePeriod = gracePeriod
    }

    init(_ spec: HealthCheckSpec) {
        self.init(consecutiveFailuresToKill: spec.consecutiveFailures, gracePeriod: spec.gracePeriod)
    }

    mutating func success() -> Decision {
        guard !killed else { return .none }
        let report = initializing || consecutiveFailures > 0
        initializing = false
        consecutiveFailures = 0
        return report ? .healthy : .none
    }

    /// - Parameter elapsed: the time since health checking started.
    mutating func failure(elapsed: Duration) -> Decision {
        guard !killed else { return .none }
        if initializing && gracePeriod > .zero && elapsed <= gracePeriod { return .ignoredInGracePeriod }
        consecutiveFailures += 1
        let kill = consecutiveFailures >= consecutiveFailuresToKill
        if kill { killed = true }
        return .unhealthy(consecutive: consecutiveFailures, kill: kill)
    }

    /// The task is being killed for another reason (a KILL, a shutdown): nothing is reported from now on.
    mutating func stop() {
        killed = true
    }
}
