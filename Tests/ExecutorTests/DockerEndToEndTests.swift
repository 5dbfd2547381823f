import Dispatch
import EventLoop
import Foundation
import Testing

@testable import Executor

/// The supervisor and DockerClient against the project's private Docker engine (scripts/docker-engine.sh). These
/// fail when the engine is missing; only the bridge-network cases skip, with a printed reason, under the
/// restricted profile.
@Suite(.serialized, .requires(.docker))
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

    @Test func aContainerThatOutgrowsItsMemoryLimitFailsWithTheMemoryLimitationReason() throws {
        var settings = ExecutorSettings()
        settings.forceMemoryLimit = true
        let run = try DockerEndToEndRun(name: "oom", settings: settings)
        defer { run.tearDown() }
        // 8 MiB (the engine's floor is 6), and a shell that doubles a string until the kernel's OOM killer ends it.
        run.launch(
            run.taskInfo(
                shell: "a=xxxxxxxxxxxxxxxx; while true; do a=\"$a$a\"; done",
                [("resources[1].scalar.value", .double(8))]))
        #expect(run.waitFor(timeout: .seconds(60)))
        #expect(run.states == [.starting, .running, .failed])
        #expect(run.updates.last?.reason == .containerLimitationMemory)
        #expect(run.updates.last?.message?.contains("OOM killer") == true, "\(String(describing: run.updates.last))")
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
        // A grace far longer than the wait below: the task can only end within the wait if the stop returns when the
        // container exits. Status 7 is the TERM handler's (a SIGKILL at the end of the grace would be 137).
        run.kill(grace: .seconds(3600))
        #expect(run.waitFor(timeout: .seconds(120)))
        #expect(run.states == [.starting, .running, .killing, .killed])
        #expect(
            run.updates.last?.message
                == "Container stopped at the framework's request (grace period 3600s); it exited with status 7")
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

/// Pulls from the local registry (ENGINE_REGISTRY=1) and launch failures.
extension DockerEndToEndTests {
    /// Pushes local/busybox under a fresh tag and removes it from the engine, so that the task must pull it.
    static func pushUniqueImage() throws -> String {
        let registry = try #require(DockerTestEngine.registry, "DOCKER_TEST_REGISTRY is not set (ENGINE_REGISTRY=1)")
        let image = "\(registry)/test/busybox:e2e-\(DockerTestEngine.uniqueSuffix())"
        for arguments in [["tag", "local/busybox:latest", image], ["push", image], ["rmi", image]] {
            let result = try DockerTestEngine.cli(arguments)
            try #require(result.status == 0, "docker \(arguments.joined(separator: " ")): \(result.output)")
        }
        return image
    }

    @Test func anImageMissingLocallyIsPulledFromTheRegistry() throws {
        let image = try Self.pushUniqueImage()
        defer { _ = try? DockerTestEngine.cli(["rmi", image]) }
        let registry = try #require(DockerTestEngine.registry)
        // The local registry needs no login; the header must still be accepted.
        let credentials = try RegistryCredentials.parse(
            Array(#"{"auths":{"\#(registry)":{"auth":"dXNlcjpwYXNz"}}}"#.utf8), format: .configJSON, path: "test")
        let run = try DockerEndToEndRun(name: "pull", credentials: credentials)
        defer { run.tearDown() }
        run.launch(run.taskInfo(shell: "echo pulled", [("container.docker.image", .string(image))]))
        #expect(run.waitFor(timeout: .seconds(60)))
        #expect(run.states == [.starting, .running, .finished])
        #expect(try DockerTestEngine.cli(["image", "inspect", image]).status == 0)
    }

    @Test func aMissingTagFailsTheLaunchWithTheRegistrysMessage() throws {
        let registry = try #require(DockerTestEngine.registry, "DOCKER_TEST_REGISTRY is not set (ENGINE_REGISTRY=1)")
        let image = "\(registry)/test/busybox:nope-\(DockerTestEngine.uniqueSuffix())"
        let run = try DockerEndToEndRun(name: "nomanifest")
        defer { run.tearDown() }
        run.launch(run.taskInfo(shell: "true", [("container.docker.image", .string(image))]))
        #expect(run.waitFor(timeout: .seconds(60)))
        #expect(run.states == [.starting, .failed])
        let failure = try #require(run.updates.last)
        #expect(failure.reason == .containerLaunchFailed)
        #expect(
            failure.message
                == "Failed to pull image \(image): manifest for \(image) not found: manifest unknown: manifest unknown")
    }

    @Test func aBlobMissingFromTheRegistryFailsInsideThePullStream() throws {
        let registry = try #require(DockerTestEngine.registry, "DOCKER_TEST_REGISTRY is not set (ENGINE_REGISTRY=1)")
        let image = try Self.pushBrokenImage(registry: registry)
        let run = try DockerEndToEndRun(name: "brokenblob")
        defer { run.tearDown() }
        // The client itself: the failure must come from the 200 progress stream, not from an error status.
        let direct = try ImageReference(parsing: image)
        var outcome: Result<Void, DockerError>?
        run.loop.queue.sync { run.client.pullImage(direct, credential: nil) { outcome = $0 } }
        #expect(DockerTestEngine.waitUntil(run.loop, timeout: .seconds(60)) { outcome != nil })
        guard case .failure(.pullFailed(let failedImage, let message)) = run.loop.queue.sync(execute: { outcome })
        else {
            Issue.record("expected a failure inside the pull stream, got \(String(describing: outcome))")
            return
        }
        #expect(failedImage == image)
        #expect(!message.isEmpty)
        // And the task: TASK_FAILED with the engine's words.
        run.launch(run.taskInfo(shell: "true", [("container.docker.image", .string(image))]))
        #expect(run.waitFor(timeout: .seconds(60)))
        #expect(run.states == [.starting, .failed])
        #expect(run.updates.last?.message == "Failed to pull image \(image): \(message)")
    }

    /// Imports an image with a layer of its own, pushes it, then deletes that layer's blob from the registry's
    /// storage, so that the manifest is found but the download fails mid-stream (the engine already said 200).
    static func pushBrokenImage(registry: String) throws -> String {
        let suffix = DockerTestEngine.uniqueSuffix()
        let image = "\(registry)/test/broken-\(suffix):1"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(suffix)").path
        try FileManager.default.createDirectory(atPath: directory + "/root", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "layer \(suffix)\n".write(toFile: directory + "/root/unique.txt", atomically: true, encoding: .utf8)
        try #require(
            try DockerTestEngine.run(["/bin/tar", "-C", directory + "/root", "-cf", directory + "/layer.tar", "."])
                .status == 0)
        for arguments in [["import", directory + "/layer.tar", image], ["push", image], ["rmi", image]] {
            let result = try DockerTestEngine.cli(arguments)
            try #require(result.status == 0, "docker \(arguments.joined(separator: " ")): \(result.output)")
        }
        let manifest = try DockerTestEngine.run([
            "/usr/bin/curl", "-sf", "-H", "Accept: application/vnd.docker.distribution.manifest.v2+json",
            "http://\(registry)/v2/test/broken-\(suffix)/manifests/1",
        ])
        let digest = try #require(try JSON.parse(manifest.output)[path: "layers[0].digest"]?.stringValue)
        let hex = String(digest.dropFirst("sha256:".count))
        let blob =
            "\(DockerTestEngine.engineDirectory)/registry/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)"
        try FileManager.default.removeItem(atPath: blob)
        return image
    }

    @Test func aCommandThatCannotRunFailsTheLaunchAndTheContainerIsRemovedAfterTheAck() throws {
        let run = try DockerEndToEndRun(name: "badcommand")
        defer { run.tearDown() }
        run.launch(run.taskInfo(shell: nil, [("command", ["shell": false, "value": "/no/such/binary"])]))
        #expect(run.waitFor())
        #expect(run.states == [.starting, .failed])
        let failure = try #require(run.updates.last)
        #expect(failure.reason == .containerLaunchFailed)
        #expect(failure.message?.hasPrefix("Failed to start the container: ") == true)
        #expect(failure.message?.contains("/no/such/binary") == true)
        let name = ContainerName.forTask(id: run.taskID)
        #expect(try DockerTestEngine.inspect(name)?[path: "State.Status"] == "created")
        run.acknowledgeTerminalUpdate()
        #expect(DockerTestEngine.waitUntil(run.loop) { run.finished })
        #expect(try DockerTestEngine.inspect(name) == nil)
    }

    @Test func aHostPortAlreadyInUseFailsTheLaunchWithTheEnginesMessage() throws {
        guard DockerTestEngine.profile == "bridge" else {
            print("Skipping the port-conflict case: the engine runs the restricted profile (no bridge network).")
            return
        }
        let port = try DockerTestEngine.freePort()
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = INADDR_ANY
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        try #require(bound && listen(listener, 1) == 0)
        let run = try DockerEndToEndRun(name: "portbusy")
        defer { run.tearDown() }
        run.launch(
            run.taskInfo(
                shell: "sleep 300",
                [
                    ("container.docker.network", "BRIDGE"),
                    ("container.docker.port_mappings", [["host_port": .int(Int64(port)), "container_port": 80]]),
                ]))
        #expect(run.waitFor())
        #expect(run.states == [.starting, .failed])
        #expect(run.updates.last?.reason == .containerLaunchFailed)
        #expect(run.updates.last?.message?.contains("address already in use") == true)
    }
}
