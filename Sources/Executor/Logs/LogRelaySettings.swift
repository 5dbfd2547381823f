/// The UDP log relay's settings (`EXECUTOR_RELAY_SYSLOG` and friends), with the original's defaults.
struct LogRelaySettings: Sendable, Equatable {
    /// EXECUTOR_RELAY_SYSLOG: relay the container's output for its whole life.
    var relayAlways = false
    /// EXECUTOR_RELAY_SYSLOG_STARTUP_ONLY: relay only the first `startupTime` (on its own, it turns the relay on).
    var startupOnly = false
    /// EXECUTOR_RELAY_SYSLOG_STARTUP_TIME.
    var startupTime: Duration = .seconds(60)
    /// EXECUTOR_SYSLOG_ADDR: `host:port`, dialled when the task launches.
    var address = "127.0.0.1:514"
    /// EXECUTOR_CONTAINER_LOGS_STDOUT: each record is also written to the executor's stdout.
    var copyToStdout = false
    /// EXECUTOR_SEND_DOCKER_LABELS: container labels added to each record, by name.
    var labels: [String] = []
    /// EXECUTOR_LOG_HOSTNAME: the records' `Hostname`; empty means the host's name.
    var hostname = ""

    /// Whether a task's output is relayed at all.
    var isEnabled: Bool { relayAlways || startupOnly }

    /// Go's envconfig reading of a `[]string`: comma-separated, each item kept as written, empty text no item.
    static func list(_ value: String) -> [String] {
        value.isEmpty ? [] : value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}
