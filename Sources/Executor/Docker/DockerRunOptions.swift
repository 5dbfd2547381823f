import EventLoop

/// The `docker run` options a task may pass in `container.docker.parameters` (as Mesos's docker executor passes
/// each to the CLI as `--key=value`), each mapped to its field of the Engine's create body with the CLI's own value
/// syntax. A value the CLI would refuse fails the task, naming the parameter.
///
/// The options the executor itself owns (`env`, `label`, `cap-add`, `user`, ... in `ContainerParts`) are not here;
/// `ignored` lists options that make no sense under an executor, and `refused` those that cannot be honoured safely.
struct DockerRunOptions: Sendable {
    /// How one option changes the body; `field` names the parameter's value for errors.
    typealias Apply =
        @Sendable (_ options: inout DockerRunOptions, _ value: String, _ field: String) throws(TaskInfoError) -> Void

    /// Top-level create-body fields (`Entrypoint`, `Hostname`, `StopSignal`, ...).
    var config = JSONObject()
    /// `HostConfig` fields.
    var host = JSONObject()

    /// Every option of the table, by its long name (the CLI's short names never reach it: Mesos passes `--key`).
    static let table: [String: Apply] = resourceOptions.merging(isolationOptions) { first, _ in first }
        .merging(containerOptions) { first, _ in first }

    /// Options that mean nothing for a container the executor names, networks and supervises: warned about.
    static let ignored: [String: String] = [
        "detach": "the executor always runs the container detached",
        "rm": "the executor removes the container itself once the terminal update is acknowledged",
        "name": "the executor names the container after the task",
        "restart": "the executor supervises the container; a restart policy would hide its exits",
        "network": "the network comes from container.docker.network",
        "net": "the network comes from container.docker.network",
        "publish": "ports come from container.docker.port_mappings",
        "interactive": "the container has no stdin to attach",
        "attach": "the executor follows the container's logs itself",
    ]

    /// Options refused with a task failure: both read files on the agent host, which a framework must not be able to
    /// copy into its container, and running without them would start the task without its environment or labels.
    static let refused: [String: String] = [
        "env-file": "reads a file on the agent host, which sidecar-executor does not do; pass each variable as 'env'",
        "label-file":
            "reads a file on the agent host, which sidecar-executor does not do; pass each label as 'label'",
    ]

    /// Applies one parameter; false when the table does not know `key`.
    mutating func apply(key: String, value: String, field: String) throws(TaskInfoError) -> Bool {
        if let reason = Self.refused[key] {
            throw .invalid(field: "\(field).key", reason: "is '\(key)', which \(reason)")
        }
        guard let apply = Self.table[key] else { return false }
        try apply(&self, value, "\(field).value")
        return true
    }

    // MARK: - Building blocks of the table

    mutating func appendHost(_ key: String, _ value: JSONValue) {
        host[key] = .array((host[key]?.arrayValue ?? []) + [value])
    }

    mutating func setHostEntry(_ key: String, _ name: String, _ value: JSONValue) {
        var map = host[key]?.objectValue ?? JSONObject()
        map[name] = value
        host[key] = .object(map)
    }

    mutating func setHealthcheck(_ key: String, _ value: JSONValue) {
        var healthcheck = config["Healthcheck"]?.objectValue ?? JSONObject()
        healthcheck[key] = value
        config["Healthcheck"] = .object(healthcheck)
    }

    /// A HostConfig field holding a number.
    static func hostInteger(_ key: String, _ range: ClosedRange<Int64>) -> Apply {
        { options, value, field throws(TaskInfoError) in
            options.host[key] = .int(try DockerRunOptionValue.integer(value, in: range, field: field))
        }
    }

    /// A HostConfig field holding a size in bytes.
    static func hostBytes(_ key: String) -> Apply {
        { options, value, field throws(TaskInfoError) in
            options.host[key] = .int(try DockerRunOptionValue.bytes(value, field: field))
        }
    }

    /// A HostConfig boolean.
    static func hostFlag(_ key: String) -> Apply {
        { options, value, field throws(TaskInfoError) in
            options.host[key] = .bool(try DockerRunOptionValue.flag(value, field: field))
        }
    }

    /// A HostConfig string, checked by `check`.
    static func hostString(_ key: String, _ check: @escaping @Sendable (String, String) throws(TaskInfoError) -> String)
        -> Apply
    {
        { options, value, field throws(TaskInfoError) in options.host[key] = .string(try check(value, field)) }
    }

    /// A repeatable option appending to a HostConfig list, checked by `check`.
    static func hostList(_ key: String, _ check: @escaping @Sendable (String, String) throws(TaskInfoError) -> String)
        -> Apply
    {
        { options, value, field throws(TaskInfoError) in options.appendHost(key, .string(try check(value, field))) }
    }

    /// Any text.
    static let anyText: @Sendable (String, String) throws(TaskInfoError) -> String = { value, _ in value }

    /// Non-empty text.
    static let nonEmpty: @Sendable (String, String) throws(TaskInfoError) -> String = {
        value, field throws(TaskInfoError) in
        guard !value.isEmpty else { throw .invalid(field: field, reason: "is empty") }
        return value
    }
}

extension ContainerParts {
    /// The create body with the run options merged in: an option's field replaces what the executor derived
    /// (e.g. `memory` over EXECUTOR_FORCE_MEMORY_LIMIT), except lists, which are joined (`volume` beside the
    /// sandbox bind).
    static func merge(_ extra: JSONObject, into object: inout JSONObject) {
        for (key, value) in extra {
            if let existing = object[key]?.arrayValue, let added = value.arrayValue {
                object[key] = .array(existing + added)
            } else if let existing = object[key]?.objectValue, let added = value.objectValue, key != "Healthcheck" {
                var joined = existing
                for (name, entry) in added { joined[name] = entry }
                object[key] = .object(joined)
            } else {
                object[key] = value
            }
        }
    }
}

extension ContainerParts {
    /// A parameter `ContainerParts` does not handle itself: a run option, an ignored one (warned about), or unknown
    /// (warned about, or refused with EXECUTOR_STRICT_PARAMETERS).
    mutating func applyRunOption(_ parameter: TaskInfo.KeyValue, field: String) throws(TaskInfoError) {
        let key = parameter.key
        if try runOptions.apply(key: key, value: parameter.value, field: field) { return }
        if let reason = DockerRunOptions.ignored[key] {
            warnings.append("Docker parameter '\(key)' (\(field)) was ignored: \(reason).")
            return
        }
        guard !settings.strictParameters else {
            throw .invalid(
                field: "\(field).key",
                reason: "is '\(key)', a Docker option sidecar-executor does not support (EXECUTOR_STRICT_PARAMETERS)")
        }
        warnings.append("Docker parameter '\(key)' (\(field)) is not supported by sidecar-executor and was ignored.")
    }
}
