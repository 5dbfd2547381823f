import EventLoop
import Testing

@testable import Executor

/// The original read its settings with envconfig: the `EXECUTOR_` name, else the name without the prefix, and
/// integers, durations and booleans in Go's syntax. The same environment must give the same settings here.
struct ExecutorSettingsCompatibilityTests {
    @Test func eachSettingIsAlsoReadUnderItsUnprefixedName() throws {
        let parsed = try ExecutorSettings.parse(environment: [
            "KILL_TASK_TIMEOUT": "12", "HTTP_TIMEOUT": "250ms", "SIDECAR_RETRY_COUNT": "1",
            "SIDECAR_RETRY_DELAY": "1s", "SIDECAR_URL": "http://127.0.0.1:7778/state.json", "SIDECAR_BACKOFF": "5s",
            "SIDECAR_POLL_INTERVAL": "2s", "SIDECAR_MAX_FAILS": "7", "SIDECAR_DRAINING_DURATION": "0",
            "DOCKER_REPOSITORY": "registry.example.com", "LOGS_SINCE": "1m", "FORCE_CPU_LIMIT": "t",
            "FORCE_MEMORY_LIMIT": "1", "USE_CPU_SHARES": "TRUE", "DEBUG": "true", "KEEP_CONTAINERS": "1",
            "SEED_SIDECAR": "true", "MESOS_MASTER_PORT": "5051",
        ])
        let settings = parsed.settings
        #expect(settings.killTaskTimeout == .seconds(12))
        #expect(settings.httpTimeout == .milliseconds(250))
        #expect(settings.sidecarRetryCount == 1 && settings.sidecarRetryDelay == .seconds(1))
        #expect(settings.sidecarURL.port == 7778)
        #expect(settings.sidecarBackoff == .seconds(5) && settings.sidecarPollInterval == .seconds(2))
        #expect(settings.sidecarMaxFails == 7 && settings.sidecarDrainingDuration == .zero)
        #expect(settings.dockerRepository == "registry.example.com" && settings.logsSince == .seconds(60))
        #expect(settings.forceCPULimit && settings.forceMemoryLimit && settings.useCPUShares)
        #expect(settings.debug && settings.keepContainers && settings.seedSidecar)
        #expect(settings.mesosMasterPort == "5051")
        #expect(parsed.warnings.isEmpty)
    }

    @Test func theUnprefixedNameIsReadForEveryDefinition() throws {
        for definition in ExecutorSettings.definitions {
            let unprefixed = String(definition.name.dropFirst("EXECUTOR_".count))
            let found = ExecutorSettings.lookup(definition.name, in: [unprefixed: definition.defaultValue])
            #expect(found?.name == unprefixed && found?.value == definition.defaultValue, "\(definition.name)")
        }
    }

    @Test func thePrefixedNameWinsEvenWhenSetToTheEmptyString() throws {
        let parsed = try ExecutorSettings.parse(environment: [
            "EXECUTOR_SIDECAR_MAX_FAILS": "2", "SIDECAR_MAX_FAILS": "9",
        ])
        #expect(parsed.settings.sidecarMaxFails == 2)
        // envconfig tells an empty value from an unset one: EXECUTOR_DEBUG="" is read (and, as in Go, refused).
        #expect {
            try ExecutorSettings.parse(environment: ["EXECUTOR_DEBUG": "", "DEBUG": "true"])
        } throws: { error in
            (error as? SettingsError)?.problems == [
                "EXECUTOR_DEBUG='' is invalid: expected true or false (or 1, 0, t, f)."
            ]
        }
    }

    @Test func aBadUnprefixedValueStopsTheExecutorNamingBothVariables() {
        // A host-wide DEBUG=yes stopped the original on every launch too; the message says where it was read.
        #expect {
            try ExecutorSettings.parse(environment: ["DEBUG": "yes"])
        } throws: { error in
            let text = (error as? SettingsError)?.description ?? ""
            return text.contains("DEBUG (read because EXECUTOR_DEBUG is unset)='yes' is invalid")
        }
    }

    @Test func integersUseGosBaseZeroSyntax() throws {
        let parsed = try ExecutorSettings.parse(environment: [
            "EXECUTOR_KILL_TASK_TIMEOUT": "010", "EXECUTOR_SIDECAR_RETRY_COUNT": "0x1e",
            "EXECUTOR_SIDECAR_MAX_FAILS": "1_0",
        ])
        #expect(parsed.settings.killTaskTimeout == .seconds(8))
        #expect(parsed.settings.sidecarRetryCount == 30)
        #expect(parsed.settings.sidecarMaxFails == 10)
        let binary = try ExecutorSettings.parse(environment: ["EXECUTOR_SIDECAR_RETRY_COUNT": "0b11"])
        #expect(binary.settings.sidecarRetryCount == 3)
        let octal = try ExecutorSettings.parse(environment: ["SIDECAR_MAX_FAILS": "0o17"])
        #expect(octal.settings.sidecarMaxFails == 15)
    }

    @Test(arguments: [
        ("EXECUTOR_KILL_TASK_TIMEOUT", "08"), ("EXECUTOR_KILL_TASK_TIMEOUT", "+5"),
        ("EXECUTOR_KILL_TASK_TIMEOUT", "-1"),
        ("EXECUTOR_SIDECAR_RETRY_COUNT", "1__0"), ("EXECUTOR_SIDECAR_MAX_FAILS", " 3"),
        ("EXECUTOR_KILL_TASK_TIMEOUT", "18446744073709551616"),
        // Go's uint takes 2^63 to 2^64-1; no grace period is that long, so these are refused (README).
        ("EXECUTOR_KILL_TASK_TIMEOUT", "9223372036854775808"),
    ])
    func integersGoRefusesAreRefused(name: String, value: String) {
        #expect(throws: SettingsError.self) { try ExecutorSettings.parse(environment: [name: value]) }
    }

    @Test func negativeCountsFollowTheOriginalOrAreRefusedWithAReason() throws {
        // MAX_FAILS: the original compares `fails >= max`, so -2 fails on the first unhealthy poll, as 0 does.
        let negative = try ExecutorSettings.parse(environment: ["EXECUTOR_SIDECAR_MAX_FAILS": "-2"])
        #expect(negative.settings.sidecarMaxFails == 0)
        // RETRY_COUNT: the original's loop then never asks Sidecar at all (health checks silently off): refused.
        #expect {
            try ExecutorSettings.parse(environment: ["EXECUTOR_SIDECAR_RETRY_COUNT": "-1"])
        } throws: { error in
            (error as? SettingsError)?.description.contains("expected a whole number of 0 or more") == true
        }
    }

    @Test func durationsAndBooleansUseGosSyntax() throws {
        let parsed = try ExecutorSettings.parse(environment: [
            "EXECUTOR_HTTP_TIMEOUT": "1.5s", "EXECUTOR_SIDECAR_BACKOFF": "1h2m3s", "EXECUTOR_SIDECAR_RETRY_DELAY": "+0",
            "EXECUTOR_LOGS_SINCE": "1500us", "EXECUTOR_DEBUG": "F", "EXECUTOR_FORCE_CPU_LIMIT": "True",
        ])
        #expect(parsed.settings.httpTimeout == .milliseconds(1500))
        #expect(parsed.settings.sidecarBackoff == .seconds(3723))
        #expect(parsed.settings.sidecarRetryDelay == .zero)
        #expect(parsed.settings.logsSince == .microseconds(1500))
        #expect(!parsed.settings.debug && parsed.settings.forceCPULimit)
        for (name, value) in [("EXECUTOR_DEBUG", "yes"), ("EXECUTOR_DEBUG", "TRue"), ("EXECUTOR_HTTP_TIMEOUT", "2")] {
            #expect(throws: SettingsError.self) { try ExecutorSettings.parse(environment: [name: value]) }
        }
    }

    @Test func theMasterPortIsTextAsInTheOriginal() throws {
        let parsed = try ExecutorSettings.parse(environment: ["EXECUTOR_MESOS_MASTER_PORT": ""])
        #expect(parsed.settings.mesosMasterPort == "")
        #expect(try ExecutorSettings.parse(environment: [:]).settings.mesosMasterPort == "5050")
    }

    @Test func anUnprefixedSettingIsCheckedUnderTheNameItWasReadBy() throws {
        #expect(try ExecutorSettings.parse(environment: ["AWS_ROLE_MAX_TTL": "744h"]).warnings.isEmpty)
        #expect(
            throws: SettingsError(problems: [
                "AWS_ROLE_MAX_TTL (read because EXECUTOR_AWS_ROLE_MAX_TTL is unset)='soon' is invalid: "
                    + "expected a Go duration such as 500ms, 30s or 1m30s."
            ])
        ) { try ExecutorSettings.parse(environment: ["AWS_ROLE_MAX_TTL": "soon"]) }
    }
}

extension ExecutorSettingsCompatibilityTests {
    /// Where the original's behaviour for a value was a hazard, the value is refused at start, with the reason.
    @Test(arguments: [
        ("EXECUTOR_HTTP_TIMEOUT", "0", "must be more than 0"),  // Go: no timeout at all
        ("EXECUTOR_SIDECAR_POLL_INTERVAL", "0s", "must be more than 0"),  // Go: the ticker panics
        ("EXECUTOR_SIDECAR_DRAINING_DURATION", "-1s", "a negative duration makes no sense here"),  // Go: panics
        ("EXECUTOR_SIDECAR_RETRY_DELAY", "-3s", "a negative duration makes no sense here"),  // Go: no delay
        ("EXECUTOR_SIDECAR_URL", "", "it does not start with http://"),  // Go: every poll fails
    ])
    func valuesTheOriginalMishandledAreRefused(name: String, value: String, reason: String) {
        #expect {
            try ExecutorSettings.parse(environment: [name: value])
        } throws: { error in
            (error as? SettingsError)?.description.contains(reason) == true
        }
    }
}
