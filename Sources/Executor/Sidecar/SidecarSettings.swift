/// The settings the Sidecar code reads, with the original executor's defaults.
///
/// A subset of the executor's settings (EXECUTOR_SIDECAR_*, EXECUTOR_HTTP_TIMEOUT, TASK_HOST), so that the
/// monitor and the client can be built and tested without the whole configuration.
struct SidecarSettings: Sendable, Equatable {
    /// EXECUTOR_SIDECAR_URL: the state document; the drain API is at the same scheme, host and port.
    var url = "http://localhost:7777/state.json"
    /// EXECUTOR_HTTP_TIMEOUT: the whole of one HTTP attempt (connect, request, response).
    var httpTimeout: Duration = .seconds(2)
    /// EXECUTOR_SIDECAR_RETRY_COUNT: extra attempts per poll or drain call (so up to count + 1 attempts).
    var retryCount = 5
    /// EXECUTOR_SIDECAR_RETRY_DELAY: the pause after a failed attempt.
    var retryDelay: Duration = .seconds(3)
    /// EXECUTOR_SIDECAR_BACKOFF: from the container's start to the first poll.
    var backoff: Duration = .seconds(60)
    /// EXECUTOR_SIDECAR_POLL_INTERVAL: between polls.
    var pollInterval: Duration = .seconds(30)
    /// EXECUTOR_SIDECAR_MAX_FAILS: failing polls tolerated in a row (see `HealthPolicy`).
    var maxFails = 3
    /// EXECUTOR_SIDECAR_DRAINING_DURATION: the wait after the drain call before the container is stopped; zero
    /// turns draining off.
    var drainingDuration: Duration = .seconds(10)
    /// TASK_HOST: the `Servers` key to look in; nil means the state document's own `Hostname`.
    var taskHost: String?
}
