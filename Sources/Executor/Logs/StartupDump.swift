/// What the executor logs once at start-up, for the operator reading the sandbox's `stderr`: every setting with the
/// value in force (and whether it is the default), then the `MESOS*`, `EXECUTOR*` and `VAULT*` variables of its
/// environment, each list sorted by name. Values go through `Redaction` (a secret-looking name hides its value,
/// a URL its password), so the agent's authentication token or a Vault token never reaches the log. Pure.
enum StartupDump {
    /// The settings outside the `EXECUTOR_*` table that change what the executor does.
    static let otherSettings: [(name: String, defaultValue: String)] = [
        ("DOCKER_CONFIG", "~/.docker"), ("DOCKER_HOST", "unix:///var/run/docker.sock"), ("TASK_HOST", ""),
    ]

    static func lines(environment: [String: String]) -> [String] {
        var lines: [String] = []
        let settings =
            ExecutorSettings.definitions.map { ($0.name, $0.defaultValue) }
            + otherSettings.map { ($0.name, $0.defaultValue) }
        for (name, defaultValue) in settings.sorted(by: { $0.0 < $1.0 }) {
            let value = environment[name]
            let shown = Redaction.text("\(name)=\(value ?? defaultValue)")
            lines.append("Setting \(shown)\(value == nil ? " (default)" : "")")
        }
        let prefixes = ["MESOS", "EXECUTOR", "VAULT"]
        for name in environment.keys.sorted() where prefixes.contains(where: { name.hasPrefix($0) }) {
            lines.append("Environment \(Redaction.text("\(name)=\(environment[name] ?? "")"))")
        }
        return lines
    }
}
