import EventLoop

/// Namespaces, security, devices, DNS and kernel parameters.
extension DockerRunOptions {
    static let isolationOptions: [String: Apply] = [
        "pid": namespaceMode("PidMode", ["", "host"]),
        "ipc": namespaceMode("IpcMode", ["", "none", "private", "shareable", "host"]),
        "uts": namespaceMode("UTSMode", ["", "host"], containerAllowed: false),
        "userns": namespaceMode("UsernsMode", ["", "host"], containerAllowed: false),
        "cgroupns": namespaceMode("CgroupnsMode", ["", "host", "private"], containerAllowed: false),
        "cgroup-parent": hostString("CgroupParent", anyText),
        "privileged": hostFlag("Privileged"),
        "read-only": hostFlag("ReadonlyRootfs"),
        "runtime": hostString("Runtime", nonEmpty),
        "isolation": namespaceMode("Isolation", ["", "default", "process", "hyperv"], containerAllowed: false),
        "group-add": hostList("GroupAdd", nonEmpty),
        "dns": hostList("Dns", DockerRunOptionValue.ipAddress),
        "dns-search": hostList("DnsSearch", DockerRunOptionValue.searchDomain),
        "dns-option": hostList("DnsOptions", nonEmpty),
        "dns-opt": hostList("DnsOptions", nonEmpty),
        "device-cgroup-rule": hostList("DeviceCgroupRules", deviceCgroupRule),
        "security-opt": hostList("SecurityOpt", securityOption),
        "sysctl": { options, value, field throws(TaskInfoError) in
            let (name, setting) = try DockerRunOptionValue.keyValue(value, field: field, what: "a sysctl")
            options.setHostEntry("Sysctls", name, .string(setting))
        },
        "storage-opt": { options, value, field throws(TaskInfoError) in
            let (name, setting) = try DockerRunOptionValue.keyValue(value, field: field, what: "a storage-opt")
            options.setHostEntry("StorageOpt", name, .string(setting))
        },
        "device": { options, value, field throws(TaskInfoError) in
            options.appendHost("Devices", try device(value, field: field))
        },
    ]

    /// `--pid`, `--ipc`, ...: one of `choices`, or (where Docker allows it) another container's namespace.
    static func namespaceMode(_ key: String, _ choices: Set<String>, containerAllowed: Bool = true) -> Apply {
        { options, value, field throws(TaskInfoError) in
            options.host[key] = .string(
                try DockerRunOptionValue.mode(value, choices: choices, containerAllowed: containerAllowed, field: field)
            )
        }
    }

    /// `host[:container[:permissions]]` with permissions from `rwm` (default `rwm`, container path default the
    /// host path), as the CLI parses `--device`.
    static func device(_ text: String, field: String) throws(TaskInfoError) -> JSONValue {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count) else {
            throw .invalid(field: field, reason: "is '\(text)'; expected host-path[:container-path[:permissions]]")
        }
        let isPermissions: (String) -> Bool = { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy { "rwm".contains($0) } }
        let host = try DockerRunOptionValue.absolutePath(parts[0], field: field)
        var container = host
        var permissions = "rwm"
        if parts.count == 2 {
            // `/dev/sda:rw` is the host path with permissions, as the CLI reads it.
            if isPermissions(parts[1]) { permissions = parts[1] } else { container = parts[1] }
        } else if parts.count == 3 {
            container = parts[1]
            permissions = parts[2]
        }
        _ = try DockerRunOptionValue.absolutePath(container, field: field)
        guard isPermissions(permissions) else {
            throw .invalid(field: field, reason: "has permissions '\(permissions)'; expected letters from rwm")
        }
        return [
            "PathOnHost": .string(host), "PathInContainer": .string(container),
            "CgroupPermissions": .string(permissions),
        ]
    }

    /// `--security-opt`: `no-new-privileges[:bool]`, `label=...`, `apparmor=...`, `seccomp=unconfined` or
    /// `systempaths=unconfined`. `seccomp=<file>` is refused: the CLI reads the profile from a file on the
    /// agent host, which the executor does not do.
    static let securityOption: @Sendable (String, String) throws(TaskInfoError) -> String = {
        value, field throws(TaskInfoError) in
        if value == "no-new-privileges" { return value }
        let separator = value.firstIndex(where: { $0 == "=" || $0 == ":" })
        guard let separator else {
            throw .invalid(field: field, reason: "is '\(value)'; expected key=value such as no-new-privileges=true")
        }
        let key = String(value[..<separator])
        let setting = String(value[value.index(after: separator)...])
        switch key {
        case "no-new-privileges":
            _ = try DockerRunOptionValue.flag(setting, field: field)
        case "label", "apparmor":
            break
        case "seccomp" where setting == "unconfined", "systempaths" where setting == "unconfined":
            break
        case "seccomp":
            throw .invalid(
                field: field,
                reason:
                    "names a seccomp profile file; the CLI reads it on the agent host, which sidecar-executor does not do"
            )
        default:
            throw .invalid(field: field, reason: "is '\(value)'; '\(key)' is not a security option Docker knows")
        }
        return value
    }

    /// `--device-cgroup-rule`: `type major:minor access`, e.g. `c 1:3 mr`.
    static let deviceCgroupRule: @Sendable (String, String) throws(TaskInfoError) -> String = {
        value, field throws(TaskInfoError) in
        let words = value.split(separator: " ")
        let numbers = words.count == 3 ? words[1].split(separator: ":", omittingEmptySubsequences: false) : []
        let valid =
            words.count == 3 && ["a", "b", "c"].contains(words[0]) && numbers.count == 2
            && numbers.allSatisfy { $0 == "*" || (!$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber }) }
            && !words[2].isEmpty && words[2].allSatisfy { "rwm".contains($0) }
        guard valid else {
            throw .invalid(field: field, reason: "is '\(value)'; expected a rule such as 'c 1:3 mr'")
        }
        return value
    }
}
