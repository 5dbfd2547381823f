import EventLoop

/// `TaskInfo.health_check`, `TaskInfo.check` and `TaskInfo.max_completion_time`, checked as Mesos 1.11's master
/// validates them (a type is required and must match the field set; http's scheme is `http` and its path starts
/// with `/`; times are not negative) and with the proto defaults for what is absent.
extension TaskInfo {
    static func parseHealthCheck(_ field: TaskInfoField) throws(TaskInfoError) -> HealthCheckSpec? {
        guard field.isPresent else { return nil }
        try field.requireObjectIfPresent()
        let probe = try parseProbe(field, httpKey: "http", tcpKey: "tcp", commandField: field["command"])
        var spec = HealthCheckSpec(probe: probe)
        spec.timing = try parseTiming(field, delay: "delay_seconds", interval: "interval_seconds")
        if let failures = try field["consecutive_failures"].int() {
            guard (0...Int64(UInt32.max)).contains(failures) else {
                throw .invalid(field: field["consecutive_failures"].path, reason: "is \(failures); expected 0 or more")
            }
            spec.consecutiveFailures = Int(failures)
        }
        if let grace = try seconds(field["grace_period_seconds"]) { spec.gracePeriod = grace }
        return spec
    }

    static func parseCheck(_ field: TaskInfoField) throws(TaskInfoError) -> CheckSpec? {
        guard field.isPresent else { return nil }
        try field.requireObjectIfPresent()
        // CheckInfo wraps its CommandInfo one level deeper than HealthCheck does: `command.command`.
        let probe = try parseProbe(field, httpKey: "http", tcpKey: "tcp", commandField: field["command"]["command"])
        var spec = CheckSpec(probe: probe)
        spec.timing = try parseTiming(field, delay: "delay_seconds", interval: "interval_seconds")
        return spec
    }

    /// `max_completion_time` (a `DurationInfo`): nil when absent.
    static func parseMaxCompletionTime(_ field: TaskInfoField) throws(TaskInfoError) -> Duration? {
        guard field.isPresent else { return nil }
        try field.requireObjectIfPresent()
        guard let nanoseconds = try field["nanoseconds"].int() else { throw .missing(field: field["nanoseconds"].path) }
        guard nanoseconds >= 0 else {
            throw .invalid(field: field["nanoseconds"].path, reason: "is negative (\(nanoseconds))")
        }
        return .nanoseconds(nanoseconds)
    }

    private static func parseProbe(
        _ field: TaskInfoField, httpKey: String, tcpKey: String, commandField: TaskInfoField
    ) throws(TaskInfoError) -> CheckProbe {
        guard let type = try field["type"].string() else { throw .missing(field: field["type"].path) }
        switch type {
        case "HTTP":
            let http = field[httpKey]
            guard http.isPresent else { throw .missing(field: http.path) }
            try http.requireObjectIfPresent()
            if let scheme = try http["scheme"].string(), scheme != "http" {
                let reason =
                    scheme == "https"
                    ? "is https; sidecar-executor has no TLS client, use a COMMAND check for HTTPS"
                    : "is '\(scheme)'; expected http"
                throw .invalid(field: http["scheme"].path, reason: reason)
            }
            let path = try http["path"].string() ?? "/"
            guard path.hasPrefix("/") else { throw .invalid(field: http["path"].path, reason: "must start with '/'") }
            guard !path.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else {
                throw .invalid(field: http["path"].path, reason: "contains a space or a line break")
            }
            for status in try http["statuses"].elements() { _ = try status.int() }
            return .http(port: try port(http["port"]), path: path, ipv6: try isIPv6(http["protocol"]))
        case "TCP":
            let tcp = field[tcpKey]
            guard tcp.isPresent else { throw .missing(field: tcp.path) }
            try tcp.requireObjectIfPresent()
            return .tcp(port: try port(tcp["port"]), ipv6: try isIPv6(tcp["protocol"]))
        case "COMMAND":
            guard commandField.isPresent else { throw .missing(field: commandField.path) }
            let command = try parseCommand(commandField)
            guard let value = command.value, !value.isEmpty else {
                throw .missing(field: commandField["value"].path)
            }
            return .command(command)
        default:
            throw .invalid(field: field["type"].path, reason: "is '\(type)'; expected HTTP, TCP or COMMAND")
        }
    }

    private static func parseTiming(_ field: TaskInfoField, delay: String, interval: String) throws(TaskInfoError)
        -> CheckTiming
    {
        var timing = CheckTiming()
        if let value = try seconds(field[delay]) { timing.delay = value }
        if let value = try seconds(field[interval]) { timing.interval = value }
        if let value = try seconds(field["timeout_seconds"]) { timing.timeout = value == .zero ? nil : value }
        return timing
    }

    /// A `double` of seconds: finite, not negative, at most a year (nothing longer makes sense for a check).
    private static func seconds(_ field: TaskInfoField) throws(TaskInfoError) -> Duration? {
        guard let value = try field.double() else { return nil }
        guard value.isFinite, value >= 0, value <= 31_536_000 else {
            throw .invalid(field: field.path, reason: "is \(value); expected seconds from 0 to 31536000")
        }
        return .nanoseconds(Int64(value * 1_000_000_000))
    }

    private static func port(_ field: TaskInfoField) throws(TaskInfoError) -> Int {
        guard let number = try field.int() else { throw .missing(field: field.path) }
        guard (1...65535).contains(number) else {
            throw .invalid(field: field.path, reason: "is \(number); expected a port number from 1 to 65535")
        }
        return Int(number)
    }

    private static func isIPv6(_ field: TaskInfoField) throws(TaskInfoError) -> Bool {
        switch try field.string() ?? "IPv4" {
        case "IPv4": return false
        case "IPv6": return true
        case let other: throw .invalid(field: field.path, reason: "is '\(other)'; expected IPv4 or IPv6")
        }
    }
}
