import EventLoop

/// The container's own settings: entrypoint, names, stop behaviour, Docker's HEALTHCHECK, ports and storage.
extension DockerRunOptions {
    static let containerOptions: [String: Apply] = [
        "entrypoint": { options, value, _ in
            // `--entrypoint ""` clears the image's entrypoint, which the API spells as [""].
            options.config["Entrypoint"] = [.string(value)]
        },
        "hostname": configString("Hostname", hostname),
        "domainname": configString("Domainname", hostname),
        "mac-address": configString("MacAddress", DockerRunOptionValue.macAddress),
        "stop-signal": configString("StopSignal", DockerRunOptionValue.signal),
        "stop-timeout": { options, value, field throws(TaskInfoError) in
            options.config["StopTimeout"] = .int(
                try DockerRunOptionValue.integer(value, in: -1...Int64(Int32.max), field: field))
        },
        "expose": { options, value, field throws(TaskInfoError) in
            var exposed = options.config["ExposedPorts"]?.objectValue ?? JSONObject()
            for port in try exposedPorts(value, field: field) { exposed[port] = .object([:]) }
            options.config["ExposedPorts"] = .object(exposed)
        },
        "publish-all": hostFlag("PublishAllPorts"),
        "health-cmd": { options, value, field throws(TaskInfoError) in
            guard !value.isEmpty else { throw .invalid(field: field, reason: "is empty") }
            options.setHealthcheck("Test", ["CMD-SHELL", .string(value)])
        },
        "no-healthcheck": { options, value, field throws(TaskInfoError) in
            if try DockerRunOptionValue.flag(value, field: field) { options.setHealthcheck("Test", ["NONE"]) }
        },
        "health-interval": healthDuration("Interval"),
        "health-timeout": healthDuration("Timeout"),
        "health-start-period": healthDuration("StartPeriod"),
        "health-retries": { options, value, field throws(TaskInfoError) in
            options.setHealthcheck(
                "Retries", .int(try DockerRunOptionValue.integer(value, in: 0...Int64(Int32.max), field: field)))
        },
        "volume": hostList("Binds", volumeBind),
        "volumes-from": hostList("VolumesFrom", nonEmpty),
        "tmpfs": { options, value, field throws(TaskInfoError) in
            let colon = value.firstIndex(of: ":")
            let path = try DockerRunOptionValue.absolutePath(String(value[..<(colon ?? value.endIndex)]), field: field)
            options.setHostEntry("Tmpfs", path, .string(colon.map { String(value[value.index(after: $0)...]) } ?? ""))
        },
        "mount": { options, value, field throws(TaskInfoError) in
            options.appendHost("Mounts", try DockerMountOption.parse(value, field: field))
        },
    ]

    static func configString(
        _ key: String, _ check: @escaping @Sendable (String, String) throws(TaskInfoError) -> String
    )
        -> Apply
    {
        { options, value, field throws(TaskInfoError) in options.config[key] = .string(try check(value, field)) }
    }

    /// A Go duration (`30s`, `1m30s`) for Docker's HEALTHCHECK, in nanoseconds; 0 means the default.
    static func healthDuration(_ key: String) -> Apply {
        { options, value, field throws(TaskInfoError) in
            let duration: Duration
            do {
                duration = try Duration.parseGo(value)
            } catch {
                throw .invalid(field: field, reason: "is '\(value)'; expected a duration such as 30s")
            }
            guard duration >= .zero else { throw .invalid(field: field, reason: "is negative") }
            options.setHealthcheck(key, .int(duration.nanosecondsValue))
        }
    }

    /// A host name: letters, digits, `-` and `.`, at most 255 bytes (each label at most 63).
    static let hostname: @Sendable (String, String) throws(TaskInfoError) -> String = {
        value, field throws(TaskInfoError) in
        let labels = value.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            !value.isEmpty && value.utf8.count <= 255
            && labels.allSatisfy { label in
                !label.isEmpty && label.count <= 63
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
        guard valid else { throw .invalid(field: field, reason: "is '\(value)'; expected a host name") }
        return value
    }

    /// `port[-port][/protocol]`, each port 1 to 65535, protocol tcp, udp or sctp: the keys it exposes.
    static func exposedPorts(_ text: String, field: String) throws(TaskInfoError) -> [String] {
        let slash = text.firstIndex(of: "/")
        let proto = slash.map { String(text[text.index(after: $0)...]).lowercased() } ?? "tcp"
        let range = String(text[..<(slash ?? text.endIndex)])
        let bounds = range.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard ["tcp", "udp", "sctp"].contains(proto), (1...2).contains(bounds.count),
            let low = bounds[0], let high = bounds.count == 2 ? bounds[1] : low,
            1 <= low, low <= high, high <= 65535
        else {
            throw .invalid(field: field, reason: "is '\(text)'; expected port[-port][/tcp|udp|sctp]")
        }
        return (low...high).map { "\($0)/\(proto)" }
    }

    /// `source:target[:options]`, with an absolute target; a relative source is a named volume.
    static let volumeBind: @Sendable (String, String) throws(TaskInfoError) -> String = {
        value, field throws(TaskInfoError) in
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), !parts[0].isEmpty, parts[1].hasPrefix("/") else {
            throw .invalid(field: field, reason: "is '\(value)'; expected source:/target[:options]")
        }
        return value
    }
}
