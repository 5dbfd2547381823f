import EventLoop

extension TaskInfo {
    /// Reads and checks the fields the executor uses; see `TaskInfo` for what is checked here and what later.
    static func parse(_ raw: JSONValue) throws(TaskInfoError) -> TaskInfo {
        let root = TaskInfoField(raw, path: "")
        guard raw.objectValue != nil else { throw .wrongType(field: "TaskInfo", expected: "an object") }
        var task = TaskInfo(
            raw: raw,
            taskID: try root["task_id"]["value"].requiredString(),
            name: try root["name"].string() ?? ""
        )
        task.agentID = try root["agent_id"]["value"].string()
        task.executorID = try root["executor"]["executor_id"]["value"].string()
        task.frameworkID = try root["executor"]["framework_id"]["value"].string()
        if root["command"].isPresent { task.command = try parseCommand(root["command"]) }
        if root["executor"]["command"].isPresent {
            task.executorCommand = try parseCommand(root["executor"]["command"])
        }
        if root["container"].isPresent { task.container = try parseContainer(root["container"]) }
        for resource in try root["resources"].elements() {
            let name = try resource["name"].requiredString()
            if let value = try resource["scalar"]["value"].double() {
                task.scalarResources[name, default: 0] += value
            }
        }
        if let nanoseconds = try root["kill_policy"]["grace_period"]["nanoseconds"].int() {
            guard nanoseconds >= 0 else {
                throw .invalid(field: "kill_policy.grace_period.nanoseconds", reason: "is negative (\(nanoseconds))")
            }
            task.killGracePeriod = .nanoseconds(nanoseconds)
        }
        task.labels = try parseKeyValues(root["labels"]["labels"], valueRequired: false)
        task.healthCheck = try parseHealthCheck(root["health_check"])
        task.check = try parseCheck(root["check"])
        task.maxCompletionTime = try parseMaxCompletionTime(root["max_completion_time"])
        return task
    }

    static func parseCommand(_ field: TaskInfoField) throws(TaskInfoError) -> Command {
        try field.requireObjectIfPresent()
        var command = Command()
        command.shell = try field["shell"].bool() ?? true
        command.value = try field["value"].string()
        for argument in try field["arguments"].elements() { command.arguments.append(try argument.requiredString()) }
        for variable in try field["environment"]["variables"].elements() {
            let type = try variable["type"].string() ?? "VALUE"
            guard type == "VALUE" else {
                throw .invalid(field: variable["type"].path, reason: "is \(type); only VALUE variables are supported")
            }
            // The original dereferenced a missing value and crashed; an unset value is an empty one.
            command.environment.append(
                EnvironmentVariable(
                    name: try variable["name"].requiredString(), value: try variable["value"].string() ?? "")
            )
        }
        return command
    }

    private static func parseContainer(_ field: TaskInfoField) throws(TaskInfoError) -> Container {
        try field.requireObjectIfPresent()
        var container = Container(type: try field["type"].requiredString())
        container.hostname = try field["hostname"].string()
        for volume in try field["volumes"].elements() { container.volumes.append(try parseVolume(volume)) }
        if field["docker"].isPresent { container.docker = try parseDocker(field["docker"]) }
        for info in try field["network_infos"].elements() { container.networkNames.append(try info["name"].string()) }
        try field["tty_info"].requireObjectIfPresent()
        container.hasTTY = field["tty_info"].isPresent
        return container
    }

    private static func parseDocker(_ field: TaskInfoField) throws(TaskInfoError) -> Docker {
        try field.requireObjectIfPresent()
        var docker = Docker(image: try field["image"].requiredString())
        if let network = try field["network"].string() {
            guard let parsed = Network(rawValue: network) else {
                throw .invalid(
                    field: field["network"].path, reason: "is '\(network)'; expected HOST, BRIDGE, NONE or USER")
            }
            docker.network = parsed
        }
        for mapping in try field["port_mappings"].elements() {
            docker.portMappings.append(try parsePortMapping(mapping))
        }
        docker.privileged = try field["privileged"].bool() ?? false
        docker.parameters = try parseKeyValues(field["parameters"], valueRequired: true)
        docker.forcePullImage = try field["force_pull_image"].bool() ?? false
        docker.volumeDriver = try field["volume_driver"].string()
        return docker
    }

    private static func parsePortMapping(_ field: TaskInfoField) throws(TaskInfoError) -> PortMapping {
        func port(_ name: String, allowZero: Bool) throws(TaskInfoError) -> Int {
            let value = field[name]
            guard let number = try value.int() else { throw .missing(field: value.path) }
            let lowest: Int64 = allowZero ? 0 : 1
            guard number >= lowest, number <= 65535 else {
                throw .invalid(
                    field: value.path, reason: "is \(number); expected a port number from \(lowest) to 65535")
            }
            return Int(number)
        }
        let hostPort = try port("host_port", allowZero: true)
        let containerPort = try port("container_port", allowZero: false)
        var protocols: [String] = []
        for name in (try field["protocol"].string() ?? "").split(separator: ",") {
            let trimmed = name.trimmingBlanks().lowercased()
            guard ["tcp", "udp", "sctp"].contains(trimmed) else {
                throw .invalid(field: field["protocol"].path, reason: "names '\(trimmed)'; expected tcp, udp or sctp")
            }
            if !protocols.contains(trimmed) { protocols.append(trimmed) }
        }
        return PortMapping(
            hostPort: hostPort, containerPort: containerPort, protocols: protocols.isEmpty ? ["tcp"] : protocols)
    }

    private static func parseVolume(_ field: TaskInfoField) throws(TaskInfoError) -> Volume {
        let mode = try field["mode"].requiredString()
        guard mode == "RW" || mode == "RO" else {
            throw .invalid(field: field["mode"].path, reason: "is '\(mode)'; expected RW or RO")
        }
        let containerPath = try field["container_path"].requiredString()
        guard !containerPath.isEmpty else { throw .invalid(field: field["container_path"].path, reason: "is empty") }
        guard !field["image"].isPresent else {
            throw .invalid(field: field["image"].path, reason: "is set; image volumes are not supported")
        }
        let source: VolumeSource
        if let hostPath = try field["host_path"].string() {
            source = .hostPath(hostPath)
        } else if field["source"].isPresent {
            source = try parseVolumeSource(field["source"])
        } else {
            throw .missing(field: field["host_path"].path)
        }
        if case .hostPath(let path) = source, path.isEmpty {
            throw .invalid(field: field["host_path"].path, reason: "is empty")
        }
        return Volume(readOnly: mode == "RO", containerPath: containerPath, source: source)
    }

    private static func parseVolumeSource(_ field: TaskInfoField) throws(TaskInfoError) -> VolumeSource {
        let type = try field["type"].requiredString()
        switch type {
        case "DOCKER_VOLUME":
            let name = try field["docker_volume"]["name"].requiredString()
            return .dockerVolume(name: name, driver: try field["docker_volume"]["driver"].string())
        case "HOST_PATH":
            return .hostPath(try field["host_path"]["path"].requiredString())
        case "SANDBOX_PATH":
            let kind = try field["sandbox_path"]["type"].string() ?? "SELF"
            guard kind == "SELF" else {
                throw .invalid(field: field["sandbox_path"]["type"].path, reason: "is \(kind); only SELF is supported")
            }
            let path = try field["sandbox_path"]["path"].requiredString()
            guard !path.hasPrefix("/") else {
                throw .invalid(field: field["sandbox_path"]["path"].path, reason: "must be relative to the sandbox")
            }
            return .hostPath(path)
        default:
            throw .invalid(
                field: field["type"].path,
                reason: "is \(type); sidecar-executor supports DOCKER_VOLUME, HOST_PATH and SANDBOX_PATH")
        }
    }

    private static func parseKeyValues(_ field: TaskInfoField, valueRequired: Bool) throws(TaskInfoError) -> [KeyValue]
    {
        var pairs: [KeyValue] = []
        for entry in try field.elements() {
            let key = try entry["key"].requiredString()
            let value = valueRequired ? try entry["value"].requiredString() : try entry["value"].string() ?? ""
            pairs.append(KeyValue(key: key, value: value))
        }
        return pairs
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line ends (the stdlib has no trim without Foundation).
    func trimmingBlanks() -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
