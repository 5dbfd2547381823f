import EventLoop
import Foundation
import Simulators
import TestSupport
import Testing

@testable import Executor

/// The binary's command line: `--help`, `--version`, executor mode's configuration errors, and `run-task` against
/// the real engine.
@Suite(.serialized, .requires(.releaseBinary)) struct ProgramModesTests {
    @Test func helpAndVersionPrintAndExitZero() throws {
        let binary = try ProgramUnderTest.binary()
        let help = try ProgramUnderTest.run([binary, "--help"], environment: [:])
        #expect(help.status == 0 && help.stdout.contains("run-task FILE.json"))
        let version = try ProgramUnderTest.run([binary, "--version"], environment: [:])
        #expect(version.status == 0 && version.stdout.hasPrefix("sidecar-executor "))
        let unknown = try ProgramUnderTest.run([binary, "--frobnicate"], environment: [:])
        #expect(unknown.status == 2 && unknown.stderr.contains("--frobnicate"))
    }

    @Test func executorModeNamesEveryMissingVariableAndExitsOne() throws {
        let binary = try ProgramUnderTest.binary()
        let outcome = try ProgramUnderTest.run(
            [binary], environment: ["EXECUTOR_SIDECAR_POLL_INTERVAL": "often", "MESOS_CHECKPOINT": "1"])
        #expect(outcome.status == 1)
        for name in [
            "MESOS_AGENT_ENDPOINT", "MESOS_FRAMEWORK_ID", "MESOS_EXECUTOR_ID", "MESOS_DIRECTORY",
            "EXECUTOR_SIDECAR_POLL_INTERVAL='often'",
        ] {
            #expect(outcome.stderr.contains(name), "stderr names \(name): \(outcome.stderr)")
        }
    }

    @Test func theAgentsTokenNeverReachesTheLog() throws {
        let binary = try ProgramUnderTest.binary()
        let outcome = try ProgramUnderTest.run(
            [binary],
            environment: [
                "MESOS_EXECUTOR_AUTHENTICATION_TOKEN": "tok-very-secret", "MESOS_FRAMEWORK_ID": "f",
                "EXECUTOR_DEBUG": "true",
            ])
        #expect(outcome.status == 1)
        #expect(!outcome.stderr.contains("tok-very-secret") && !outcome.stdout.contains("tok-very-secret"))
    }

    /// One TaskInfo through `run-task` against the private engine: updates as JSON lines, exit status from the state.
    @Test(.requires(.docker)) func runTaskRunsATaskInfoEndToEndAndPrintsEachUpdate() throws {
        let binary = try ProgramUnderTest.binary()
        try TestPeer.docker.require()
        let dockerHost = try #require(ProcessInfo.processInfo.environment["DOCKER_HOST"])
        let directory = try ProgramUnderTest.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let taskID = "run-task-test.\(UUID().uuidString.prefix(8))"
        let taskInfo = """
            {"name":"hello","task_id":{"value":"\(taskID)"},"agent_id":{"value":"local"},
             "container":{"type":"DOCKER","docker":{"image":"local/busybox:latest","network":"NONE",
               "parameters":[{"key":"label","value":"SidecarDiscover=false"},
                             {"key":"label","value":"executor.ShellCommand=sh -c 'echo out-line; exit 3'"}]}}}
            """
        try taskInfo.write(toFile: "\(directory)/task.json", atomically: true, encoding: .utf8)
        let outcome = try ProgramUnderTest.run(
            [binary, "run-task", "\(directory)/task.json"],
            environment: ["DOCKER_HOST": dockerHost, "MESOS_SANDBOX": directory, "PATH": "/usr/bin:/bin"])
        let states = outcome.stdout.split(separator: "\n").compactMap { line in
            (try? JSON.parse(String(line)))?["state"]?.stringValue
        }
        #expect(states == ["TASK_STARTING", "TASK_RUNNING", "TASK_FAILED"], "stdout: \(outcome.stdout)")
        #expect(outcome.stdout.contains("Container exited with status 3"))
        #expect(outcome.stdout.contains("out-line"), "the container's output is followed into stdout")
        #expect(outcome.status == 1, "a failed task exits 1")
    }

    /// A TaskInfo whose container prints DB_PASSWORD reversed (so the secret itself never appears in any output),
    /// written to a file for `run-task`; returns the file and the task id.
    private func vaultTaskFile(in directory: String) throws -> (file: String, taskID: String) {
        let taskID = "run-task-vault.\(UUID().uuidString.prefix(8))"
        let taskInfo = """
            {"name":"vault","task_id":{"value":"\(taskID)"},"agent_id":{"value":"local"},
             "container":{"type":"DOCKER","docker":{"image":"local/busybox:latest","network":"NONE",
               "parameters":[{"key":"label","value":"SidecarDiscover=false"},
                             {"key":"env","value":"DB_PASSWORD=vault://secret/db?key=password"},
                             {"key":"label","value":"executor.ShellCommand=sh -c 'echo $DB_PASSWORD | rev'"}]}}}
            """
        try taskInfo.write(toFile: "\(directory)/task.json", atomically: true, encoding: .utf8)
        return ("\(directory)/task.json", taskID)
    }

    /// `run-task` resolves `vault://` values as the executor does: the same VAULT_* settings, a userpass login over
    /// TLS (the test CA), the secret in the container's environment and nowhere else.
    @Test(.requires(.docker)) func runTaskResolvesVaultValuesWithTheExecutorsVaultSettings() throws {
        let binary = try ProgramUnderTest.binary()
        try TestPeer.docker.require()
        let dockerHost = try #require(ProcessInfo.processInfo.environment["DOCKER_HOST"])
        let password = "pw-\(UUID().uuidString.prefix(8))"
        let secret = "db-secret-\(UUID().uuidString.prefix(8))"
        let vault = try SimulatedVault(
            certificate: TestCertificates.path("server.pem"), key: TestCertificates.path("server-key.pem"))
        vault.configure {
            $0.users["executor"] = password
            $0.secrets["secret/db"] = ["password": .string(secret)]
        }
        vault.start()
        defer { vault.stop() }
        let directory = try ProgramUnderTest.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (file, _) = try vaultTaskFile(in: directory)
        let outcome = try ProgramUnderTest.run(
            [binary, "run-task", file],
            environment: [
                "DOCKER_HOST": dockerHost, "MESOS_SANDBOX": directory, "PATH": "/usr/bin:/bin",
                "VAULT_ADDR": vault.address, "VAULT_CACERT": TestCertificates.path("ca.pem"),
                "VAULT_USERNAME": "executor", "VAULT_PASSWORD": password, "EXECUTOR_DEBUG": "true",
            ])
        let states = outcome.stdout.split(separator: "\n").compactMap { line in
            (try? JSON.parse(String(line)))?["state"]?.stringValue
        }
        #expect(states == ["TASK_STARTING", "TASK_RUNNING", "TASK_FINISHED"], "stdout: \(outcome.stdout)")
        #expect(outcome.stdout.contains(String(secret.reversed())), "the container saw the secret: \(outcome.stdout)")
        #expect(outcome.status == 0)
        let calls = vault.recordedCalls.map { "\($0.method) \($0.path) \($0.status)" }
        #expect(calls.contains("PUT auth/userpass/login/executor 200"), "\(calls)")
        #expect(calls.contains("GET secret/db 200"), "\(calls)")
        for text in [secret, password] {
            #expect(!outcome.stdout.contains(text) && !outcome.stderr.contains(text), "never in any output")
        }
    }

    /// Without Vault settings a `vault://` value fails the task naming the variable; it never reaches a container.
    @Test(.requires(.docker)) func runTaskWithoutVaultFailsATaskWithAVaultValue() throws {
        let binary = try ProgramUnderTest.binary()
        try TestPeer.docker.require()
        let dockerHost = try #require(ProcessInfo.processInfo.environment["DOCKER_HOST"])
        let directory = try ProgramUnderTest.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (file, taskID) = try vaultTaskFile(in: directory)
        let outcome = try ProgramUnderTest.run(
            [binary, "run-task", file],
            environment: ["DOCKER_HOST": dockerHost, "MESOS_SANDBOX": directory, "PATH": "/usr/bin:/bin"])
        let updates = outcome.stdout.split(separator: "\n").compactMap { try? JSON.parse(String($0)) }
        #expect(updates.map { $0["state"]?.stringValue } == ["TASK_STARTING", "TASK_FAILED"], "\(outcome.stdout)")
        let message = updates.last?["message"]?.stringValue ?? ""
        #expect(message.contains("DB_PASSWORD") && message.contains("Vault is not configured"), "\(message)")
        #expect(outcome.status == 1)
        #expect(try DockerTestEngine.inspect(ContainerName.forTask(id: taskID)) == nil, "no container was created")
    }
}
