import EventLoop

/// `--mount`: comma-separated `key=value` pairs, as the CLI parses them, into one entry of `HostConfig.Mounts`.
///
/// Keys: `type` (`bind`, `volume`, `tmpfs`; default `volume`), `source`/`src`, `target`/`destination`/`dst`
/// (required), `readonly`/`ro` (a bare key is true), `consistency`, `bind-propagation`, `volume-nocopy`,
/// `volume-label` and `volume-opt` (`k=v`, repeatable), `volume-driver`, `tmpfs-size` (a size), `tmpfs-mode`
/// (octal). Anything else is refused, as the CLI refuses it.
enum DockerMountOption {
    static func parse(_ text: String, field: String) throws(TaskInfoError) -> JSONValue {
        func bad(_ reason: String) -> TaskInfoError { .invalid(field: field, reason: "is '\(text)'; \(reason)") }
        var mount = JSONObject()
        var type = "volume"
        var bind = JSONObject()
        var volume = JSONObject()
        var driver = JSONObject()
        var tmpfs = JSONObject()
        for item in text.split(separator: ",", omittingEmptySubsequences: true) {
            let equals = item.firstIndex(of: "=")
            let key = String(item[..<(equals ?? item.endIndex)]).lowercased()
            let value = equals.map { String(item[item.index(after: $0)...]) }
            func required() throws(TaskInfoError) -> String {
                guard let value else { throw bad("'\(key)' needs a value") }
                return value
            }
            switch key {
            case "type":
                type = try required()
                guard ["bind", "volume", "tmpfs"].contains(type) else {
                    throw bad("type must be bind, volume or tmpfs")
                }
            case "source", "src": mount["Source"] = .string(try required())
            case "target", "destination", "dst": mount["Target"] = .string(try required())
            case "readonly", "ro": mount["ReadOnly"] = .bool(try DockerRunOptionValue.flag(value ?? "", field: field))
            case "consistency":
                let setting = try required()
                guard ["default", "consistent", "cached", "delegated"].contains(setting) else {
                    throw bad("consistency must be default, consistent, cached or delegated")
                }
                mount["Consistency"] = .string(setting)
            case "bind-propagation":
                let setting = try required()
                guard ["private", "rprivate", "shared", "rshared", "slave", "rslave"].contains(setting) else {
                    throw bad("bind-propagation '\(setting)' is not one Docker knows")
                }
                bind["Propagation"] = .string(setting)
            case "volume-nocopy": volume["NoCopy"] = .bool(try DockerRunOptionValue.flag(value ?? "", field: field))
            case "volume-label":
                let (name, setting) = try DockerRunOptionValue.keyValue(
                    try required(), field: field, what: "volume-label")
                var labels = volume["Labels"]?.objectValue ?? JSONObject()
                labels[name] = .string(setting)
                volume["Labels"] = .object(labels)
            case "volume-driver": driver["Name"] = .string(try required())
            case "volume-opt":
                let (name, setting) = try DockerRunOptionValue.keyValue(
                    try required(), field: field, what: "volume-opt")
                var options = driver["Options"]?.objectValue ?? JSONObject()
                options[name] = .string(setting)
                driver["Options"] = .object(options)
            case "tmpfs-size": tmpfs["SizeBytes"] = .int(try DockerRunOptionValue.bytes(try required(), field: field))
            case "tmpfs-mode":
                guard let mode = Int64(try required(), radix: 8), (0...0o7777).contains(mode) else {
                    throw bad("tmpfs-mode must be an octal file mode")
                }
                tmpfs["Mode"] = .int(mode)
            default:
                throw bad("'\(key)' is not a mount option Docker knows")
            }
        }
        guard let target = mount["Target"]?.stringValue, !target.isEmpty else { throw bad("target is required") }
        mount["Type"] = .string(type)
        if !bind.isEmpty {
            guard type == "bind" else { throw bad("bind options need type=bind") }
            mount["BindOptions"] = .object(bind)
        }
        if !driver.isEmpty { volume["DriverConfig"] = .object(driver) }
        if !volume.isEmpty {
            guard type == "volume" else { throw bad("volume options need type=volume") }
            mount["VolumeOptions"] = .object(volume)
        }
        if !tmpfs.isEmpty {
            guard type == "tmpfs" else { throw bad("tmpfs options need type=tmpfs") }
            mount["TmpfsOptions"] = .object(tmpfs)
        }
        if type == "bind", mount["Source"] == nil { throw bad("a bind mount needs a source") }
        return .object(mount)
    }
}
