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
    /// Sidecar's name for this host (`TASK_HOST`, set by Singularity); nil uses the state document's own.
    var taskHost: String?

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

// MARK: - Parsing

extension ExecutorSettings {
    /// The parsed settings and the warnings to log at start.
    struct Parsed: Sendable {
        var settings: ExecutorSettings
        /// Unknown `EXECUTOR_*` names (typos) and settings of the original that this executor does not implement.
        var warnings: [String]
    }

    /// Reads every `EXECUTOR_*` variable (and `TASK_HOST`). Invalid values are all reported in one error.
    static func parse(environment: [String: String]) throws(ConfigurationError) -> Parsed {
        var settings = ExecutorSettings()
        var problems: [String] = []
        var warnings: [String] = []
        for definition in definitions {
            guard let value = environment[definition.name] else { continue }
            do {
                try definition.apply(&settings, value)
            } catch {
                problems.append("\(definition.name)='\(value)' is invalid: \(error.reason).")
                continue
            }
            if case .notImplemented(let what) = definition.support, value != definition.defaultValue {
                warnings.append(
                    "\(definition.name) is set, but \(what) is not implemented by this executor; the setting is ignored."
                )
            }
        }
        let known = Set(definitions.map(\.name))
        for name in environment.keys.sorted() where name.hasPrefix("EXECUTOR_") && !known.contains(name) {
            warnings.append("\(name) is not a setting of this executor (a typo?); it is ignored.")
        }
        if let host = environment["TASK_HOST"], !host.isEmpty {
            settings.taskHost = host
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return Parsed(settings: settings, warnings: warnings)
    }
}

// MARK: - The table

/// Why a value was rejected, as the end of a sentence.
struct SettingValueError: Error {
    var reason: String
}

/// One `EXECUTOR_*` variable: its name, default (as the operator would write it), meaning and parser.
struct SettingDefinition: Sendable {
    enum Support: Sendable, Equatable {
        case supported
        /// Accepted and validated for compatibility, but what it controls is not built: warned about when set.
        case notImplemented(String)
    }

    var name: String
    var defaultValue: String
    var meaning: String
    var support: Support = .supported
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
                settings.killTaskTimeout = .seconds(try parseCount(value))
            }
        ),
        duration("EXECUTOR_HTTP_TIMEOUT", "2s", "Timeout of one request to Sidecar.", \.httpTimeout),
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
            "EXECUTOR_SIDECAR_POLL_INTERVAL", "30s", "Time between two Sidecar health polls.", \.sidecarPollInterval
        ),
        count(
            "EXECUTOR_SIDECAR_MAX_FAILS", "3",
            "Consecutive unhealthy polls tolerated; the task fails on the next unhealthy one.", \.sidecarMaxFails
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
        notImplemented(
            "EXECUTOR_SEED_SIDECAR", "false", "Inject SIDECAR_SEEDS from the Mesos master's worker list.",
            "Sidecar seeding", parse: parseBool
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
        notImplemented(
            "EXECUTOR_MESOS_MASTER_PORT", "5050", "Mesos master port used for Sidecar seeding.", "Sidecar seeding",
            parse: parseCount
        ),
        notImplemented(
            "EXECUTOR_RELAY_SYSLOG", "false", "Relay container logs as JSON over UDP.", "the syslog relay",
            parse: parseBool
        ),
        notImplemented(
            "EXECUTOR_RELAY_SYSLOG_STARTUP_ONLY", "false", "Relay only the first EXECUTOR_RELAY_SYSLOG_STARTUP_TIME.",
            "the syslog relay", parse: parseBool
        ),
        notImplemented(
            "EXECUTOR_RELAY_SYSLOG_STARTUP_TIME", "1m", "Length of the startup-only relay window.", "the syslog relay",
            parse: parseDuration
        ),
        notImplemented(
            "EXECUTOR_SYSLOG_ADDR", "127.0.0.1:514", "UDP destination of relayed log lines.", "the syslog relay"
        ),
        notImplemented(
            "EXECUTOR_CONTAINER_LOGS_STDOUT", "false", "Also write relayed lines to stdout.", "the syslog relay",
            parse: parseBool
        ),
        notImplemented(
            "EXECUTOR_SEND_DOCKER_LABELS", "", "Docker labels added to relayed lines.", "the syslog relay"
        ),
        notImplemented(
            "EXECUTOR_LOG_HOSTNAME", "", "Hostname field of relayed lines (default: the host's name).",
            "the syslog relay"
        ),
    ]

    // MARK: Value syntaxes, as the original's envconfig reads them

    /// Go's `strconv.ParseBool`.
    static func parseBool(_ value: String) throws(SettingValueError) -> Bool {
        switch value {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: throw SettingValueError(reason: "expected true or false (or 1, 0, t, f)")
        }
    }

    /// A non-negative whole number.
    static func parseCount(_ value: String) throws(SettingValueError) -> Int {
        guard let number = Int(value), number >= 0 else {
            throw SettingValueError(reason: "expected a whole number of 0 or more")
        }
        return number
    }

    /// Go's `time.ParseDuration` syntax (`250ms`, `1m30s`); negative durations are refused.
    static func parseDuration(_ value: String) throws(SettingValueError) -> Duration {
        let duration: Duration
        do {
            duration = try Duration.parseGo(value)
        } catch {
            throw SettingValueError(reason: "expected a Go duration such as 500ms, 30s or 1m30s")
        }
        guard duration >= .zero else { throw SettingValueError(reason: "a negative duration makes no sense here") }
        return duration
    }

    private static func duration(
        _ name: String, _ defaultValue: String, _ meaning: String,
        _ field: any WritableKeyPath<ExecutorSettings, Duration> & Sendable
    ) -> SettingDefinition {
        SettingDefinition(name: name, defaultValue: defaultValue, meaning: meaning) {
            settings, value throws(SettingValueError) in settings[keyPath: field] = try parseDuration(value)
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

    private static func notImplemented<Value>(
        _ name: String, _ defaultValue: String, _ meaning: String, _ what: String,
        parse: @escaping @Sendable (String) throws(SettingValueError) -> Value = { $0 }
    ) -> SettingDefinition {
        SettingDefinition(name: name, defaultValue: defaultValue, meaning: meaning, support: .notImplemented(what)) {
            _, value throws(SettingValueError) in _ = try parse(value)
        }
    }
}
