import EventLoop
import Testing

@testable import Executor

/// Volumes and labels as the original put them on the container.
struct ContainerSpecCompatibilityTests {
    static let sandbox = TaskInfoFixture.sandbox

    private func body(parameters: [(String, String)] = [], _ changes: [(String, JSONValue?)]) throws -> JSONValue {
        try ContainerSpec.make(
            task: TaskInfo.parse(TaskInfoFixture.task(parameters: parameters, changes)),
            settings: TaskInfoFixture.settings
        ).body
    }

    static let volumes: JSONValue = [
        ["mode": "RW", "container_path": "/data", "host_path": "pgdata"],
        ["mode": "RO", "container_path": "/etc/app", "host_path": "/srv/app"],
    ]

    @Test func aRelativeHostPathWithAVolumeDriverParameterIsANamedVolume() throws {
        let body = try body(parameters: [("volume-driver", "rexray")], [("container.volumes", Self.volumes)])
        #expect(
            body["HostConfig"]?["Binds"]
                == [.string("\(Self.sandbox):/mnt/mesos/sandbox"), "pgdata:/data", "/srv/app:/etc/app:ro"])
        #expect(body["HostConfig"]?["VolumeDriver"] == "rexray")
    }

    @Test func theDeprecatedDockerInfoVolumeDriverCountsToo() throws {
        let body = try body([("container.volumes", Self.volumes), ("container.docker.volume_driver", "local")])
        #expect(body["HostConfig"]?["Binds"]?[1] == "pgdata:/data")
    }

    @Test func withoutAVolumeDriverARelativeHostPathStaysInTheSandbox() throws {
        let body = try body([("container.volumes", Self.volumes)])
        #expect(body["HostConfig"]?["Binds"]?[1] == .string("\(Self.sandbox)/pgdata:/data"))
    }

    @Test func taskInfoLabelsAreOnTheContainerUnderTheLabelParameters() throws {
        let body = try body(
            parameters: [("label", "team=web"), ("label", "owner=params")],
            [
                (
                    "labels.labels",
                    [
                        ["key": "owner", "value": "task-labels"], ["key": "tier", "value": "gold"],
                        ["key": "executor.ShellCommand", "value": "sleep 5"],
                    ]
                )
            ])
        #expect(
            body["Labels"]
                == [
                    "team": "web", "owner": "params", "tier": "gold", "mesos.task_id": "task-1",
                    "mesos.executor_id": "exec-1", "mesos.framework_id": "fw-1",
                ])
    }
}
