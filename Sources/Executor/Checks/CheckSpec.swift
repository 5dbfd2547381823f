/// What one Mesos check probes: the part `HealthCheck` and `CheckInfo` share.
///
/// HTTP and TCP probes connect to the loopback address inside the container's network namespace, as Mesos's
/// checkers do; COMMAND runs in the container through the engine's exec API.
enum CheckProbe: Sendable, Equatable {
    /// `GET http://127.0.0.1:<port><path>` (`[::1]` with `ipv6`).
    case http(port: Int, path: String, ipv6: Bool)
    /// A TCP connection to `127.0.0.1:<port>` (`[::1]` with `ipv6`) accepted.
    case tcp(port: Int, ipv6: Bool)
    /// The command run in the container; exit status 0 is a success for a health check.
    case command(TaskInfo.Command)

    /// The `Type` enum value of both protos: `HTTP`, `TCP` or `COMMAND`.
    var typeName: String {
        switch self {
        case .http: "HTTP"
        case .tcp: "TCP"
        case .command: "COMMAND"
        }
    }

    /// How the probe reads in a log line, e.g. `HTTP GET :8080/health`.
    var summary: String {
        switch self {
        case .http(let port, let path, _): "HTTP GET :\(port)\(path)"
        case .tcp(let port, _): "TCP :\(port)"
        case .command(let command): "COMMAND \(command.value ?? "")"
        }
    }
}

/// When a check runs: first after `delay`, then `interval` after each result; a probe taking longer than `timeout`
/// is abandoned (nil: no limit, which is what Mesos's 0 means).
struct CheckTiming: Sendable, Equatable {
    var delay: Duration = .seconds(15)
    var interval: Duration = .seconds(10)
    var timeout: Duration? = .seconds(20)
}

/// `TaskInfo.health_check`: judged, and may kill the task.
struct HealthCheckSpec: Sendable, Equatable {
    var probe: CheckProbe
    var timing = CheckTiming()
    /// Failures in a row that kill the task (`consecutive_failures`).
    var consecutiveFailures = 3
    /// Failures are ignored this long after checking starts, until the first success (`grace_period_seconds`).
    var gracePeriod: Duration = .seconds(10)
}

/// `TaskInfo.check`: reported, never judged.
struct CheckSpec: Sendable, Equatable {
    var probe: CheckProbe
    var timing = CheckTiming()
}
