import EventLoop

/// What the Mesos agent tells its executor through the environment (docs/mesos-executor-api.md lists the variables).
///
/// Defaults, for variables a real agent may leave out:
/// - `MESOS_SANDBOX` defaults to `MESOS_DIRECTORY` (they differ only for executors with an image rootfs), and
///   `MESOS_DIRECTORY` to `MESOS_SANDBOX`; one of them is required.
/// - `MESOS_CHECKPOINT`: missing means no checkpointing; only `1` and `0` are accepted.
/// - `MESOS_RECOVERY_TIMEOUT` and `MESOS_SUBSCRIPTION_BACKOFF_MAX` are required when checkpointing, as the C++
///   executor library requires them (the agent always sets them then); without checkpointing they are unused, so
///   they default to the agent's own defaults (`15mins`, `2secs`) and are only checked when present.
/// - `MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD` defaults to the agent flag's default, `5secs`.
/// - `MESOS_EXECUTOR_AUTHENTICATION_TOKEN` is optional (only agents with executor authentication set it).
/// - `MESOS_SLAVE_PID` (`slave(1)@10.0.0.5:5051`, the agent's libprocess id and address), when set, names the executor
///   endpoint as the C++ executor library builds it: `/slave(1)/api/v1/executor` at that address. It is the route that
///   is the agent's even in a process that also hosts a master, where `/api/v1/executor` is the master's. Without it,
///   `MESOS_AGENT_ENDPOINT` (host:port) and `/api/v1/executor`.
struct AgentEnvironment: Sendable, Equatable {
    /// Where the agent serves its executor API.
    var agentEndpoint: Endpoint
    /// The request target of the executor API at `agentEndpoint`.
    var executorPath: String = AgentEnvironment.defaultExecutorPath
    var frameworkID: String
    var executorID: String
    /// The sandbox as seen from the host (`MESOS_DIRECTORY`): what Docker bind-mounts.
    var directory: String
    /// The sandbox as seen by the executor (`MESOS_SANDBOX`).
    var sandbox: String
    /// Whether the framework checkpoints: then the executor survives an agent restart by resubscribing.
    var checkpoint: Bool
    /// How long the executor keeps trying to resubscribe after losing the agent before it shuts down.
    var recoveryTimeout: Duration
    /// The upper bound of the uniform-random wait between two resubscription attempts.
    var subscriptionBackoffMax: Duration
    /// How long the agent lets the executor shut down after SHUTDOWN before destroying its container.
    var shutdownGracePeriod: Duration
    /// Sent as `Authorization: Bearer <token>`; its description is redacted.
    var authenticationToken: AgentAuthenticationToken?

    static let defaultExecutorPath = "/api/v1/executor"
    static let defaultRecoveryTimeout = Duration.seconds(15 * 60)
    static let defaultSubscriptionBackoffMax = Duration.seconds(2)
    static let defaultShutdownGracePeriod = Duration.seconds(5)

    /// Reads the `MESOS_*` variables; every missing or malformed one is reported in one error.
    static func parse(_ environment: [String: String]) throws(SettingsError) -> AgentEnvironment {
        var reader = Reader(environment: environment)
        let (endpoint, path) = reader.agentAddress()
        let frameworkID = reader.identifier("MESOS_FRAMEWORK_ID")
        let executorID = reader.identifier("MESOS_EXECUTOR_ID")
        let (directory, sandbox) = reader.sandboxPaths()
        let checkpoint = reader.checkpoint("MESOS_CHECKPOINT")
        let recoveryTimeout = reader.duration(
            "MESOS_RECOVERY_TIMEOUT", required: checkpoint, default: defaultRecoveryTimeout)
        let backoffMax = reader.duration(
            "MESOS_SUBSCRIPTION_BACKOFF_MAX", required: checkpoint, default: defaultSubscriptionBackoffMax)
        let grace = reader.duration(
            "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", required: false, default: defaultShutdownGracePeriod)
        let token = reader.token("MESOS_EXECUTOR_AUTHENTICATION_TOKEN")
        guard reader.problems.isEmpty, let endpoint, let frameworkID, let executorID, let directory, let sandbox else {
            throw SettingsError(problems: reader.problems)
        }
        return AgentEnvironment(
            agentEndpoint: endpoint, executorPath: path, frameworkID: frameworkID, executorID: executorID,
            directory: directory, sandbox: sandbox, checkpoint: checkpoint, recoveryTimeout: recoveryTimeout,
            subscriptionBackoffMax: backoffMax, shutdownGracePeriod: grace, authenticationToken: token)
    }
}

/// The agent's executor authentication token. Its `description` never shows the value, so a token that reaches a
/// log line through string interpolation or `dump` stays secret.
struct AgentAuthenticationToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The secret itself; read it only to build the `Authorization` header.
    let value: String

    var description: String { "<redacted token>" }
    var debugDescription: String { description }
    var customMirror: Mirror { Mirror(self, children: [:]) }

    /// `Bearer <token>`, the `Authorization` header value.
    var authorizationHeaderValue: String { "Bearer \(value)" }
}

/// Collects problems instead of stopping at the first, so one error names every bad variable.
private struct Reader {
    let environment: [String: String]
    /// One sentence per problem, starting with the variable's name.
    var problems: [String] = []

    private mutating func report(_ variable: String, _ issue: String) {
        // An issue that quotes a parser's error already ends with that error's full stop.
        problems.append("\(variable) \(issue)\(issue.hasSuffix(".") ? "" : ".")")
    }

    /// The value, or nil when missing; an empty value counts as missing.
    private func value(_ variable: String) -> String? {
        guard let value = environment[variable], !value.isEmpty else { return nil }
        return value
    }

    /// The endpoint and path of the executor API: from `MESOS_SLAVE_PID` when set, else `MESOS_AGENT_ENDPOINT`.
    mutating func agentAddress() -> (Endpoint?, String) {
        let variable = "MESOS_SLAVE_PID"
        guard let pid = value(variable) else {
            return (endpoint("MESOS_AGENT_ENDPOINT"), AgentEnvironment.defaultExecutorPath)
        }
        // `<id>@<ip>:<port>`; the id is a libprocess process name such as `slave(1)`.
        let parts = pid.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        let allowed: (Character) -> Bool = { $0.isLetter || $0.isNumber || "()_-.".contains($0) }
        guard parts.count == 2, !parts[0].isEmpty, parts[0].allSatisfy(allowed) else {
            report(variable, "is not a libprocess pid such as 'slave(1)@10.0.0.5:5051' ('\(pid)')")
            return (nil, AgentEnvironment.defaultExecutorPath)
        }
        do {
            return (try Endpoint(parsing: String(parts[1])), "/\(parts[0])/api/v1/executor")
        } catch {
            report(variable, "does not end in an ip:port ('\(pid)'): \(error)")
            return (nil, AgentEnvironment.defaultExecutorPath)
        }
    }

    mutating func endpoint(_ variable: String) -> Endpoint? {
        guard let text = value(variable) else {
            report(variable, "is missing (expected the agent's host:port)")
            return nil
        }
        do {
            return try Endpoint(parsing: text)
        } catch {
            report(variable, "is not a host:port endpoint ('\(text)'): \(error)")
            return nil
        }
    }

    mutating func identifier(_ variable: String) -> String? {
        guard let text = value(variable) else {
            report(variable, "is missing")
            return nil
        }
        return text
    }

    mutating func sandboxPaths() -> (directory: String?, sandbox: String?) {
        let directory = value("MESOS_DIRECTORY")
        let sandbox = value("MESOS_SANDBOX")
        guard directory != nil || sandbox != nil else {
            report("MESOS_DIRECTORY", "is missing, and so is MESOS_SANDBOX (one of them is required)")
            return (nil, nil)
        }
        for (variable, path) in [("MESOS_DIRECTORY", directory), ("MESOS_SANDBOX", sandbox)] {
            if let path, !path.hasPrefix("/") {
                report(variable, "is not an absolute path ('\(path)')")
            }
        }
        return (directory ?? sandbox, sandbox ?? directory)
    }

    mutating func checkpoint(_ variable: String) -> Bool {
        switch environment[variable] {
        case nil, "0": return false
        case "1": return true
        case let other?:
            report(variable, "must be '1' or '0', not '\(other)'")
            return false
        }
    }

    mutating func duration(_ variable: String, required: Bool, default fallback: Duration) -> Duration {
        guard let text = value(variable) else {
            if required {
                report(variable, "is missing (the agent sets it when the framework checkpoints)")
            }
            return fallback
        }
        do {
            return try Duration.parseMesos(text)
        } catch {
            report(variable, "is not a Mesos duration such as '5secs': \(error)")
            return fallback
        }
    }

    mutating func token(_ variable: String) -> AgentAuthenticationToken? {
        guard let text = environment[variable] else { return nil }
        // Report the problem without the value: even a malformed token may be a secret.
        if text.isEmpty || text.contains(where: { $0.isNewline || $0 == " " }) {
            report(variable, "is empty or contains whitespace (value not shown)")
            return nil
        }
        return AgentAuthenticationToken(value: text)
    }
}
