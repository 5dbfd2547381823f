import EventLoop

extension ContainerParts {
    /// `HostConfig`: mounts, network, ports, capabilities and limits.
    func hostConfig(task: TaskInfo) throws(TaskInfoError) -> JSONObject {
        var host = JSONObject()
        let mounted = try DockerContainerInfoOptions.volumeMounts(for: task)
        host["Binds"] = .array(try binds(skipping: Set(mounted.keys)).map { .string($0) })
        if !mounted.isEmpty { host["Mounts"] = .array(mounted.keys.sorted().compactMap { mounted[$0] }) }
        host["NetworkMode"] = .string(try networkMode())
        if !portBindings.isEmpty { host["PortBindings"] = .object(portBindings) }
        if !capAdd.isEmpty { host["CapAdd"] = .array(capAdd.map { .string($0) }) }
        if !capDrop.isEmpty { host["CapDrop"] = .array(capDrop.map { .string($0) }) }
        if let volumeDriver { host["VolumeDriver"] = .string(volumeDriver) }
        if docker.privileged { host["Privileged"] = true }
        if !extraHosts.isEmpty { host["ExtraHosts"] = .array(extraHosts.map { .string($0) }) }
        if let initProcess { host["Init"] = .bool(initProcess) }
        if logDriver != nil || !logOptions.isEmpty {
            var logConfig = JSONObject()
            logConfig["Type"] = .string(logDriver ?? "")
            logConfig["Config"] = .object(logOptions)
            host["LogConfig"] = .object(logConfig)
        }
        if settings.forceCPULimit, let cpus = task.scalarResources["cpus"], cpus > 0 {
            if settings.useCPUShares {
                // The original's formula: a share of 1024 per whole host, capped at one host's worth.
                let fraction = min(cpus / Double(max(settings.hostCPUCount, 1)), 1)
                host["CpuShares"] = .int(Int64(1024 * fraction))
            } else {
                host["CpuPeriod"] = .int(ContainerSpec.cpuPeriod)
                host["CpuQuota"] = .int(try Self.limit(cpus, times: Double(ContainerSpec.cpuPeriod), resource: "cpus"))
            }
        }
        if settings.forceMemoryLimit, let memory = task.scalarResources["mem"], memory > 0 {
            host["Memory"] = .int(try Self.limit(memory, times: 1_048_576, resource: "mem"))
        }
        return host
    }

    /// A resource scaled to the integer Docker takes (a CFS quota, bytes). A scheduler's absurd value (JSON allows
    /// 1e300 CPUs) fails the task by name instead of trapping in the conversion to Int64.
    private static func limit(_ value: Double, times factor: Double, resource: String) throws(TaskInfoError) -> Int64 {
        let scaled = (value * factor).rounded(.down)
        // 2^63 is exactly representable; every double below it converts.
        guard scaled.isFinite, scaled < 9_223_372_036_854_775_808.0 else {
            throw .invalid(field: "resources.\(resource)", reason: "is \(value), more than Docker can be given")
        }
        return Int64(scaled)
    }

    /// The sandbox first, then each volume: a relative host path lives in the sandbox (with a volume driver it is
    /// a named volume), a relative container path in the sandbox mount point (both relative is an error, as in
    /// Mesos).
    /// - Parameter skipping: volumes mounted as `Mounts` instead (Docker volumes with driver options).
    private func binds(skipping: Set<Int> = []) throws(TaskInfoError) -> [String] {
        var binds = ["\(settings.sandboxDirectory):\(ContainerSpec.sandboxMountPoint)"]
        for (index, volume) in container.volumes.enumerated() where !skipping.contains(index) {
            let field = "container.volumes[\(index)]"
            let containerRelative = !volume.containerPath.hasPrefix("/")
            try Self.checkPath(volume.containerPath, field: "\(field).container_path")
            var source: String
            switch volume.source {
            case .hostPath(let path):
                try Self.checkPath(path, field: "\(field).host_path")
                if path.hasPrefix("/") {
                    source = path
                } else if volumeDriver != nil {
                    // With a volume driver (rexray and the like) a relative host path names a Docker volume of
                    // that driver, as the original passed it through; without one it lives in the sandbox.
                    source = path
                } else {
                    guard !containerRelative else {
                        throw .invalid(
                            field: "\(field).container_path",
                            reason: "is relative and so is the host path; one of them must be absolute")
                    }
                    source = "\(settings.sandboxDirectory)/\(path)"
                }
            case .dockerVolume(let name, _):
                try Self.checkPath(name, field: "\(field).source.docker_volume.name")
                source = name
            }
            let target =
                containerRelative
                ? "\(ContainerSpec.sandboxMountPoint)/\(volume.containerPath)" : volume.containerPath
            binds.append("\(source):\(target)" + (volume.readOnly ? ":ro" : ""))
        }
        return binds
    }

    /// Rejects what would break the `source:target:mode` syntax or climb out of the sandbox.
    private static func checkPath(_ path: String, field: String) throws(TaskInfoError) {
        guard !path.contains(":") else { throw .invalid(field: field, reason: "contains ':' ('\(path)')") }
        guard !path.split(separator: "/").contains("..") else {
            throw .invalid(field: field, reason: "contains '..' ('\(path)')")
        }
    }

    private func networkMode() throws(TaskInfoError) -> String {
        if container.hostname != nil && docker.network == .host {
            throw .invalid(field: "container.hostname", reason: "cannot be set with HOST networking")
        }
        switch docker.network {
        case .host: return "host"
        case .bridge: return "bridge"
        case .none: return "none"
        case .user:
            guard container.networkNames.count == 1 else {
                throw .invalid(
                    field: "container.network_infos",
                    reason: "has \(container.networkNames.count) entries; USER networking needs exactly one")
            }
            guard let name = container.networkNames[0], !name.isEmpty else {
                throw .missing(field: "container.network_infos[0].name")
            }
            return name
        }
    }
}
