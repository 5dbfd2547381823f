import EventLoop

/// The TaskInfo as EXECUTOR_DEBUG logs it: whole, but with every value that may be a secret replaced by the
/// marker. Environment variables (`{"name","value"}`), labels (`{"key","value"}`) and `env` parameters
/// (`NAME=value`) are hidden when the name looks secret (SECRET, PASSWORD, TOKEN, KEY); Mesos `secret` members
/// and the opaque `data` bytes always are.
enum TaskInfoRedaction {
    static func redacted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements):
            return .array(elements.map(redacted))
        case .object(let object):
            var result = JSONObject()
            for (key, member) in object {
                result[key] = key == "secret" || key == "data" ? .string(Redaction.marker) : redacted(member)
            }
            guard let text = result["value"]?.stringValue else { return .object(result) }
            if let name = (result["name"] ?? result["key"])?.stringValue, Redaction.isSecretName(name) {
                result["value"] = .string(Redaction.marker)
            } else if result["key"] == "env" {
                result["value"] = .string(Redaction.environmentEntry(text))
            }
            return .object(result)
        default:
            return value
        }
    }
}
