/// The process environment (the executor's configuration arrives as `EXECUTOR_*` and `MESOS_*` variables).
public enum ProcessEnvironment {
    /// Every environment variable. An entry without "=" is skipped; for a name that appears twice the first
    /// value wins, as with getenv.
    public static func current() -> [String: String] {
        var variables: [String: String] = [:]
        for entry in Posix.environment() {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            let name = String(entry[..<equals])
            if variables[name] == nil {
                variables[name] = String(entry[entry.index(after: equals)...])
            }
        }
        return variables
    }

    /// One environment variable, or nil when unset.
    public static func value(_ name: String) -> String? {
        Posix.getenv(name)
    }
}
