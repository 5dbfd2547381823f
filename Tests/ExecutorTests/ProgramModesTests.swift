import EventLoop
import Foundation
import Testing

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
}
