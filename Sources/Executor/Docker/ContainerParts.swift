import EventLoop

/// The pieces of a container spec gathered from the Docker parameters and the TaskInfo, one concern per method;
/// `ContainerSpec.make` assembles them.
struct ContainerParts {
    let container: TaskInfo.Container
    let docker: TaskInfo.Docker
    let settings: ContainerSpec.Settings

    var warnings: [String] = []
    var environmentParameters: [String] = []
    /// `label` parameters in order, with the field each came from.
    var labelParameters: [(key: String, value: String, field: String)] = []
    var capAdd: [String] = []
    var capDrop: [String] = []
    var volumeDriver: String?
    var user: String?
    var workingDirectory: String?
    var logDriver: String?
    var logOptions = JSONObject()
    var extraHosts: [String] = []
    var tty = false
    var initProcess: Bool?
    var exposedPorts = JSONObject()
    var portBindings = JSONObject()
    /// The other `docker run` options (`DockerRunOptions`).
    var runOptions = DockerRunOptions()

    /// The label that carries the command line when the TaskInfo has no `command` (the original's convention).
    static let shellCommandLabel = "executor.ShellCommand"

    init(
        task: TaskInfo,
        container: TaskInfo.Container,
        docker: TaskInfo.Docker,
        settings: ContainerSpec.Settings
    ) throws(TaskInfoError) {
        self.container = container
        self.docker = docker
        self.settings = settings
        volumeDriver = docker.volumeDriver
        for (index, parameter) in docker.parameters.enumerated() {
            try apply(parameter, field: "container.docker.parameters[\(index)]")
        }
        for mapping in docker.portMappings {
            for proto in mapping.protocols {
                let key = "\(mapping.containerPort)/\(proto)"
                // The Engine silently drops a binding whose port is not exposed, so every mapping is exposed.
                exposedPorts[key] = .object([:])
                guard mapping.hostPort > 0 else { continue }
                let binding: JSONValue = ["HostIp": "", "HostPort": .string(String(mapping.hostPort))]
                portBindings[key] = .array((portBindings[key]?.arrayValue ?? []) + [binding])
            }
        }
    }

    private mutating func apply(_ parameter: TaskInfo.KeyValue, field: String) throws(TaskInfoError) {
        let value = parameter.value
        switch parameter.key {
        case "env":
            environmentParameters.append(value)
        case "label":
            guard let equals = value.firstIndex(of: "=") else {
                warnings.append("Docker parameter 'label' (\(field)) has no '=' in '\(value)' and was ignored.")
                return
            }
            labelParameters.append(
                (String(value[..<equals]), String(value[value.index(after: equals)...]), "\(field).value"))
        case "cap-add": capAdd.append(value)
        case "cap-drop": capDrop.append(value)
        case "volume-driver": volumeDriver = value
        case "user": user = value
        case "workdir": workingDirectory = value
        case "log-driver": logDriver = value
        case "log-opt":
            guard let equals = value.firstIndex(of: "=") else {
                throw .invalid(field: "\(field).value", reason: "is '\(value)'; a log-opt must be key=value")
            }
            logOptions[String(value[..<equals])] = .string(String(value[value.index(after: equals)...]))
        case "add-host": extraHosts.append(value)
        case "tty": tty = try Self.flag(value, field: field)
        case "init": initProcess = try Self.flag(value, field: field)
        default:
            try applyRunOption(parameter, field: field)
        }
    }

    private static func flag(_ value: String, field: String) throws(TaskInfoError) -> Bool {
        switch value {
        case "", "true", "1": return true
        case "false", "0": return false
        default: throw .invalid(field: "\(field).value", reason: "is '\(value)'; expected true or false")
        }
    }

    /// Docker `label` parameters win over TaskInfo labels: they are where the original (and its users) put them.
    func mergedTaskLabels(_ taskInfoLabels: [TaskInfo.KeyValue]) -> TaskLabels {
        var labels = TaskLabels()
        for (index, label) in taskInfoLabels.enumerated() {
            labels.values[label.key] = label.value
            labels.fields[label.key] = "labels.labels[\(index)].value"
        }
        for label in labelParameters {
            labels.values[label.key] = label.value
            labels.fields[label.key] = label.field
        }
        return labels
    }

    // MARK: - Config

    /// `task.command` as Mesos's docker executor runs it, else the `executor.ShellCommand` label split like a shell.
    func addCommand(task: TaskInfo, labels: TaskLabels, to config: inout JSONObject) throws(TaskInfoError) {
        if let command = task.command {
            if command.shell {
                guard let value = command.value, !value.isEmpty else {
                    throw .invalid(field: "command.value", reason: "is missing; a shell command needs one")
                }
                config["Entrypoint"] = ["/bin/sh", "-c"]
                config["Cmd"] = [.string(value)]
            } else {
                let argv = (command.value.map { [$0] } ?? []) + command.arguments
                if !argv.isEmpty { config["Cmd"] = .array(argv.map { .string($0) }) }
            }
            return
        }
        guard let line = labels[Self.shellCommandLabel] else { return }
        let field = labels.fields[Self.shellCommandLabel] ?? Self.shellCommandLabel
        let words: [String]
        do {
            words = try ShellWords.split(line)
        } catch {
            throw .invalid(field: field, reason: "(\(Self.shellCommandLabel)) cannot be split: \(error)")
        }
        guard !words.isEmpty else { throw .invalid(field: field, reason: "(\(Self.shellCommandLabel)) is empty") }
        config["Cmd"] = .array(words.map { .string($0) })
    }

    /// The container's environment, in the original's order, then Mesos's docker executor variables.
    func environment(task: TaskInfo, labels: TaskLabels, image: ImageReference) -> [String] {
        var environment: [String] = []
        let commandVariables = (task.executorCommand?.environment ?? []) + (task.command?.environment ?? [])
        for variable in commandVariables { environment.append("\(variable.name)=\(variable.value)") }
        environment += environmentParameters
        for mapping in docker.portMappings where mapping.hostPort > 0 {
            environment.append("MESOS_PORT_\(mapping.containerPort)=\(mapping.hostPort)")
        }
        let taskHost = commandVariables.last(where: { $0.name == "TASK_HOST" })?.value ?? settings.taskHost
        if let taskHost { environment.append("MESOS_HOSTNAME=\(taskHost)") }
        if let serviceName = labels["ServiceName"] { environment.append("SERVICE_NAME=\(serviceName)") }
        if let environmentName = labels["Environment"] { environment.append("ENVIRONMENT=\(environmentName)") }
        environment.append("SERVICE_VERSION=\(image.version)")
        environment.append("MESOS_SANDBOX=\(ContainerSpec.sandboxMountPoint)")
        environment.append("MESOS_TASK_ID=\(task.taskID)")
        return environment
    }

    /// `TaskInfo.labels`, then the `label` parameters over them (neither with the command label), then labels
    /// naming the task, executor and framework.
    func dockerLabels(task: TaskInfo) -> JSONObject {
        var labels = JSONObject()
        for label in task.labels where label.key != Self.shellCommandLabel {
            labels[label.key] = .string(label.value)
        }
        for label in labelParameters where label.key != Self.shellCommandLabel {
            labels[label.key] = .string(label.value)
        }
        labels["mesos.task_id"] = .string(task.taskID)
        if let executorID = task.executorID { labels["mesos.executor_id"] = .string(executorID) }
        if let frameworkID = task.frameworkID { labels["mesos.framework_id"] = .string(frameworkID) }
        return labels
    }
}
