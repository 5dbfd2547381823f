import EventLoop

/// The `ContainerInfo` fields Mesos defines for Docker beyond image, network and volumes: `linux_info`'s
/// capabilities, `rlimit_info` and `tty_info`'s window size, as `HostConfig` fields.
///
/// - `linux_info.effective_capabilities` (and the deprecated `capability_info`): added (`CapAdd`);
///   `linux_info.bounding_capabilities`: everything else dropped (`CapDrop` ALL plus `CapAdd` of the set).
/// - `rlimit_info.rlimits[]`: `Ulimits`; `soft` and `hard` both set, or neither for unlimited (-1), as Mesos requires.
/// - `tty_info.window_size`: `ConsoleSize` (the TTY itself is `Tty`, set with the rest of the container).
/// - Docker volumes' `driver`: `VolumeDriver`, one per container as Mesos allows; `driver_options`: the volume is a
///   `Mounts` entry whose driver configuration carries them (created with them when it does not exist yet).
enum DockerContainerInfoOptions {
    /// - Parameter existing: the driver the `volume-driver` parameter or `docker.volume_driver` already chose.
    static func hostConfig(for task: TaskInfo, volumeDriver existing: String?) throws(TaskInfoError) -> JSONObject {
        let container = TaskInfoField(task.raw["container"], path: "container")
        var host = JSONObject()
        if let driver = try volumeDriver(container, existing: existing) { host["VolumeDriver"] = .string(driver) }
        var added: [String] = []
        let linux = container["linux_info"]
        for key in ["capability_info", "effective_capabilities", "bounding_capabilities"] {
            for entry in try linux[key]["capabilities"].elements() {
                let name = try capability(entry)
                if !added.contains(name) { added.append(name) }
            }
        }
        if linux["bounding_capabilities"].isPresent { host["CapDrop"] = ["ALL"] }
        if !added.isEmpty { host["CapAdd"] = .array(added.map { .string($0) }) }
        var ulimits: [JSONValue] = []
        for rlimit in try container["rlimit_info"]["rlimits"].elements() { ulimits.append(try ulimit(rlimit)) }
        if !ulimits.isEmpty { host["Ulimits"] = .array(ulimits) }
        let window = container["tty_info"]["window_size"]
        if window.isPresent {
            let rows = try dimension(window["rows"])
            let columns = try dimension(window["columns"])
            host["ConsoleSize"] = [.int(rows), .int(columns)]
        }
        return host
    }

    /// The Docker volumes with `driver_options`, by their index in `container.volumes`, as `Mounts` entries.
    static func volumeMounts(for task: TaskInfo) throws(TaskInfoError) -> [Int: JSONValue] {
        let container = TaskInfoField(task.raw["container"], path: "container")
        var mounts: [Int: JSONValue] = [:]
        for (index, volume) in try container["volumes"].elements().enumerated() {
            let docker = volume["source"]["docker_volume"]
            let options = try docker["driver_options"]["parameter"].elements()
            guard try volume["source"]["type"].string() == "DOCKER_VOLUME", !options.isEmpty else { continue }
            var driverOptions = JSONObject()
            for option in options {
                driverOptions[try option["key"].requiredString()] = .string(try option["value"].requiredString())
            }
            let path = try volume["container_path"].requiredString()
            let target = path.hasPrefix("/") ? path : "\(ContainerSpec.sandboxMountPoint)/\(path)"
            let driver: JSONValue = [
                "Name": .string(try docker["driver"].string() ?? "local"), "Options": .object(driverOptions),
            ]
            mounts[index] = [
                "Type": "volume", "Source": .string(try docker["name"].requiredString()), "Target": .string(target),
                "ReadOnly": .bool(try volume["mode"].string() == "RO"), "VolumeOptions": ["DriverConfig": driver],
            ]
        }
        return mounts
    }

    /// The one driver the Docker volumes name; two different ones (or one differing from `existing`) fail.
    private static func volumeDriver(_ container: TaskInfoField, existing: String?) throws(TaskInfoError) -> String? {
        var chosen = existing
        var named: String?
        for volume in try container["volumes"].elements() {
            let field = volume["source"]["docker_volume"]["driver"]
            guard let driver = try field.string(), !driver.isEmpty else { continue }
            if let chosen, chosen != driver {
                throw .invalid(
                    field: field.path,
                    reason: "is '\(driver)' but the container's volume driver is '\(chosen)'; "
                        + "Docker takes one per container")
            }
            chosen = driver
            named = driver
        }
        return existing == nil ? named : nil
    }

    /// `CapabilityInfo.Capability`, e.g. `NET_ADMIN`, as Docker names it.
    private static func capability(_ field: TaskInfoField) throws(TaskInfoError) -> String {
        let name = try field.requiredString()
        guard !name.isEmpty, name != "UNKNOWN", name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0 == "_") })
        else {
            throw .invalid(field: field.path, reason: "is '\(name)'; expected a capability such as NET_ADMIN")
        }
        return name
    }

    /// `RLimitInfo.RLimit` → a Docker ulimit.
    private static func ulimit(_ field: TaskInfoField) throws(TaskInfoError) -> JSONValue {
        let type = try field["type"].requiredString()
        let name = type.hasPrefix("RLMT_") ? type.dropFirst(5).lowercased() : ""
        guard DockerRunOptions.ulimitNames.contains(name) else {
            throw .invalid(field: field["type"].path, reason: "is '\(type)', which Docker cannot set as a ulimit")
        }
        let soft = try field["soft"].int()
        let hard = try field["hard"].int()
        switch (soft, hard) {
        case (nil, nil):
            return ["Name": .string(name), "Soft": -1, "Hard": -1]
        case (let soft?, let hard?):
            guard soft <= hard else {
                throw .invalid(field: field["soft"].path, reason: "is \(soft), above the hard limit \(hard)")
            }
            return ["Name": .string(name), "Soft": .int(soft), "Hard": .int(hard)]
        default:
            throw .invalid(field: field.path, reason: "sets one of soft and hard; Mesos requires both or neither")
        }
    }

    private static func dimension(_ field: TaskInfoField) throws(TaskInfoError) -> Int64 {
        guard let value = try field.int() else { throw .missing(field: field.path) }
        guard (0...65535).contains(value) else {
            throw .invalid(field: field.path, reason: "is \(value); expected 0 to 65535")
        }
        return value
    }
}
