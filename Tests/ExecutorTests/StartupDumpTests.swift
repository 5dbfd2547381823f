import Testing

@testable import Executor

/// The start-up dump: every setting with its value in force, the MESOS*, EXECUTOR*, VAULT* variables, sorted, with
/// no secret in it.
struct StartupDumpTests {
    static let environment = [
        "EXECUTOR_SIDECAR_BACKOFF": "2s", "EXECUTOR_SIDECAR_URL": "http://u:p4ss@sidecar:7777/state.json",
        "MESOS_EXECUTOR_AUTHENTICATION_TOKEN": "eyJ.secret.token", "MESOS_FRAMEWORK_ID": "fw-1",
        "VAULT_TOKEN": "s.vault-secret", "VAULT_ADDR": "https://vault:8200", "PATH": "/bin", "HOME": "/root",
        "DOCKER_HOST": "unix:///run/docker.sock",
    ]

    @Test func everySettingThenTheAgentsAndOperatorsVariablesSortedAndRedacted() {
        let lines = StartupDump.lines(environment: Self.environment)
        let settings = lines.filter { $0.hasPrefix("Setting ") }
        let names = ExecutorSettings.definitions.map(\.name) + ["DOCKER_CONFIG", "DOCKER_HOST", "TASK_HOST"]
        #expect(settings.count == names.count)
        #expect(settings.map { String($0.dropFirst(8).prefix { $0 != "=" }) } == names.sorted())
        #expect(settings.contains("Setting EXECUTOR_SIDECAR_BACKOFF=2s"))
        #expect(settings.contains("Setting EXECUTOR_KILL_TASK_TIMEOUT=5 (default)"))
        #expect(settings.contains("Setting DOCKER_HOST=unix:///run/docker.sock"))
        #expect(settings.contains("Setting EXECUTOR_SIDECAR_URL=http://u:<redacted>@sidecar:7777/state.json"))
        let variables = lines.filter { $0.hasPrefix("Environment ") }
        #expect(
            variables == [
                "Environment EXECUTOR_SIDECAR_BACKOFF=2s",
                "Environment EXECUTOR_SIDECAR_URL=http://u:<redacted>@sidecar:7777/state.json",
                "Environment MESOS_EXECUTOR_AUTHENTICATION_TOKEN=<redacted>", "Environment MESOS_FRAMEWORK_ID=fw-1",
                "Environment VAULT_ADDR=https://vault:8200", "Environment VAULT_TOKEN=<redacted>",
            ])
        #expect(lines.count == settings.count + variables.count)
        let text = lines.joined(separator: "\n")
        for secret in ["eyJ.secret.token", "s.vault-secret", "p4ss"] { #expect(!text.contains(secret)) }
    }
}
