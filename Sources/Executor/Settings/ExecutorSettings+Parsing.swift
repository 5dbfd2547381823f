import EventLoop

// MARK: - Parsing

extension ExecutorSettings {
    /// The parsed settings and the warnings to log at start.
    struct Parsed: Sendable {
        var settings: ExecutorSettings
        /// Unknown `EXECUTOR_*` names (typos).
        var warnings: [String]
    }

    /// Reads every `EXECUTOR_*` variable (and `TASK_HOST`). Invalid values are all reported in one error.
    static func parse(environment: [String: String]) throws(SettingsError) -> Parsed {
        var settings = ExecutorSettings()
        var problems: [String] = []
        var warnings: [String] = []
        for definition in definitions {
            guard let (name, value) = lookup(definition.name, in: environment) else { continue }
            let origin = name == definition.name ? name : "\(name) (read because \(definition.name) is unset)"
            do {
                try definition.apply(&settings, value)
            } catch {
                problems.append("\(origin)='\(value)' is invalid: \(error.reason).")
            }
        }
        let known = Set(definitions.map(\.name))
        for name in environment.keys.sorted() where name.hasPrefix("EXECUTOR_") && !known.contains(name) {
            warnings.append("\(name) is not a setting of this executor (a typo?); it is ignored.")
        }
        if let host = environment["TASK_HOST"], !host.isEmpty {
            settings.taskHost = host
        }
        guard problems.isEmpty else { throw SettingsError(problems: problems) }
        return Parsed(settings: settings, warnings: warnings)
    }

    /// The variable a setting is read from, as the original's envconfig does it: the `EXECUTOR_` name when it is
    /// set (even to the empty string), else the name without the prefix (`DEBUG` for `EXECUTOR_DEBUG`).
    static func lookup(_ name: String, in environment: [String: String]) -> (name: String, value: String)? {
        if let value = environment[name] { return (name, value) }
        let prefix = "EXECUTOR_"
        guard name.hasPrefix(prefix) else { return nil }
        let unprefixed = String(name.dropFirst(prefix.count))
        return environment[unprefixed].map { (unprefixed, $0) }
    }
}
