import Dispatch
import EventLoop
import Foundation
import Testing

@testable import Executor

/// The supervisor and DockerClient against the project's private Docker engine (scripts/docker-engine.sh). These
/// fail when the engine is missing; only the bridge-network cases skip, with a printed reason, under the
/// restricted profile.
@Suite(.serialized)
struct DockerEndToEndTests {
    @Test func aContainerThatSucceedsFinishesAndIsRemovedAfterTheAck() throws {
        let run = try DockerEndToEndRun(name: "finish")
        defer { run.tearDown() }
        run.launch(run.taskInfo(shell: "echo out-$MESOS_TASK_ID; echo err-line >&2; test -d /mnt/mesos/sandbox"))
        #expect(run.waitFor())
        #expect(run.states == [.starting, .running, .finished])
        let running = run.updates[1]
        let containerID = try #require(running.labels.first { $0.key == "docker_id" }?.value)
        #expect(running.message == "Container \(containerID.prefix(12)) started")
        #expect(run.updates.last?.message == "Container exited with status 0")
        #expect(DockerTestEngine.waitUntil(run.loop) { run.logs.stderr == Array("err-line\n".utf8) })
        #expect(run.stdout == "out-\(run.taskID)\n")
        let inspect = try #require(try DockerTestEngine.inspect(containerID))
        #expect(inspect["Name"]?.stringValue == "/" + ContainerName.forTask(id: run.taskID))
        run.acknowledgeTerminalUpdate()
        #expect(DockerTestEngine.waitUntil(run.loop) { run.finished })
        #expect(try DockerTestEngine.inspect(containerID) == nil)
        if let latency = run.waitToTerminal {
            print("[figure] wait answer -> terminal update at the reporter: \(latency)")
        }
    }

    @Test func exitCodeThreeFailsTheTask() throws {
        let run = try DockerEndToEndRun(name: "exit3")
        defer { run.tearDown() }
        run.launch(run.taskInfo(shell: "exit 3"))
        #expect(run.waitFor())
        #expect(run.states == [.starting, .running, .failed])
        #expect(run.updates.last?.message == "Container exited with status 3")
    }
}

extension DockerEndToEndTests {
    @Test func aKillOfAContainerThatTrapsTermEndsKilledWithoutWaitingForTheGrace() throws {
        let run = try DockerEndToEndRun(name: "trap", killingState: true)
        defer { run.tearDown() }
        run.launch(run.taskInfo(shell: "trap 'echo got-TERM; exit 7' TERM; echo ready; while true; do sleep 0.1; done"))
        #expect(run.waitFor(.running))
        #expect(DockerTestEngine.waitUntil(run.loop) { run.logs.stdout == Array("ready\n".utf8) })
        let start = ContinuousClock.now
        run.kill(grace: .seconds(20))
        #expect(run.waitFor())
        let elapsed = ContinuousClock.now - start
        #expect(run.states == [.starting, .running, .killing, .killed])
        #expect(
            run.updates.last?.message
                == "Container stopped at the framework's request (grace period 20s); it exited with status 7")
        #expect(elapsed < .seconds(15), "the container handled TERM; stop must not wait for the whole grace")
        #expect(
            DockerTestEngine.waitUntil(run.loop) {
                String(decoding: run.logs.stdout, as: UTF8.self).contains("got-TERM")
            })
    }

    @Test func aKillOfAContainerThatIgnoresTermWaitsTheGraceThenKills() throws {
        let run = try DockerEndToEndRun(name: "ignore")
        defer { run.tearDown() }
        // PID 1 without a TERM handler ignores TERM: only the SIGKILL after the grace ends it.
        run.launch(run.taskInfo(shell: "sleep 300"))
        #expect(run.waitFor(.running))
        let start = ContinuousClock.now
        run.kill(grace: .seconds(1))
        #expect(run.waitFor())
        let elapsed = ContinuousClock.now - start
        #expect(run.states == [.starting, .running, .killed])
        #expect(
            run.updates.last?.message
                == "Container stopped at the framework's request (grace period 1s); it exited with status 137")
        #expect(elapsed >= .milliseconds(800), "the grace period must be honoured before SIGKILL")
    }

    @Test func shutdownStopsTheContainerAndReportsKilled() throws {
        let run = try DockerEndToEndRun(name: "shutdown")
        defer { run.tearDown() }
        run.launch(run.taskInfo(shell: "sleep 300"))
        #expect(run.waitFor(.running))
        run.loop.queue.sync { run.supervisor.shutdown(grace: .zero) }
        #expect(run.waitFor())
        #expect(run.states == [.starting, .running, .killed])
        #expect(run.updates.last?.message?.contains("the executor is shutting down") == true)
    }

    @Test func aPublishedPortIsReachableFromTheHost() throws {
        guard DockerTestEngine.profile == "bridge" else {
            print("Skipping the port-mapping case: the engine runs the restricted profile (no bridge network).")
            return
        }
        let run = try DockerEndToEndRun(name: "port")
        defer { run.tearDown() }
        let port = try DockerTestEngine.freePort()
        run.launch(
            run.taskInfo(
                shell: "httpd -f -p 80 -h /www",
                [
                    ("container.docker.network", "BRIDGE"),
                    ("container.docker.port_mappings", [["host_port": .int(Int64(port)), "container_port": 80]]),
                ]))
        #expect(run.waitFor(.running))
        let running = try #require(run.updates.last)
        #expect(running.containerIPAddresses.count == 1)
        var page = ""
        for _ in 0..<50 where !page.contains("hello from a sidecar-executor task") {
            page =
                (try? DockerTestEngine.run(["/usr/bin/curl", "-s", "--max-time", "2", "http://127.0.0.1:\(port)/"]))?
                .output ?? ""
            if !page.contains("hello") { usleep(100_000) }
        }
        #expect(page.contains("hello from a sidecar-executor task"))
        run.kill(grace: .seconds(1))
        #expect(run.waitFor())
    }

    @Test func aReadOnlyVolumeCanBeReadButNotWritten() throws {
        let run = try DockerEndToEndRun(name: "rovolume")
        defer { run.tearDown() }
        let directory = run.sandbox + "/ro-data"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "hi from the host\n".write(toFile: directory + "/hello.txt", atomically: true, encoding: .utf8)
        run.launch(
            run.taskInfo(
                shell: "cat /data/hello.txt; touch /data/new-file",
                [("container.volumes", [["mode": "RO", "container_path": "/data", "host_path": "ro-data"]])]))
        #expect(run.waitFor())
        #expect(run.updates.last?.message == "Container exited with status 1")
        #expect(
            DockerTestEngine.waitUntil(run.loop) {
                String(decoding: run.logs.stderr, as: UTF8.self).contains("Read-only file system")
            })
        #expect(run.stdout == "hi from the host\n")
        #expect(!FileManager.default.fileExists(atPath: directory + "/new-file"))
    }

    @Test func envLabelsAndCapabilitiesAreVisibleInTheEnginesInspect() throws {
        let run = try DockerEndToEndRun(name: "inspect")
        defer { run.tearDown() }
        run.launch(
            run.taskInfo(
                shell: "grep CapEff /proc/self/status; sleep 300",
                [
                    (
                        "container.docker.parameters",
                        [
                            ["key": "env", "value": "FOO=bar"], ["key": "label", "value": "team=web"],
                            ["key": "cap-add", "value": "NET_ADMIN"], ["key": "cap-drop", "value": "MKNOD"],
                        ]
                    )
                ]))
        #expect(run.waitFor(.running))
        let containerID = try #require(run.updates.last?.labels.first?.value)
        let inspect = try #require(try DockerTestEngine.inspect(containerID))
        let environment = inspect[path: "Config.Env"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(environment.contains("FOO=bar"))
        #expect(environment.contains("MESOS_TASK_ID=\(run.taskID)"))
        #expect(environment.contains("MESOS_SANDBOX=/mnt/mesos/sandbox"))
        #expect(inspect[path: "Config.Labels.team"] == "web")
        #expect(inspect["Config"]?["Labels"]?["mesos.task_id"]?.stringValue == run.taskID)
        #expect(inspect[path: "HostConfig.CapAdd"] == ["NET_ADMIN"])
        #expect(inspect[path: "HostConfig.CapDrop"] == ["MKNOD"])
        #expect(DockerTestEngine.waitUntil(run.loop) { run.logs.stdout.contains(UInt8(ascii: "\n")) })
        let line = run.stdout.split(separator: "\t").last.map { $0.trimmingBlanks() } ?? ""
        let capabilities = try #require(UInt64(line, radix: 16), "CapEff line: \(run.stdout)")
        #expect(capabilities & (1 << 12) != 0, "CAP_NET_ADMIN (12) must be effective")
        #expect(capabilities & (1 << 27) == 0, "CAP_MKNOD (27) must be dropped")
        run.kill(grace: .zero)
        #expect(run.waitFor())
    }

    @Test func aTTYContainersOutputArrivesRaw() throws {
        let run = try DockerEndToEndRun(name: "tty")
        defer { run.tearDown() }
        run.launch(run.taskInfo(shell: "echo tty-out; echo tty-err >&2", [("container.tty_info", [:])]))
        #expect(run.waitFor())
        #expect(DockerTestEngine.waitUntil(run.loop) { run.logs.stdout.count >= 18 })
        #expect(run.stdout == "tty-out\r\ntty-err\r\n")
        #expect(run.stderr.isEmpty)
    }
}
