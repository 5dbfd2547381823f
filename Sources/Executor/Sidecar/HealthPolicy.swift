/// Turns Sidecar's answers, one poll at a time, into the task's fate and the health reported to Mesos.
///
/// The rule, compatible with the original executor (README-ready):
/// > The task fails on the (EXECUTOR_SIDECAR_MAX_FAILS + 1)th consecutive poll on which Sidecar reports the service
/// > UNHEALTHY or TOMBSTONE: the 4th with the default of 3, so at the earliest EXECUTOR_SIDECAR_BACKOFF +
/// > 3 × EXECUTOR_SIDECAR_POLL_INTERVAL after the container started. ALIVE, UNKNOWN and DRAINING reset the count.
/// > A poll on which Sidecar cannot be reached, answers with something other than its state document, or does not
/// > list the host or the service gives no verdict: it is logged, and neither counts nor resets the count.
///
/// In the original's terms: a failing poll that arrives while `failCount >= MAX_FAILS` fails the task; otherwise it
/// increments `failCount`. "Consecutive" therefore skips polls without a verdict.
///
/// Health reported to Mesos follows Sidecar's verdict (healthy: ALIVE, UNKNOWN, DRAINING; unhealthy: UNHEALTHY,
/// TOMBSTONE): the first healthy verdict is a change, then every flip between healthy and unhealthy. Unhealthy
/// verdicts before the first healthy one are not reported, like failures inside a Mesos health check's grace
/// period: a service is expected to look unhealthy while it starts (Sidecar shows 2 for its first seconds).
struct HealthPolicy: Sendable, Equatable {
    /// What one poll means for the task.
    enum Decision: Sendable, Equatable {
        /// No verdict: nothing counted, nothing reset.
        case noVerdict
        /// A healthy verdict; the count is back to 0. `changed`: report `healthy: true` to Mesos.
        case healthy(changed: Bool)
        /// A failing verdict still tolerated; `consecutive` failing polls so far. `changed`: report `healthy: false`.
        case unhealthy(consecutive: Int, changed: Bool)
        /// The task must fail; `message` names Sidecar's verdict and the count, for the terminal status.
        case failed(message: String)
    }

    /// Failing polls tolerated in a row (EXECUTOR_SIDECAR_MAX_FAILS); the next one fails the task.
    let maxFails: Int
    /// Failing polls in a row so far (the original's `failCount`).
    private(set) var failCount = 0
    /// The verdict last reported to Mesos (`true` healthy), nil before the first healthy verdict.
    private(set) var reportedHealthy: Bool?
    /// The failing statuses of the current run, for the failure message.
    private var failingStatuses: [ServiceStatus] = []

    init(maxFails: Int) {
        self.maxFails = max(0, maxFails)
    }

    /// Records one poll: `status` is Sidecar's status of the service, nil when the poll gave no verdict.
    mutating func record(_ status: ServiceStatus?) -> Decision {
        guard let status else { return .noVerdict }
        guard status.isFailure else {
            failCount = 0
            failingStatuses.removeAll()
            let changed = reportedHealthy != true
            reportedHealthy = true
            return .healthy(changed: changed)
        }
        failingStatuses.append(status)
        guard failCount < maxFails else {
            let message = failureMessage()
            failCount = 0
            failingStatuses.removeAll()
            return .failed(message: message)
        }
        failCount += 1
        // Before the first healthy verdict there is nothing to flip from: the service is still starting.
        let changed = reportedHealthy == true
        if changed { reportedHealthy = false }
        return .unhealthy(consecutive: failCount, changed: changed)
    }

    /// E.g. "Sidecar reported the service UNHEALTHY on 4 consecutive polls (EXECUTOR_SIDECAR_MAX_FAILS is 3)."
    private func failureMessage() -> String {
        let count = failingStatuses.count
        let polls = count == 1 ? "1 poll" : "\(count) consecutive polls"
        let last = failingStatuses.last ?? .unhealthy
        let verdict: String
        if failingStatuses.allSatisfy({ $0 == last }) {
            verdict = "\(last) on \(polls)"
        } else {
            verdict = "UNHEALTHY or TOMBSTONE on \(polls), \(last) on the last one"
        }
        return "Sidecar reported the service \(verdict) (EXECUTOR_SIDECAR_MAX_FAILS is \(maxFails))."
    }
}
