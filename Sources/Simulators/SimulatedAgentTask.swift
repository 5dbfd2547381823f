import EventLoop

/// A task the simulated agent launches: a builder for a realistic Docker TaskInfo as the real agent emits it
/// (compact, mesos.proto declaration order, `[default=...]` fields filled in), for tests and the demo.
///
/// A real master refuses a TaskInfo that has both `command` and `executor` (docs/mesos-executor-api.md); the simulated
/// agent does not validate TaskInfo, so `command` may be set to give the container its command, as tests need.
public struct SimulatedAgentTask: Sendable {
    public struct PortMapping: Sendable {
        public var hostPort: Int
        public var containerPort: Int
        public var `protocol`: String?

        public init(hostPort: Int, containerPort: Int, protocol: String? = "tcp") {
            self.hostPort = hostPort
            self.containerPort = containerPort
            self.protocol = `protocol`
        }
    }

    public struct Volume: Sendable {
        public var containerPath: String
        public var hostPath: String?
        /// `RW` or `RO`.
        public var mode: String

        public init(containerPath: String, hostPath: String?, mode: String = "RW") {
            self.containerPath = containerPath
            self.hostPath = hostPath
            self.mode = mode
        }
    }

    public var taskID: String
    public var name: String
    public var image: String
    /// `CommandInfo.value`; nil sends no `command` (as a real master does for custom executors).
    public var command: String?
    public var shell = true
    public var arguments: [String] = []
    /// `HOST` (the default), `BRIDGE`, `NONE` or `USER`.
    public var network = "HOST"
    public var portMappings: [PortMapping] = []
    /// Docker `parameters`, passed through in order (repeats allowed).
    public var parameters: [(key: String, value: String)] = []
    public var volumes: [Volume] = []
    public var forcePullImage = false
    /// `TaskInfo.labels`.
    public var labels: [(key: String, value: String)] = []
    /// `ExecutorInfo.command.environment` of the task's executor.
    public var executorEnvironment: [(name: String, value: String)] = []
    public var killGracePeriod: Duration?
    public var cpus = 0.5
    public var memoryMegabytes = 128.0
    /// Fields merged into the TaskInfo last (they replace built ones): anything the builder does not cover.
    public var extraFields: [(String, JSONValue)] = []

    public init(taskID: String, name: String = "web", image: String = "local/busybox:latest", command: String? = nil) {
        self.taskID = taskID
        self.name = name
        self.image = image
        self.command = command
    }

    /// The TaskInfo JSON the agent sends in LAUNCH for this task.
    public func taskInfo(agentID: String, executorID: String, frameworkID: String) -> JSONValue {
        var task = JSONObject()
        task["name"] = .string(name)
        task["task_id"] = ["value": .string(taskID)]
        task["agent_id"] = ["value": .string(agentID)]
        task["resources"] = [
            SimulatedAgentJSON.scalarResource("cpus", cpus), SimulatedAgentJSON.scalarResource("mem", memoryMegabytes),
        ]
        task["executor"] = SimulatedAgentJSON.executorInfo(
            executorID: executorID, frameworkID: frameworkID, environment: executorEnvironment)
        if let command {
            var info = JSONObject()
            info["shell"] = .bool(shell)
            info["value"] = .string(command)
            if !arguments.isEmpty {
                info["arguments"] = .array(arguments.map { .string($0) })
            }
            task["command"] = .object(info)
        }
        task["container"] = container
        if let killGracePeriod {
            task["kill_policy"] = ["grace_period": ["nanoseconds": .int(killGracePeriod.nanosecondsValue)]]
        }
        if !labels.isEmpty {
            task["labels"] = ["labels": .array(labels.map { ["key": .string($0.key), "value": .string($0.value)] })]
        }
        for (key, value) in extraFields {
            task[key] = value
        }
        return .object(task)
    }

    private var container: JSONValue {
        var docker = JSONObject()
        docker["image"] = .string(image)
        docker["network"] = .string(network)
        if !portMappings.isEmpty {
            docker["port_mappings"] = .array(
                portMappings.map { mapping in
                    var object: JSONObject = [
                        "host_port": .int(Int64(mapping.hostPort)),
                        "container_port": .int(Int64(mapping.containerPort)),
                    ]
                    if let proto = mapping.protocol {
                        object["protocol"] = .string(proto)
                    }
                    return .object(object)
                })
        }
        docker["privileged"] = false
        if !parameters.isEmpty {
            docker["parameters"] = .array(parameters.map { ["key": .string($0.key), "value": .string($0.value)] })
        }
        docker["force_pull_image"] = .bool(forcePullImage)
        var container = JSONObject()
        container["type"] = "DOCKER"
        if !volumes.isEmpty {
            container["volumes"] = .array(
                volumes.map { volume in
                    var object: JSONObject = [
                        "mode": .string(volume.mode), "container_path": .string(volume.containerPath),
                    ]
                    if let hostPath = volume.hostPath {
                        object["host_path"] = .string(hostPath)
                    }
                    return .object(object)
                })
        }
        container["docker"] = .object(docker)
        return .object(container)
    }
}

/// JSON pieces the simulated agent emits, as the real agent prints them.
enum SimulatedAgentJSON {
    static func scalarResource(_ name: String, _ value: Double) -> JSONValue {
        [
            "name": .string(name), "type": "SCALAR", "scalar": ["value": .double(value)],
            "allocation_info": ["role": "*"],
        ]
    }

    static func executorInfo(executorID: String, frameworkID: String, environment: [(name: String, value: String)])
        -> JSONValue
    {
        var command = JSONObject()
        if !environment.isEmpty {
            command["environment"] = [
                "variables": .array(
                    environment.map { ["name": .string($0.name), "type": "VALUE", "value": .string($0.value)] })
            ]
        }
        command["shell"] = true
        command["value"] = "/opt/sidecar-executor/executor.sh"
        var executor = JSONObject()
        executor["type"] = "CUSTOM"
        executor["executor_id"] = ["value": .string(executorID)]
        executor["framework_id"] = ["value": .string(frameworkID)]
        executor["command"] = .object(command)
        executor["resources"] = [scalarResource("cpus", 0.1), scalarResource("mem", 32.0)]
        executor["name"] = "sidecar-executor"
        return .object(executor)
    }

    /// SUBSCRIBED: executor, framework and agent info with the defaults the real agent fills in.
    static func subscribed(
        executorID: String, frameworkID: String, agentID: String, hostname: String, checkpoint: Bool,
        capabilities: [String], containerID: String
    ) -> JSONValue {
        var framework = JSONObject()
        framework["user"] = "root"
        framework["name"] = "simulated-framework"
        framework["id"] = ["value": .string(frameworkID)]
        framework["failover_timeout"] = checkpoint ? 604_800.0 : 0.0
        framework["checkpoint"] = .bool(checkpoint)
        framework["roles"] = ["*"]
        framework["hostname"] = "scheduler.example"
        if !capabilities.isEmpty {
            framework["capabilities"] = .array(capabilities.map { ["type": .string($0)] })
        }
        var agent = JSONObject()
        agent["hostname"] = .string(hostname)
        agent["port"] = 5051
        agent["id"] = ["value": .string(agentID)]
        var subscribed = JSONObject()
        subscribed["executor_info"] = executorInfo(executorID: executorID, frameworkID: frameworkID, environment: [])
        subscribed["framework_info"] = .object(framework)
        subscribed["agent_info"] = .object(agent)
        subscribed["container_id"] = ["value": .string(containerID)]
        return ["type": "SUBSCRIBED", "subscribed": .object(subscribed)]
    }

    static func kill(taskID: String, gracePeriod: Duration?) -> JSONValue {
        var kill: JSONObject = ["task_id": ["value": .string(taskID)]]
        if let gracePeriod {
            kill["kill_policy"] = ["grace_period": ["nanoseconds": .int(gracePeriod.nanosecondsValue)]]
        }
        return ["type": "KILL", "kill": .object(kill)]
    }

    static func acknowledged(taskID: String, uuid: String) -> JSONValue {
        ["type": "ACKNOWLEDGED", "acknowledged": ["task_id": ["value": .string(taskID)], "uuid": .string(uuid)]]
    }
}
