import EventLoop
import Foundation
import Testing

@testable import Executor

/// Named volumes and TaskInfo labels as the engine shows them (the project's private engine).
@Suite(.serialized, .requires(.docker))
struct DockerEndToEndCompatibilityTests {
    @Test func aRelativeHostPathWithAVolumeDriverIsANamedVolumeAndTaskLabelsAreOnTheContainer() throws {
        let run = try DockerEndToEndRun(name: "named-volume")
        defer { run.tearDown() }
        let volume = "compat-vol-\(DockerTestEngine.uniqueSuffix())"
        defer { _ = try? DockerTestEngine.cli(["volume", "rm", "-f", volume]) }
        var task = run.taskInfo(
            shell: "echo kept > /data/file; echo ready; while true; do sleep 0.1; done",
            [
                ("container.volumes", [["mode": "RW", "container_path": "/data", "host_path": .string(volume)]]),
                ("labels.labels", [["key": "tier", "value": "gold"], ["key": "owner", "value": "task-labels"]]),
            ])
        task[path: "container.docker.parameters"] = [
            ["key": "volume-driver", "value": "local"], ["key": "label", "value": "owner=params"],
        ]
        run.launch(task)
        #expect(run.waitFor(.running))
        let containerID = try #require(run.updates.last?.labels.first { $0.key == "docker_id" }?.value)
        let inspect = try #require(try DockerTestEngine.inspect(containerID))
        let mounts = inspect["Mounts"]?.arrayValue ?? []
        let data = try #require(mounts.first { $0["Destination"] == "/data" }, "\(mounts)")
        #expect(data["Type"] == "volume" && data["Name"] == .string(volume) && data["Driver"] == "local")
        let labels = inspect["Config"]?["Labels"]
        #expect(labels?["tier"] == "gold" && labels?["owner"] == "params")
        #expect(DockerTestEngine.waitUntil(run.loop) { run.logs.stdout == Array("ready\n".utf8) })
        let volumes = try DockerTestEngine.cli(["volume", "inspect", "--format", "{{.Driver}}", volume])
        #expect(volumes.status == 0 && volumes.output == "local\n", "\(volumes.output)")

        run.kill(grace: .seconds(1))
        #expect(run.waitFor())
        run.acknowledgeTerminalUpdate()
        #expect(DockerTestEngine.waitUntil(run.loop) { run.finished })
        // The named volume outlives the task's container, as a driver's volume should.
        let after = try DockerTestEngine.cli(["volume", "inspect", volume])
        #expect(after.status == 0)
    }
}
