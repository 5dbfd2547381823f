import EventLoop
import Foundation
import Testing

@testable import Executor

/// Every start-up failure of the release binary, the one operators deploy, prints exactly what is wrong and exits
/// with the documented status. The release build once printed `… ERROR ` and nothing else for each of them (a Swift
/// 6.3 -O whole-module miscompile of the generic, Never-returning `Program.fail` logging through an autoclosure; see
/// `Log.error`) while the debug build was right, and no test ran the release build.
///
/// Each test runs the binary with exactly the environment it names (nothing inherited but PATH, and a sanitizer run's
/// options, which the binary built with that sanitizer reads) and compares the whole of stderr, timestamps taken out,
/// with the message.
@Suite(.requires(.releaseBinary))
struct ReleaseBinaryMessageTests {
    /// The binary's stderr with each log line's leading timestamp removed (after checking its form).
    static func withoutTimestamps(_ stderr: String) -> String {
        let timestamp = try! NSRegularExpression(pattern: #"(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "#)
        let range = NSRange(stderr.startIndex..., in: stderr)
        return timestamp.stringByReplacingMatches(in: stderr, range: range, withTemplate: "")
    }

    static let starting = "INFO sidecar-executor \(executorVersion) starting\n"

    /// Runs the release binary with `arguments` and only `environment` (plus PATH, and the sanitizer options that
    /// `ProgramUnderTest.run` adds in a sanitizer run).
    static func run(_ environment: [String: String], arguments: [String] = []) throws -> ProgramUnderTest.Outcome {
        try ProgramUnderTest.run(
            [try ProgramUnderTest.binary()] + arguments,
            environment: environment.merging(["PATH": "/usr/bin:/bin"]) { given, _ in given })
    }

    /// What the agent sets for an executor that does not checkpoint, in a sandbox that exists.
    static func agentEnvironment(sandbox: String) -> [String: String] {
        [
            "MESOS_AGENT_ENDPOINT": "127.0.0.1:5051", "MESOS_FRAMEWORK_ID": "framework-1",
            "MESOS_EXECUTOR_ID": "executor-1", "MESOS_DIRECTORY": sandbox, "MESOS_SANDBOX": sandbox,
        ]
    }
}

// Executor mode: every problem of the settings and of the agent's environment at once, then the Docker host.
extension ReleaseBinaryMessageTests {
    @Test func anInvalidSettingIsNamedWithItsValue() throws {
        var environment = Self.agentEnvironment(sandbox: "/tmp")
        environment["EXECUTOR_SIDECAR_MAX_FAILS"] = "abc"
        let outcome = try Self.run(environment)
        #expect(outcome.status == 1)
        #expect(outcome.stdout == "")
        #expect(
            Self.withoutTimestamps(outcome.stderr) == Self.starting
                + "ERROR Invalid configuration: EXECUTOR_SIDECAR_MAX_FAILS='abc' is invalid: expected a whole number "
                + "(Go's syntax: 10, 0x1e, 0o17, 0b101, 1_000; a leading 0 is octal).\n")
    }

    @Test func everyInvalidSettingIsListedAtOnce() throws {
        var environment = Self.agentEnvironment(sandbox: "/tmp")
        environment["EXECUTOR_SIDECAR_MAX_FAILS"] = "abc"
        environment["EXECUTOR_SIDECAR_POLL_INTERVAL"] = "often"
        environment["EXECUTOR_DEBUG"] = "maybe"
        environment["EXECUTOR_SIDECAR_URL"] = "nope"
        let outcome = try Self.run(environment)
        #expect(outcome.status == 1)
        #expect(
            Self.withoutTimestamps(outcome.stderr) == Self.starting + """
                ERROR Invalid configuration (4 problems):
                  - EXECUTOR_SIDECAR_URL='nope' is invalid: it does not start with http:// or https://.
                  - EXECUTOR_SIDECAR_POLL_INTERVAL='often' is invalid: expected a Go duration such as 500ms, 30s or 1m30s.
                  - EXECUTOR_SIDECAR_MAX_FAILS='abc' is invalid: expected a whole number (Go's syntax: 10, 0x1e, 0o17, 0b101, 1_000; a leading 0 is octal).
                  - EXECUTOR_DEBUG='maybe' is invalid: expected true or false (or 1, 0, t, f).

                """)
    }

    @Test func noAgentEnvironmentNamesEveryMissingVariable() throws {
        let outcome = try Self.run([:])
        #expect(outcome.status == 1)
        #expect(
            Self.withoutTimestamps(outcome.stderr) == Self.starting + """
                ERROR Invalid configuration (4 problems):
                  - MESOS_AGENT_ENDPOINT is missing (expected the agent's host:port).
                  - MESOS_FRAMEWORK_ID is missing.
                  - MESOS_EXECUTOR_ID is missing.
                  - MESOS_DIRECTORY is missing, and so is MESOS_SANDBOX (one of them is required).

                """)
    }

    @Test func aMissingAgentEnvironmentAndAnInvalidSettingAreReportedTogether() throws {
        let outcome = try Self.run(["EXECUTOR_SIDECAR_MAX_FAILS": "abc", "MESOS_FRAMEWORK_ID": "framework-1"])
        #expect(outcome.status == 1)
        #expect(
            Self.withoutTimestamps(outcome.stderr) == Self.starting + """
                ERROR Invalid configuration (4 problems):
                  - MESOS_AGENT_ENDPOINT is missing (expected the agent's host:port).
                  - MESOS_EXECUTOR_ID is missing.
                  - MESOS_DIRECTORY is missing, and so is MESOS_SANDBOX (one of them is required).
                  - EXECUTOR_SIDECAR_MAX_FAILS='abc' is invalid: expected a whole number (Go's syntax: 10, 0x1e, 0o17, 0b101, 1_000; a leading 0 is octal).

                """)
    }

    @Test func anInvalidAgentEnvironmentNamesEachBadValue() throws {
        let outcome = try Self.run([
            "MESOS_AGENT_ENDPOINT": "nohostport", "MESOS_FRAMEWORK_ID": "framework-1",
            "MESOS_EXECUTOR_ID": "executor-1",
            "MESOS_DIRECTORY": "relative", "MESOS_CHECKPOINT": "yes", "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD": "soon",
        ])
        #expect(outcome.status == 1)
        #expect(
            Self.withoutTimestamps(outcome.stderr) == Self.starting + """
                ERROR Invalid configuration (4 problems):
                  - MESOS_AGENT_ENDPOINT is not a host:port endpoint ('nohostport'): The endpoint 'nohostport' is invalid: it has no port; expected 'host:port'.
                  - MESOS_DIRECTORY is not an absolute path ('relative').
                  - MESOS_CHECKPOINT must be '1' or '0', not 'yes'.
                  - MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD is not a Mesos duration such as '5secs': Invalid duration "soon": expected a number before the unit, such as "30secs".

                """)
    }

    @Test func checkpointingWithoutTheRecoveryVariablesNamesThem() throws {
        var environment = Self.agentEnvironment(sandbox: "/tmp")
        environment["MESOS_CHECKPOINT"] = "1"
        let outcome = try Self.run(environment)
        #expect(outcome.status == 1)
        #expect(
            Self.withoutTimestamps(outcome.stderr) == Self.starting + """
                ERROR Invalid configuration (2 problems):
                  - MESOS_RECOVERY_TIMEOUT is missing (the agent sets it when the framework checkpoints).
                  - MESOS_SUBSCRIPTION_BACKOFF_MAX is missing (the agent sets it when the framework checkpoints).

                """)
    }

    @Test(arguments: [
        (
            ["DOCKER_HOST": "ssh://user@host"],
            "DOCKER_HOST cannot be used: 'ssh://user@host' is neither unix:///path nor tcp://host:port."
        ),
        (
            ["DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/nonexistent"],
            "DOCKER_HOST cannot be used: DOCKER_TLS_VERIFY is set, but TLS to the engine cannot be set up: the certificate "
                + "authorities in /nonexistent/ca.pem cannot be loaded: "
        ),
    ])
    func anUnusableDockerHostSaysWhy(docker: [String: String], message: String) throws {
        let outcome = try Self.run(Self.agentEnvironment(sandbox: "/tmp").merging(docker) { $1 })
        #expect(outcome.status == 1)
        // The settings were valid, so the start-up dump (one INFO line each) comes before the engine's error; the
        // error is the one ERROR line and the last. (OpenSSL's own reasons follow the message in the TLS case.)
        let lines = Self.withoutTimestamps(outcome.stderr).split(separator: "\n").map(String.init)
        #expect(lines.first.map { $0 + "\n" } == Self.starting)
        #expect(lines.filter { $0.hasPrefix("ERROR ") }.count == 1)
        #expect(lines.last?.hasPrefix("ERROR \(message)") == true, "\(lines.last ?? "")")
        #expect(lines.dropFirst().dropLast().allSatisfy { $0.hasPrefix("INFO ") })
    }
}

// `run-task FILE.json`: the file, its JSON, the TaskInfo in it, and the command line itself.
extension ReleaseBinaryMessageTests {
    /// `run-task` on a file holding `contents` (nil: no file) in a fresh directory, with an engine address that
    /// nothing listens on: none of these gets as far as the engine.
    static func runTask(
        _ contents: String?, environment: [String: String] = [:], name: String = "task.json",
        _ check: (ProgramUnderTest.Outcome, String) throws -> Void
    ) throws {
        let directory = try ProgramUnderTest.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = "\(directory)/\(name)"
        if let contents { try contents.write(toFile: file, atomically: true, encoding: .utf8) }
        let base = ["DOCKER_HOST": "unix://\(directory)/no-engine.sock", "MESOS_SANDBOX": directory]
        try check(try run(base.merging(environment) { $1 }, arguments: ["run-task", file]), file)
    }

    @Test func runTaskOnAMissingFileSaysSo() throws {
        try Self.runTask(nil) { outcome, file in
            #expect(outcome.status == 1)
            #expect(Self.withoutTimestamps(outcome.stderr) == "ERROR run-task: the file \(file) does not exist.\n")
        }
    }

    @Test func runTaskOnAFileThatIsNotJSONSaysWhere() throws {
        try Self.runTask("{bad") { outcome, file in
            #expect(outcome.status == 1)
            #expect(
                Self.withoutTimestamps(outcome.stderr)
                    == "ERROR run-task: \(file) is not JSON: Invalid JSON at byte 1: expected a string key or '}' but "
                    + "found 'b'.\n")
        }
    }

    @Test func runTaskOnADirectorySaysItCannotBeRead() throws {
        let directory = try ProgramUnderTest.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try Self.run(["DOCKER_HOST": "unix:///nowhere.sock"], arguments: ["run-task", directory])
        #expect(outcome.status == 1)
        #expect(
            Self.withoutTimestamps(outcome.stderr)
                == "ERROR run-task: The file \(directory) cannot be read: read failed: Is a directory (errno 21).\n")
    }

    @Test func runTaskOnAFileOverFourMegabytesRefusesIt() throws {
        try Self.runTask(String(repeating: " ", count: (4 << 20) + 1)) { outcome, file in
            #expect(outcome.status == 1)
            #expect(
                Self.withoutTimestamps(outcome.stderr)
                    == "ERROR run-task: The file \(file) is larger than the 4194304 bytes expected.\n")
        }
    }

    @Test func runTaskOnJSONWithoutATaskIDCannotReportAnything() throws {
        try Self.runTask(#"{"name":"no task here"}"#) { outcome, _ in
            #expect(outcome.status == 1)
            #expect(outcome.stdout == "")
            #expect(
                Self.withoutTimestamps(outcome.stderr)
                    == "ERROR A LAUNCH without task_id.value cannot be run or reported; ignored.\n")
        }
    }

    /// A TaskInfo with an id but no container: the task fails with the reason, as the agent would be told.
    @Test func runTaskOnAnInvalidTaskInfoFailsTheTaskWithWhatIsWrong() throws {
        try Self.runTask(#"{"task_id":{"value":"t1"},"name":"x","agent_id":{"value":"a1"}}"#) { outcome, _ in
            #expect(outcome.status == 1)
            #expect(
                Self.withoutTimestamps(outcome.stderr)
                    == "ERROR Task t1 cannot run: The TaskInfo is invalid: container is missing.\n")
            let lines = outcome.stdout.split(separator: "\n")
            try #require(lines.count == 1, "stdout: \(outcome.stdout)")
            let update = try JSON.parse(String(lines[0]))
            #expect(update["task_id"]?["value"]?.stringValue == "t1")
            #expect(update["state"]?.stringValue == "TASK_FAILED")
            #expect(update["message"]?.stringValue == "The TaskInfo is invalid: container is missing.")
            #expect(update["reason"]?.stringValue == "REASON_TASK_INVALID")
            #expect(update["source"]?.stringValue == "SOURCE_EXECUTOR")
        }
    }

    @Test func runTaskWithAnInvalidSettingNamesIt() throws {
        try Self.runTask("{}", environment: ["EXECUTOR_SIDECAR_MAX_FAILS": "abc"]) { outcome, _ in
            #expect(outcome.status == 1)
            #expect(
                Self.withoutTimestamps(outcome.stderr)
                    == "ERROR Invalid configuration: EXECUTOR_SIDECAR_MAX_FAILS='abc' is invalid: expected a whole "
                    + "number (Go's syntax: 10, 0x1e, 0o17, 0b101, 1_000; a leading 0 is octal).\n")
        }
    }

    @Test func runTaskWithAnUnusableDockerHostSaysWhy() throws {
        try Self.runTask("{}", environment: ["DOCKER_HOST": "ssh://user@host"]) { outcome, _ in
            #expect(outcome.status == 1)
            #expect(
                Self.withoutTimestamps(outcome.stderr)
                    == "ERROR DOCKER_HOST cannot be used: 'ssh://user@host' is neither unix:///path nor tcp://host:port.\n"
            )
        }
    }

    @Test(arguments: [
        (["run-task"], "usage: sidecar-executor run-task FILE.json\n"),
        (["run-task", "a.json", "b.json"], "usage: sidecar-executor run-task FILE.json\n"),
        (["--frobnicate"], "sidecar-executor: unknown argument '--frobnicate'; see --help\n"),
    ])
    func usageErrorsExitTwoWithTheUsage(arguments: [String], message: String) throws {
        let outcome = try Self.run([:], arguments: arguments)
        #expect(outcome.status == 2)
        #expect(outcome.stdout == "")
        #expect(outcome.stderr == message)
    }
}
