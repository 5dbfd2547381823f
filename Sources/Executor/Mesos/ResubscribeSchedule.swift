/// How long an executor waits before its next SUBSCRIBE attempt, after `failures` failed ones in a row. Pure: the
/// random draw is an argument.
///
/// Two bounds, both in force at once:
/// - Finding the agent quickly: the wait never exceeds `ceiling` (250 ms, or `MESOS_SUBSCRIPTION_BACKOFF_MAX` when
///   smaller), so an executor subscribes at most `ceiling` plus one connect after the agent starts listening, well
///   inside the agent's 2 s reregistration window. It starts at `floor` (20 ms) and doubles with each failure, so a
///   short blip costs little time and a long outage costs at most one refused connect per `ceiling` per executor.
/// - Not arriving as one burst: each wait is drawn uniformly from the upper half of the current bound, so executors
///   that lost the agent together fall out of step within a few attempts and, once the bound has reached `ceiling`,
///   find the agent back spread over a window of `ceiling / 2` instead of in the same millisecond. Hundreds of
///   executors then arrive at a few per millisecond, which the agent's single actor takes in its stride.
struct ResubscribeSchedule: Sendable, Equatable {
    var floor: Duration
    var ceiling: Duration

    /// `ceiling` is lowered to `backoffMax` (the agent's own bound on the wait between attempts), never below `floor`.
    init(floor: Duration, ceiling: Duration, backoffMax: Duration) {
        self.floor = floor
        self.ceiling = max(floor, min(ceiling, backoffMax))
    }

    /// The bound of the wait after `failures` failed attempts (1 = the first).
    func bound(afterFailures failures: Int) -> Duration {
        var bound = floor
        var doublings = max(0, failures - 1)
        while doublings > 0, bound < ceiling {
            bound = bound * 2
            doublings -= 1
        }
        return min(bound, ceiling)
    }

    /// The wait: uniform in `[bound / 2, bound]`; `unit` is a random draw in `[0, 1]`.
    func delay(afterFailures failures: Int, unit: Double) -> Duration {
        let bound = bound(afterFailures: failures)
        let fraction = 0.5 + 0.5 * min(1, max(0, unit))
        return bound * fraction
    }
}
