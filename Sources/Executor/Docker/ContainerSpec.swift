import EventLoop

/// What the executor asks the Docker Engine to create for a task: a pure function of the TaskInfo, the operator's
/// settings and a few facts about the agent, so that every mapping is a table test.
///
/// It covers the original Go executor's TaskInfo → Docker mapping (image, `env` and `label` parameters, port
/// mappings, volumes, network, capabilities, the CPU and memory limits; README.md's "Supported TaskInfo fields"
/// table lists each) and Mesos's own docker executor conventions (the sandbox at /mnt/mesos/sandbox, `task.command`
/// with its `shell` flag). A Docker parameter it does not support is reported in `warnings` by name, never silently
/// dropped.
struct ContainerSpec: Sendable {
    /// What the spec depends on besides the TaskInfo.
    struct Settings: Sendable, Equatable {
        /// EXECUTOR_FORCE_CPU_LIMIT: apply the `cpus` resource as a CPU limit.
        var forceCPULimit = false
        /// EXECUTOR_FORCE_MEMORY_LIMIT: apply the `mem` resource as a memory limit.
        var forceMemoryLimit = false
        /// EXECUTOR_USE_CPU_SHARES: with forceCPULimit, use CPU shares instead of a CFS quota.
        var useCPUShares = false
        /// The host's online CPUs, for the shares computation.
        var hostCPUCount = 1
        /// The task's sandbox on the host (MESOS_DIRECTORY), mounted at /mnt/mesos/sandbox.
        var sandboxDirectory: String
        /// TASK_HOST from the executor's own environment, used when the TaskInfo's executor environment has none.
        var taskHost: String?
        /// EXECUTOR_STRICT_PARAMETERS: an unsupported Docker parameter fails the task instead of being warned about.
        var strictParameters = false
    }

    /// Where the sandbox appears inside the container, as with Mesos's docker executor.
    static let sandboxMountPoint = "/mnt/mesos/sandbox"
    /// The original's CFS period (µs); the quota is `cpus` × this.
    static let cpuPeriod: Int64 = 50_000

    let name: String
    let image: ImageReference
    let forcePull: Bool
    /// The container has a TTY: its log stream is raw, not multiplexed.
    let hasTTY: Bool
    /// Labels the health layer reads (`SidecarDiscover`, `ServiceName`, ...): Docker `label` parameters over
    /// TaskInfo labels.
    let taskLabels: [String: String]
    /// The body of `POST /containers/create`.
    let body: JSONValue
    /// Things the operator should know about, e.g. "Docker parameter 'ulimit' ... is not supported ...".
    let warnings: [String]

    /// Builds the spec, or throws the first problem found, naming the field.
    static func make(task: TaskInfo, settings: Settings) throws(TaskInfoError) -> ContainerSpec {
        guard let container = task.container else { throw .missing(field: "container") }
        guard container.type == "DOCKER" else {
            throw .invalid(
                field: "container.type", reason: "is \(container.type); sidecar-executor runs DOCKER containers")
        }
        guard let docker = container.docker else { throw .missing(field: "container.docker") }
        let image: ImageReference
        do {
            image = try ImageReference(parsing: docker.image)
        } catch {
            throw .invalid(field: "container.docker.image", reason: "is not usable: \(error)")
        }
        var parts = try ContainerParts(task: task, container: container, docker: docker, settings: settings)
        let labels = parts.mergedTaskLabels(task.labels)
        for key in ["ServiceName", "Environment"] where labels[key] == nil {
            parts.warnings.append(
                "The task has no '\(key)' label, so the container gets no \(key == "ServiceName" ? "SERVICE_NAME" : "ENVIRONMENT")."
            )
        }

        var config = JSONObject()
        config["Image"] = .string(docker.image)
        try parts.addCommand(task: task, labels: labels, to: &config)
        config["Env"] = .array(parts.environment(task: task, labels: labels, image: image).map { .string($0) })
        config["Labels"] = .object(parts.dockerLabels(task: task))
        if !parts.exposedPorts.isEmpty { config["ExposedPorts"] = .object(parts.exposedPorts) }
        if let hostname = container.hostname { config["Hostname"] = .string(hostname) }
        if let user = parts.user { config["User"] = .string(user) }
        if let workdir = parts.workingDirectory { config["WorkingDir"] = .string(workdir) }
        let hasTTY = container.hasTTY || parts.tty
        if hasTTY { config["Tty"] = true }
        var host = try parts.hostConfig(task: task)
        ContainerParts.merge(
            try DockerContainerInfoOptions.hostConfig(for: task, volumeDriver: parts.volumeDriver), into: &host)
        ContainerParts.merge(parts.runOptions.host, into: &host)
        if parts.runOptions.host["NanoCpus"] != nil {
            // `cpus` replaces the quota EXECUTOR_FORCE_CPU_LIMIT derives: the engine refuses both at once.
            _ = host.removeValue(forKey: "CpuPeriod")
            _ = host.removeValue(forKey: "CpuQuota")
        }
        ContainerParts.merge(parts.runOptions.config, into: &config)
        config["HostConfig"] = .object(host)
        return ContainerSpec(
            name: ContainerName.forTask(id: task.taskID),
            image: image,
            forcePull: docker.forcePullImage,
            hasTTY: hasTTY,
            taskLabels: labels.values,
            body: .object(config),
            warnings: parts.warnings
        )
    }
}

/// A label value and where it came from, so that an error about it can name the field.
struct TaskLabels {
    var values: [String: String] = [:]
    var fields: [String: String] = [:]

    subscript(key: String) -> String? { values[key] }
}
