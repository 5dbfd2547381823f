import EventLoop
import Testing

@testable import Executor

struct ExecutorSettingsTests {
    @Test func anEmptyEnvironmentGivesTheOriginalDefaults() throws {
        let parsed = try ExecutorSettings.parse(environment: [:])
        let settings = parsed.settings
        #expect(parsed.warnings.isEmpty)
        #expect(settings.killTaskTimeout == .seconds(5))
        #expect(settings.httpTimeout == .seconds(2))
        #expect(settings.sidecarRetryCount == 5)
        #expect(settings.sidecarRetryDelay == .seconds(3))
        #expect(settings.sidecarURL.description == "http://localhost:7777/state.json")
        #expect(settings.sidecarBackoff == .seconds(60))
        #expect(settings.sidecarPollInterval == .seconds(30))
        #expect(settings.sidecarMaxFails == 3)
        #expect(settings.sidecarDrainingDuration == .seconds(10))
        #expect(settings.dockerRepository == "https://index.docker.io/v1/")
        #expect(settings.logsSince == .seconds(180))
        #expect(!settings.forceCPULimit && !settings.forceMemoryLimit && !settings.useCPUShares)
        #expect(!settings.debug && !settings.keepContainers)
        #expect(settings.taskHost == nil)
    }

    @Test func everyDefinitionsDefaultParsesToTheBuiltInDefault() throws {
        var environment: [String: String] = [:]
        for definition in ExecutorSettings.definitions where !definition.defaultValue.isEmpty {
            environment[definition.name] = definition.defaultValue
        }
        let parsed = try ExecutorSettings.parse(environment: environment)
        #expect(parsed.settings == ExecutorSettings())
        #expect(parsed.warnings.isEmpty, "every setting is implemented: none is warned about at its default")
    }

    @Test func everySupportedVariableIsRead() throws {
        let parsed = try ExecutorSettings.parse(environment: [
            "EXECUTOR_KILL_TASK_TIMEOUT": "12",
            "EXECUTOR_HTTP_TIMEOUT": "250ms",
            "EXECUTOR_SIDECAR_RETRY_COUNT": "0",
            "EXECUTOR_SIDECAR_RETRY_DELAY": "1m30s",
            "EXECUTOR_SIDECAR_URL": "http://127.0.0.1:7778/api/state.json",
            "EXECUTOR_SIDECAR_BACKOFF": "5s",
            "EXECUTOR_SIDECAR_POLL_INTERVAL": "1s",
            "EXECUTOR_SIDECAR_MAX_FAILS": "1",
            "EXECUTOR_SIDECAR_DRAINING_DURATION": "0",
            "EXECUTOR_DOCKER_REPOSITORY": "registry.example.com",
            "EXECUTOR_LOGS_SINCE": "10m",
            "EXECUTOR_FORCE_CPU_LIMIT": "true",
            "EXECUTOR_FORCE_MEMORY_LIMIT": "1",
            "EXECUTOR_USE_CPU_SHARES": "T",
            "EXECUTOR_DEBUG": "True",
            "EXECUTOR_KEEP_CONTAINERS": "TRUE",
            "TASK_HOST": "node-a",
        ])
        let settings = parsed.settings
        #expect(parsed.warnings.isEmpty)
        #expect(settings.killTaskTimeout == .seconds(12))
        #expect(settings.httpTimeout == .milliseconds(250))
        #expect(settings.sidecarRetryCount == 0)
        #expect(settings.sidecarRetryDelay == .seconds(90))
        #expect(settings.sidecarURL.host == "127.0.0.1" && settings.sidecarURL.port == 7778)
        #expect(settings.sidecarURL.target == "/api/state.json")
        #expect(settings.sidecarBackoff == .seconds(5))
        #expect(settings.sidecarPollInterval == .seconds(1))
        #expect(settings.sidecarMaxFails == 1)
        #expect(settings.sidecarDrainingDuration == .zero)
        #expect(settings.dockerRepository == "registry.example.com")
        #expect(settings.logsSince == .seconds(600))
        #expect(settings.forceCPULimit && settings.forceMemoryLimit && settings.useCPUShares)
        #expect(settings.debug && settings.keepContainers)
        #expect(settings.taskHost == "node-a")
    }

    @Test func everyInvalidValueIsReportedAtOnceNamingVariableAndValue() {
        let environment = [
            "EXECUTOR_KILL_TASK_TIMEOUT": "-1",
            "EXECUTOR_HTTP_TIMEOUT": "2 seconds",
            "EXECUTOR_SIDECAR_RETRY_COUNT": "five",
            "EXECUTOR_SIDECAR_URL": "ftp://sidecar:7777/state.json",
            "EXECUTOR_SIDECAR_POLL_INTERVAL": "-5s",
            "EXECUTOR_FORCE_CPU_LIMIT": "yes",
            "EXECUTOR_AWS_ROLE_TTL": "forever",
        ]
        #expect {
            try ExecutorSettings.parse(environment: environment)
        } throws: { error in
            guard let error = error as? SettingsError else { return false }
            let text = error.description
            return error.problems.count == environment.count
                && environment.allSatisfy { name, value in text.contains("\(name)='\(value)'") }
                && text.contains("does not start with http:// or https://")
                && text.contains("expected true or false")
        }
    }

    @Test func unknownExecutorVariablesAreWarnedAboutAsTypos() throws {
        let parsed = try ExecutorSettings.parse(environment: [
            "EXECUTOR_SIDECAR_POLL_INTERVALL": "5s", "EXECUTOR_SIDECAR_BACKOFF": "2s", "PATH": "/bin",
        ])
        #expect(parsed.warnings.count == 1)
        #expect(parsed.warnings.first?.contains("EXECUTOR_SIDECAR_POLL_INTERVALL") == true)
        #expect(parsed.settings.sidecarBackoff == .seconds(2))
    }

    @Test func theOriginalsVaultAndAWSSettingsAreUsedNotWarnedAbout() throws {
        let parsed = try ExecutorSettings.parse(environment: [
            "EXECUTOR_AWS_ROLE_MAX_TTL": "744h",
            "EXECUTOR_AWS_ROLE": "my-role",
            "VAULT_TOKEN": "s.secret-token",
            "EXECUTOR_SEED_SIDECAR": "true",
            "EXECUTOR_RELAY_SYSLOG": "true",
        ])
        // Every setting of the original is implemented now: none is warned about, and no value is ever logged.
        #expect(parsed.warnings.isEmpty, "\(parsed.warnings)")
    }

    @Test func everyDefinitionHasAMeaningAndAUniqueName() {
        let names = ExecutorSettings.definitions.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(ExecutorSettings.definitions.allSatisfy { $0.name.hasPrefix("EXECUTOR_") && !$0.meaning.isEmpty })
    }
}
