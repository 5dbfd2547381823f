import EventLoop

/// The executor's `EXECUTOR_*` settings: the original Go executor's names, meanings and defaults, parsed once at
/// start. The definitions live in one table (`ExecutorSettings.definitions`), which also feeds `--help` and is
/// checked against the README, so a setting cannot be added in one place and forgotten in another.
struct ExecutorSettings: Sendable, Equatable {
    /// `docker stop` grace when neither the KILL nor the TaskInfo carries a kill policy.
    var killTaskTimeout: Duration = .seconds(5)
    /// Timeout of one request to Sidecar.
    var httpTimeout: Duration = .seconds(2)
    /// Extra attempts of a Sidecar poll or drain request (total = count + 1).
    var sidecarRetryCount = 5
    /// Wait after a failed Sidecar attempt.
    var sidecarRetryDelay: Duration = .seconds(3)
    /// Sidecar's state endpoint; the drain endpoint is derived from its origin.
    var sidecarURL = Self.defaultSidecarURL
    /// Wait after the container starts before the first health poll.
    var sidecarBackoff: Duration = .seconds(60)
    var sidecarPollInterval: Duration = .seconds(30)
    /// Consecutive unhealthy polls tolerated; the task fails on the next one.
    var sidecarMaxFails = 3
    /// Wait after asking Sidecar to drain before stopping the container; zero disables draining.
    var sidecarDrainingDuration: Duration = .seconds(10)
    /// Registry key of the credential used when no entry matches the image's registry.
    var dockerRepository = "https://index.docker.io/v1/"
    /// Accepted for compatibility: container logs are followed live, so nothing is copied afterwards.
    var logsSince: Duration = .seconds(180)
    var forceCPULimit = false
    var forceMemoryLimit = false
    var useCPUShares = false
    var debug = false
    /// Keep the container after its terminal update is acknowledged (for post-mortems) instead of removing it.
    var keepContainers = false
    /// Put SIDECAR_SEEDS (the master's agent host names) in the container's environment.
    var seedSidecar = false
    /// Appended to the master's host name for `/slaves`; text, as in the original (a bad one fails the lookup).
    var mesosMasterPort = "5050"
    /// Fail a task whose Docker parameters name an option sidecar-executor does not support (instead of warning).
    var strictParameters = false
    /// Sidecar's name for this host (`TASK_HOST`, set by Singularity); nil uses the state document's own.
    var taskHost: String?
    var relay = LogRelaySettings()

    static let defaultSidecarURL: HTTPURL = {
        do {
            return try HTTPURL(parsing: "http://localhost:7777/state.json")
        } catch {
            preconditionFailure("the default Sidecar URL must parse: \(error)")
        }
    }()

    /// Settings with every default.
    init() {}
}

// MARK: - The table

/// Why a value was rejected, as the end of a sentence.
struct SettingValueError: Error {
    var reason: String
}

/// One `EXECUTOR_*` variable: its name, default (as the operator would write it), meaning and parser.
struct SettingDefinition: Sendable {
    var name: String
    var defaultValue: String
    var meaning: String
    var apply: @Sendable (inout ExecutorSettings, String) throws(SettingValueError) -> Void
}

extension ExecutorSettings {
    static let definitions: [SettingDefinition] = [
        SettingDefinition(
            name: "EXECUTOR_KILL_TASK_TIMEOUT",
            defaultValue: "5",
            meaning:
                "Seconds between SIGTERM and SIGKILL when stopping the container, unless a kill policy says otherwise.",
            apply: { settings, value throws(SettingValueError) in
                settings.killTaskTimeout = .seconds(try parseUnsignedCount(value))
            }
        ),
        duration("EXECUTOR_HTTP_TIMEOUT", "2s", "Timeout of one request to Sidecar.", \.httpTimeout, positive: true),
        count(
            "EXECUTOR_SIDECAR_RETRY_COUNT", "5", "Extra attempts of a failed Sidecar poll or drain request.",
            \.sidecarRetryCount
        ),
        duration(
            "EXECUTOR_SIDECAR_RETRY_DELAY", "3s", "Wait after a failed Sidecar request before the next attempt.",
            \.sidecarRetryDelay
        ),
        SettingDefinition(
            name: "EXECUTOR_SIDECAR_URL",
            defaultValue: "http://localhost:7777/state.json",
            meaning: "Sidecar's state endpoint; draining uses /api/services/<id>/drain on the same host and port.",
            apply: { settings, value throws(SettingValueError) in
                do throws(HTTPURLError) {
                    settings.sidecarURL = try HTTPURL(parsing: value)
                } catch {
                    throw SettingValueError(reason: error.reason)
                }
            }
        ),
        duration(
            "EXECUTOR_SIDECAR_BACKOFF", "1m", "Wait after the container starts before the first health poll.",
            \.sidecarBackoff
        ),
        duration(
            "EXECUTOR_SIDECAR_POLL_INTERVAL", "30s", "Time between two Sidecar health polls.", \.sidecarPollInterval,
            positive: true
        ),
        SettingDefinition(
            name: "EXECUTOR_SIDECAR_MAX_FAILS", defaultValue: "3",
            meaning: "Consecutive unhealthy polls tolerated; the task fails on the next unhealthy one.",
            apply: { settings, value throws(SettingValueError) in
                // The original compares `fails >= max`: a negative maximum behaves as 0.
                settings.sidecarMaxFails = max(0, try parseGoInteger(value))
            }
        ),
        duration(
            "EXECUTOR_SIDECAR_DRAINING_DURATION", "10s",
            "Wait after asking Sidecar to drain the service before stopping the container on a kill; 0 disables draining.",
            \.sidecarDrainingDuration
        ),
        SettingDefinition(
            name: "EXECUTOR_DOCKER_REPOSITORY",
            defaultValue: "https://index.docker.io/v1/",
            meaning: "Docker config key of the registry credential used when none matches the image's registry.",
            apply: { settings, value throws(SettingValueError) in settings.dockerRepository = value }
        ),
        duration(
            "EXECUTOR_LOGS_SINCE", "3m",
            "Accepted for compatibility; container logs are followed live into the sandbox, so nothing is copied after exit.",
            \.logsSince
        ),
        flag(
            "EXECUTOR_FORCE_CPU_LIMIT", "Apply the task's cpus as a Docker CPU limit (CFS quota).",
            \.forceCPULimit
        ),
        flag(
            "EXECUTOR_FORCE_MEMORY_LIMIT", "Apply the task's mem as the Docker memory limit.", \.forceMemoryLimit
        ),
        flag(
            "EXECUTOR_USE_CPU_SHARES", "With EXECUTOR_FORCE_CPU_LIMIT: use CPU shares instead of a CFS quota.",
            \.useCPUShares
        ),
        flag("EXECUTOR_DEBUG", "Log debug lines (the TaskInfo and the container spec).", \.debug),
        flag(
            "EXECUTOR_KEEP_CONTAINERS",
            "Keep the task's container after its terminal update is acknowledged instead of removing it (new).",
            \.keepContainers
        ),
        flag(
            "EXECUTOR_SEED_SIDECAR",
            "Put SIDECAR_SEEDS (the Mesos master's agent host names, comma-separated) in the container's environment.",
            \.seedSidecar
        ),
        flag(
            "EXECUTOR_STRICT_PARAMETERS",
            "Fail a task whose Docker parameters name an option sidecar-executor does not support, instead of warning (new).",
            \.strictParameters
        ),
        SettingDefinition(
            name: "EXECUTOR_AWS_ROLE", defaultValue: "", meaning: "Vault AWS role for container credentials."
        ) { _, _ in },
        SettingDefinition(name: "EXECUTOR_AWS_ROLE_TTL", defaultValue: "0", meaning: "Requested AWS lease TTL.") {
            _, value throws(SettingValueError) in _ = try parseDuration(value)
        },
        SettingDefinition(
            name: "EXECUTOR_AWS_ROLE_MAX_TTL", defaultValue: "744h", meaning: "Upper bound of EXECUTOR_AWS_ROLE_TTL."
        ) {
            _, value throws(SettingValueError) in _ = try parseDuration(value)
        },
        SettingDefinition(
            name: "EXECUTOR_MESOS_MASTER_PORT", defaultValue: "5050",
            meaning: "Port of the Mesos master's /slaves for EXECUTOR_SEED_SIDECAR; empty: none in the URL.",
            apply: { settings, value throws(SettingValueError) in settings.mesosMasterPort = value }
        ),
        flag("EXECUTOR_RELAY_SYSLOG", "Relay container logs as JSON over UDP.", \.relay.relayAlways),
        flag(
            "EXECUTOR_RELAY_SYSLOG_STARTUP_ONLY", "Relay only the first EXECUTOR_RELAY_SYSLOG_STARTUP_TIME.",
            \.relay.startupOnly
        ),
        duration(
            "EXECUTOR_RELAY_SYSLOG_STARTUP_TIME", "1m", "Length of the startup-only relay window.",
            \.relay.startupTime
        ),
        SettingDefinition(
            name: "EXECUTOR_SYSLOG_ADDR", defaultValue: "127.0.0.1:514",
            meaning: "UDP destination (host:port) of relayed log lines; a failed dial fails the task.",
            apply: { settings, value throws(SettingValueError) in settings.relay.address = value }
        ),
        flag("EXECUTOR_CONTAINER_LOGS_STDOUT", "Also write relayed lines to stdout.", \.relay.copyToStdout),
        SettingDefinition(
            name: "EXECUTOR_SEND_DOCKER_LABELS", defaultValue: "",
            meaning: "Docker labels added to relayed lines (comma-separated names).",
            apply: { settings, value throws(SettingValueError) in settings.relay.labels = LogRelaySettings.list(value) }
        ),
        SettingDefinition(
            name: "EXECUTOR_LOG_HOSTNAME", defaultValue: "",
            meaning: "Hostname field of relayed lines (default: the host's name).",
            apply: { settings, value throws(SettingValueError) in settings.relay.hostname = value }
        ),
    ]

    private static func duration(
        _ name: String, _ defaultValue: String, _ meaning: String,
        _ field: any WritableKeyPath<ExecutorSettings, Duration> & Sendable, positive: Bool = false
    ) -> SettingDefinition {
        SettingDefinition(name: name, defaultValue: defaultValue, meaning: meaning) {
            settings, value throws(SettingValueError) in
            let duration = try parseDuration(value)
            // Zero meant "no timeout" (HTTP) or a crash (poll ticker) in the original: refused here instead.
            if positive && duration == .zero { throw SettingValueError(reason: "must be more than 0") }
            settings[keyPath: field] = duration
        }
    }

    private static func count(
        _ name: String, _ defaultValue: String, _ meaning: String,
        _ field: any WritableKeyPath<ExecutorSettings, Int> & Sendable
    ) -> SettingDefinition {
        SettingDefinition(name: name, defaultValue: defaultValue, meaning: meaning) {
            settings, value throws(SettingValueError) in settings[keyPath: field] = try parseCount(value)
        }
    }

    private static func flag(
        _ name: String, _ meaning: String, _ field: any WritableKeyPath<ExecutorSettings, Bool> & Sendable
    ) -> SettingDefinition {
        SettingDefinition(name: name, defaultValue: "false", meaning: meaning) {
            settings, value throws(SettingValueError) in settings[keyPath: field] = try parseBool(value)
        }
    }
}
