import EventLoop
import Foundation
import Testing

@testable import Executor

/// TaskInfo health checks, checks, max_completion_time and the new Docker parameters against the private engine.
@Suite(.serialized, .requires(.docker))
struct DockerHealthCheckEndToEndTests {
    /// busybox's httpd, daemonized, so that `killall httpd` stops the server and not the task. It listens on the
    /// container's loopback only: a probe from the executor's own network could not reach it, only one made from
    /// inside the container's network namespace.
    static let serveThenSleep = "httpd -p 127.0.0.1:8080 -h /www && sleep 300"

    private func bridgeProfile(_ what: String) -> Bool {
        guard DockerTestEngine.profile == "bridge" else {
            print("Skipping \(what): the engine runs the restricted profile (no bridge network).")
            return false
        }
        return true
    }

    private func containerName(_ run: DockerEndToEndRun) throws -> String {
        let ids = run.updates.compactMap { update in update.labels.first { $0.key == "docker_id" }?.value }
        return try #require(ids.first)
    }

    /// Launches `run`'s task running `shell` with `healthCheck` as its TaskInfo health check.
    private func launch(_ run: DockerEndToEndRun, shell: String, bridge: Bool = false, healthCheck: JSONValue) {
        var changes: [(String, JSONValue?)] = [("health_check", healthCheck)]
        if bridge { changes.insert(("container.docker.network", "BRIDGE"), at: 0) }
        run.launch(run.taskInfo(shell: shell, changes))
    }

    /// Waits (on the loop's events, bounded at 30 s) for the first update whose `healthy` is `healthy`.
    private func firstHealth(_ run: DockerEndToEndRun, healthy: Bool) -> TaskStatusUpdate? {
        _ = DockerTestEngine.waitUntil(run.loop, timeout: .seconds(30)) {
            run.reporter.updates.contains { $0.healthy == healthy }
        }
        return run.updates.first { $0.healthy == healthy }
    }

    /// The task turns healthy with a message saying why, and a KILL still ends it TASK_KILLED.
    private func expectHealthyThenKilled(_ run: DockerEndToEndRun, saying reason: String) {
        let healthy = firstHealth(run, healthy: true)
        #expect(healthy?.message?.contains(reason) == true, "\(String(describing: healthy))")
        run.kill(grace: .seconds(1))
        #expect(run.waitFor(.killed))
    }

    @Test func anHTTPHealthCheckTurnsHealthyThenUnhealthyThenKillsTheTask() throws {
        guard bridgeProfile("the HTTP health check") else { return }
        let run = try DockerEndToEndRun(name: "hc-http", killingState: true, runsChecks: true)
        defer { run.tearDown() }
        launch(
            run, shell: Self.serveThenSleep, bridge: true,
            healthCheck: [
                "type": "HTTP", "http": ["port": 8080, "path": "/"], "delay_seconds": 0.2,
                "interval_seconds": 0.3, "timeout_seconds": 2, "consecutive_failures": 3,
                "grace_period_seconds": 20,
            ])
        #expect(run.waitFor(.running))
        #expect(firstHealth(run, healthy: true) != nil)
        // The server stops; the task does not.
        let stopped = try DockerTestEngine.cli(["exec", try containerName(run), "killall", "httpd"])
        #expect(stopped.status == 0, "\(stopped.output)")
        #expect(run.waitFor(.killed, timeout: .seconds(30)))
        let updates = run.updates
        let health = updates.filter { $0.reason == .healthCheckStatusUpdated }
        #expect(health.first?.healthy == true)
        #expect(health.filter { $0.healthy == false }.count == 3)
        #expect(updates.map(\.state).suffix(2) == [.killing, .killed])
        #expect(updates.last?.healthy == false)
        #expect(updates.last?.message?.contains("Killed by its health check") == true)
    }

    @Test func aTCPHealthCheckPassesAgainstAListeningPort() throws {
        guard bridgeProfile("the TCP health check") else { return }
        let run = try DockerEndToEndRun(name: "hc-tcp", runsChecks: true)
        defer { run.tearDown() }
        launch(
            run, shell: Self.serveThenSleep, bridge: true,
            healthCheck: ["type": "TCP", "tcp": ["port": 8080], "delay_seconds": 0.2, "interval_seconds": 0.3])
        expectHealthyThenKilled(run, saying: "connection accepted")
    }

    @Test func aCommandHealthCheckRunsInTheContainer() throws {
        let run = try DockerEndToEndRun(name: "hc-cmd", runsChecks: true)
        defer { run.tearDown() }
        launch(
            run, shell: "touch /tmp/ready && sleep 300",
            healthCheck: [
                "type": "COMMAND", "command": ["value": "test -f /tmp/ready"], "delay_seconds": 0.2,
                "interval_seconds": 0.3,
            ])
        expectHealthyThenKilled(run, saying: "exit status 0")
    }

    @Test func aCommandOutlivingItsTimeoutIsAFailureAndItsProcessIsKilled() throws {
        let run = try DockerEndToEndRun(name: "hc-timeout", runsChecks: true)
        defer { run.tearDown() }
        launch(
            run, shell: "sleep 300",
            healthCheck: [
                "type": "COMMAND", "command": ["value": "sleep 77"], "delay_seconds": 0.1,
                "interval_seconds": 600, "timeout_seconds": 0.5, "grace_period_seconds": 0,
            ])
        #expect(firstHealth(run, healthy: false)?.message?.contains("no answer within 500ms") == true)
        // The abandoned exec's process is killed, not left running in the container.
        // Watched until it is gone (the engine's kill is slow on a loaded machine), bounded like every event wait.
        var processes = ""
        let giveUp = ContinuousClock.now + .seconds(120)
        repeat {
            processes = try DockerTestEngine.cli(["top", try containerName(run)]).output
            if !processes.contains("sleep 77") { break }
            usleep(100_000)
        } while ContinuousClock.now < giveUp
        #expect(!processes.contains("sleep 77"), "\(processes)")
        #expect(run.states.last == .running)
        run.kill(grace: .seconds(1))
        #expect(run.waitFor(.killed))
    }

    @Test func aCheckResultChangeIsReportedWithCheckStatus() throws {
        let run = try DockerEndToEndRun(name: "check-cmd", runsChecks: true)
        defer { run.tearDown() }
        run.launch(
            run.taskInfo(
                shell: "echo 0 > /tmp/code && sleep 300",
                [
                    (
                        "check",
                        [
                            "type": "COMMAND", "command": ["command": ["value": "exit $(cat /tmp/code)"]],
                            "delay_seconds": 0.2, "interval_seconds": 0.3,
                        ]
                    )
                ]))
        #expect(
            DockerTestEngine.waitUntil(run.loop, timeout: .seconds(30)) {
                run.reporter.updates.contains { $0.checkStatus != nil }
            })
        #expect(run.updates.first { $0.checkStatus != nil }?.checkStatus == CheckStatus(type: "COMMAND", exitCode: 0))
        let changed = try DockerTestEngine.cli(["exec", try containerName(run), "sh", "-c", "echo 3 > /tmp/code"])
        #expect(changed.status == 0, "\(changed.output)")
        #expect(
            DockerTestEngine.waitUntil(run.loop, timeout: .seconds(30)) {
                run.reporter.updates.contains { $0.checkStatus?.exitCode == 3 }
            })
        let statuses = run.updates.compactMap(\.checkStatus)
        #expect(statuses == [CheckStatus(type: "COMMAND", exitCode: 0), CheckStatus(type: "COMMAND", exitCode: 3)])
        #expect(run.updates.last?.reason == .checkStatusUpdated)
        run.kill(grace: .seconds(1))
        #expect(run.waitFor(.killed))
    }

    @Test func maxCompletionTimeEndsTheTaskFailedWithItsReason() throws {
        let run = try DockerEndToEndRun(name: "maxtime")
        defer { run.tearDown() }
        run.launch(run.taskInfo(shell: "sleep 300", [("max_completion_time", ["nanoseconds": 1_000_000_000])]))
        #expect(run.waitFor(timeout: .seconds(60)))
        let final = try #require(run.updates.last)
        #expect(final.state == .failed)
        #expect(final.reason == .maxCompletionTimeReached)
        #expect(final.message?.contains("max_completion_time of 1s") == true)
    }

    @Test func newParametersAreVisibleInTheEnginesInspect() throws {
        let run = try DockerEndToEndRun(name: "runopts")
        defer { run.tearDown() }
        let parameters: [(String, String)] = [
            ("memory", "64m"), ("memory-reservation", "32m"), ("shm-size", "16m"), ("pids-limit", "100"),
            ("ulimit", "nofile=1024:2048"), ("stop-signal", "SIGQUIT"), ("stop-timeout", "7"),
            ("oom-score-adj", "100"), ("cpu-shares", "256"), ("tmpfs", "/scratch:size=8m"),
            ("security-opt", "no-new-privileges"), ("group-add", "4242"), ("read-only", "true"),
            ("entrypoint", "/bin/sh"),
        ]
        var task = run.taskInfo(shell: nil)
        task[path: "container.docker.parameters"] = .array(
            parameters.map { ["key": .string($0.0), "value": .string($0.1)] })
        task[path: "command"] = ["shell": false, "value": "-c", "arguments": ["sleep 300"]]
        run.launch(task)
        #expect(run.waitFor(.running), "\(run.updates.map { $0.message ?? "" })")
        let inspect = try #require(try DockerTestEngine.inspect(try containerName(run)))
        let host = try #require(inspect["HostConfig"])
        #expect(host["Memory"] == 67_108_864)
        #expect(host["MemoryReservation"] == 33_554_432)
        #expect(host["ShmSize"] == 16_777_216)
        #expect(host["PidsLimit"] == 100)
        #expect(host["Ulimits"] == [["Name": "nofile", "Soft": 1024, "Hard": 2048]])
        #expect(host["OomScoreAdj"] == 100)
        #expect(host["CpuShares"] == 256)
        #expect(host["Tmpfs"] == ["/scratch": "size=8m"])
        #expect(host["SecurityOpt"] == ["no-new-privileges"])
        #expect(host["GroupAdd"] == ["4242"])
        #expect(host["ReadonlyRootfs"] == true)
        #expect(inspect["Config"]?["StopSignal"] == "SIGQUIT")
        #expect(inspect["Config"]?["StopTimeout"] == 7)
        #expect(inspect["Config"]?["Entrypoint"] == ["/bin/sh"])
        run.kill(grace: .seconds(1))
        #expect(run.waitFor(.killed))
    }
}
