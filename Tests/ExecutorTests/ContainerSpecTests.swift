import EventLoop
import Testing

@testable import Executor

struct ContainerSpecTests {
    /// One TaskInfo feature: the task changed this way gives this value at this path of the create body.
    struct Row: Sendable, CustomStringConvertible {
        var description: String
        var parameters: [(String, String)] = []
        var changes: [(String, JSONValue?)] = []
        var settings = TaskInfoFixture.settings
        var path: String
        var expected: JSONValue?
    }

    static let sandbox = TaskInfoFixture.sandbox

    static let rows: [Row] = [
        Row(description: "image", path: "Image", expected: "registry:5000/web:1.2"),
        Row(
            description: "shell command runs under /bin/sh -c as in Mesos",
            changes: [("command", ["shell": true, "value": "echo hi; exit 3"])], path: "Entrypoint",
            expected: ["/bin/sh", "-c"]),
        Row(
            description: "shell command value is the one argument of sh -c",
            changes: [("command", ["shell": true, "value": "echo hi; exit 3"])], path: "Cmd",
            expected: ["echo hi; exit 3"]),
        Row(
            description: "non-shell command is value then arguments, keeping the image entrypoint",
            changes: [("command", ["shell": false, "value": "httpd", "arguments": ["-f", "-p", "80"]])],
            path: "Cmd", expected: ["httpd", "-f", "-p", "80"]),
        Row(
            description: "non-shell command does not set an entrypoint",
            changes: [("command", ["shell": false, "value": "httpd"])], path: "Entrypoint", expected: nil),
        Row(
            description: "ShellCommand label parameter is split like a shell",
            parameters: [("label", "executor.ShellCommand=sh -c 'echo \"a b\"; exit 3'")], path: "Cmd",
            expected: ["sh", "-c", "echo \"a b\"; exit 3"]),
        Row(
            description: "ShellCommand is read from TaskInfo labels too",
            changes: [("labels.labels", [["key": "executor.ShellCommand", "value": "sleep 30"]])], path: "Cmd",
            expected: ["sleep", "30"]),
        Row(
            description: "ShellCommand parameter wins over the TaskInfo label",
            parameters: [("label", "executor.ShellCommand=sleep 1")],
            changes: [("labels.labels", [["key": "executor.ShellCommand", "value": "sleep 30"]])], path: "Cmd",
            expected: ["sleep", "1"]),
        Row(description: "no command keeps the image's", path: "Cmd", expected: nil),
        Row(
            description: "environment in the original's order plus Mesos's variables",
            parameters: [
                ("env", "FOO=bar"), ("env", "EMPTY="), ("label", "ServiceName=web"), ("label", "Environment=prod"),
            ],
            changes: [
                ("executor.command.environment.variables[1]", ["name": "SECRET_KEY", "value": "s"]),
                ("container.docker.port_mappings", [["host_port": 31005, "container_port": 80]]),
            ],
            path: "Env",
            expected: [
                "TASK_HOST=host-1", "SECRET_KEY=s", "FOO=bar", "EMPTY=", "MESOS_PORT_80=31005", "MESOS_HOSTNAME=host-1",
                "SERVICE_NAME=web", "ENVIRONMENT=prod", "SERVICE_VERSION=1.2", "MESOS_SANDBOX=/mnt/mesos/sandbox",
                "MESOS_TASK_ID=task-1",
            ]),
        Row(
            description: "task.command environment follows the executor's; TASK_HOST from the agent env as fallback",
            changes: [
                ("executor.command.environment", nil),
                (
                    "command",
                    ["shell": true, "value": "true", "environment": ["variables": [["name": "A", "value": "1"]]]]
                ),
                ("labels.labels", [["key": "ServiceName", "value": "from-task-labels"]]),
                (
                    "container.docker.image",
                    "img@sha256:92a7c0e0f1d2b3a4958677869fa0b1c2d3e4f5061728394a5b6c7d8e9f0a1b2c"
                ),
            ],
            settings: ContainerSpec.Settings(sandboxDirectory: sandbox, taskHost: "agent-host"), path: "Env",
            expected: [
                "A=1", "MESOS_HOSTNAME=agent-host", "SERVICE_NAME=from-task-labels",
                "SERVICE_VERSION=sha256:92a7c0e0f1d2b3a4958677869fa0b1c2d3e4f5061728394a5b6c7d8e9f0a1b2c",
                "MESOS_SANDBOX=/mnt/mesos/sandbox", "MESOS_TASK_ID=task-1",
            ]),
        Row(
            description: "labels from label parameters, without the command, plus task/executor/framework",
            parameters: [("label", "team=web"), ("label", "executor.ShellCommand=true"), ("label", "a=b=c")],
            path: "Labels",
            expected: [
                "team": "web", "a": "b=c", "mesos.task_id": "task-1", "mesos.executor_id": "exec-1",
                "mesos.framework_id": "fw-1",
            ]),
        Row(
            description: "every port mapping is exposed, one key per protocol",
            changes: [
                (
                    "container.docker.port_mappings",
                    [
                        ["host_port": 31005, "container_port": 80, "protocol": "tcp,udp"],
                        ["host_port": 0, "container_port": 9000],
                        ["host_port": 31006, "container_port": 53, "protocol": "UDP"],
                    ]
                )
            ],
            path: "ExposedPorts", expected: ["80/tcp": [:], "80/udp": [:], "9000/tcp": [:], "53/udp": [:]]),
        Row(
            description: "port bindings only for host ports",
            changes: [
                (
                    "container.docker.port_mappings",
                    [
                        ["host_port": 31005, "container_port": 80, "protocol": "tcp, udp"],
                        ["host_port": 0, "container_port": 9000],
                        ["host_port": 31007, "container_port": 80],
                    ]
                )
            ],
            path: "HostConfig.PortBindings",
            expected: [
                "80/tcp": [["HostIp": "", "HostPort": "31005"], ["HostIp": "", "HostPort": "31007"]],
                "80/udp": [["HostIp": "", "HostPort": "31005"]],
            ]),
        Row(
            description: "sandbox bind first, RO and RW volumes, relative host path inside the sandbox",
            changes: [
                (
                    "container.volumes",
                    [
                        ["mode": "RO", "container_path": "/etc/app", "host_path": "/srv/app/conf"],
                        ["mode": "RW", "container_path": "/data", "host_path": "data"],
                        ["mode": "RW", "container_path": "cache", "host_path": "/srv/cache"],
                        [
                            "mode": "RO", "container_path": "/named",
                            "source": [
                                "type": "DOCKER_VOLUME", "docker_volume": ["name": "shared", "driver": "local"],
                            ],
                        ],
                        [
                            "mode": "RW", "container_path": "/tmpdir",
                            "source": ["type": "SANDBOX_PATH", "sandbox_path": ["type": "SELF", "path": "tmp"]],
                        ],
                    ]
                )
            ],
            path: "HostConfig.Binds",
            expected: [
                .string("\(sandbox):/mnt/mesos/sandbox"), "/srv/app/conf:/etc/app:ro", .string("\(sandbox)/data:/data"),
                "/srv/cache:/mnt/mesos/sandbox/cache", "shared:/named:ro", .string("\(sandbox)/tmp:/tmpdir"),
            ]),
        Row(
            description: "network HOST", changes: [("container.docker.network", "HOST")],
            path: "HostConfig.NetworkMode",
            expected: "host"),
        Row(description: "network BRIDGE", path: "HostConfig.NetworkMode", expected: "bridge"),
        Row(
            description: "network NONE", changes: [("container.docker.network", "NONE")],
            path: "HostConfig.NetworkMode",
            expected: "none"),
        Row(
            description: "network USER is network_infos[0].name",
            changes: [("container.docker.network", "USER"), ("container.network_infos", [["name": "overlay-1"]])],
            path: "HostConfig.NetworkMode", expected: "overlay-1"),
        Row(
            description: "network defaults to HOST as in Mesos", changes: [("container.docker.network", nil)],
            path: "HostConfig.NetworkMode", expected: "host"),
        Row(
            description: "cap-add", parameters: [("cap-add", "NET_ADMIN"), ("cap-add", "SYS_TIME")],
            path: "HostConfig.CapAdd", expected: ["NET_ADMIN", "SYS_TIME"]),
        Row(description: "cap-drop", parameters: [("cap-drop", "ALL")], path: "HostConfig.CapDrop", expected: ["ALL"]),
        Row(
            description: "volume-driver, last one wins",
            parameters: [("volume-driver", "a"), ("volume-driver", "rexray")],
            path: "HostConfig.VolumeDriver", expected: "rexray"),
        Row(description: "no CPU limit unless forced", path: "HostConfig.CpuQuota", expected: nil),
        Row(
            description: "forced CPU limit is a CFS quota of cpus x 50000",
            settings: ContainerSpec.Settings(forceCPULimit: true, hostCPUCount: 4, sandboxDirectory: sandbox),
            path: "HostConfig.CpuQuota", expected: 25000),
        Row(
            description: "CFS period is 50000",
            settings: ContainerSpec.Settings(forceCPULimit: true, hostCPUCount: 4, sandboxDirectory: sandbox),
            path: "HostConfig.CpuPeriod", expected: 50000),
        Row(
            description: "CPU shares are 1024 x cpus / host CPUs",
            settings: ContainerSpec.Settings(
                forceCPULimit: true, useCPUShares: true, hostCPUCount: 4, sandboxDirectory: sandbox),
            path: "HostConfig.CpuShares", expected: 128),
        Row(
            description: "CPU shares are capped at 1024",
            changes: [("resources[0].scalar.value", 16.0)],
            settings: ContainerSpec.Settings(
                forceCPULimit: true, useCPUShares: true, hostCPUCount: 4, sandboxDirectory: sandbox),
            path: "HostConfig.CpuShares", expected: 1024),
        Row(
            description: "CPU shares alone do nothing without the forced limit",
            settings: ContainerSpec.Settings(useCPUShares: true, hostCPUCount: 4, sandboxDirectory: sandbox),
            path: "HostConfig.CpuShares", expected: nil),
        Row(
            description: "forced memory limit is mem MiB",
            settings: ContainerSpec.Settings(forceMemoryLimit: true, sandboxDirectory: sandbox),
            path: "HostConfig.Memory",
            expected: 268_435_456),
        Row(description: "no memory limit unless forced", path: "HostConfig.Memory", expected: nil),
        Row(
            description: "privileged", changes: [("container.docker.privileged", true)], path: "HostConfig.Privileged",
            expected: true),
        Row(
            description: "hostname", changes: [("container.hostname", "web-1")], path: "Hostname", expected: "web-1"),
        Row(description: "tty_info gives a TTY", changes: [("container.tty_info", [:])], path: "Tty", expected: true),
        Row(description: "tty parameter gives a TTY", parameters: [("tty", "true")], path: "Tty", expected: true),
        Row(description: "user parameter", parameters: [("user", "nobody")], path: "User", expected: "nobody"),
        Row(description: "workdir parameter", parameters: [("workdir", "/www")], path: "WorkingDir", expected: "/www"),
        Row(
            description: "log-driver and log-opt parameters",
            parameters: [("log-driver", "json-file"), ("log-opt", "max-size=10m")], path: "HostConfig.LogConfig",
            expected: ["Type": "json-file", "Config": ["max-size": "10m"]]),
        Row(
            description: "add-host parameter", parameters: [("add-host", "db:10.0.0.5")], path: "HostConfig.ExtraHosts",
            expected: ["db:10.0.0.5"]),
        Row(description: "init parameter", parameters: [("init", "true")], path: "HostConfig.Init", expected: true),
    ]

    @Test(arguments: rows)
    func mapsEachTaskInfoFeature(row: Row) throws {
        let task = try TaskInfo.parse(TaskInfoFixture.task(parameters: row.parameters, row.changes))
        let spec = try ContainerSpec.make(task: task, settings: row.settings)
        #expect(spec.body[path: row.path] == row.expected)
    }

    @Test func theContainerIsNamedAfterTheTaskID() throws {
        let spec = try ContainerSpec.make(
            task: TaskInfo.parse(TaskInfoFixture.task()), settings: TaskInfoFixture.settings)
        #expect(spec.name == "mesos-491f4d69-d3cd-5c35-8b89-71bfec60409e")
        #expect(spec.image.registry == "registry:5000")
        #expect(!spec.forcePull)
        #expect(!spec.hasTTY)
    }

    @Test func forcePullImageIsCarriedOver() throws {
        let json = TaskInfoFixture.task([("container.docker.force_pull_image", true)])
        #expect(try ContainerSpec.make(task: TaskInfo.parse(json), settings: TaskInfoFixture.settings).forcePull)
    }

    @Test func unsupportedParametersAreReportedByNameNotDropped() throws {
        let json = TaskInfoFixture.task(
            parameters: [
                ("link", "db:db"), ("label", "ServiceName=web"), ("label", "Environment=prod"),
                ("label", "novalue"),
            ])
        let spec = try ContainerSpec.make(task: TaskInfo.parse(json), settings: TaskInfoFixture.settings)
        #expect(
            spec.warnings == [
                "Docker parameter 'link' (container.docker.parameters[0]) is not supported by sidecar-executor and was ignored.",
                "Docker parameter 'label' (container.docker.parameters[3]) has no '=' in 'novalue' and was ignored.",
            ])
    }

    @Test func missingServiceNameAndEnvironmentAreWarnedAbout() throws {
        let spec = try ContainerSpec.make(
            task: TaskInfo.parse(TaskInfoFixture.task()), settings: TaskInfoFixture.settings)
        #expect(spec.warnings.count == 2)
        #expect(spec.warnings.allSatisfy { $0.contains("label") })
    }

    @Test func taskLabelsMergeParametersOverTaskInfoLabels() throws {
        let json = TaskInfoFixture.task(
            parameters: [("label", "SidecarDiscover=false")],
            [("labels.labels", [["key": "SidecarDiscover", "value": "true"], ["key": "owner", "value": "me"]])])
        let spec = try ContainerSpec.make(task: TaskInfo.parse(json), settings: TaskInfoFixture.settings)
        #expect(spec.taskLabels == ["SidecarDiscover": "false", "owner": "me"])
    }
}

/// Malformed TaskInfo: each gives a TaskInfoError that names the field (the task then fails with
/// REASON_TASK_INVALID; TaskSupervisorTests checks that part).
struct ContainerSpecMalformedTaskTests {
    struct Row: Sendable, CustomStringConvertible {
        var description: String
        var parameters: [(String, String)] = []
        var changes: [(String, JSONValue?)] = []
        var error: TaskInfoError
    }

    static let rows: [Row] = [
        Row(
            description: "no image", changes: [("container.docker.image", nil)],
            error: .missing(field: "container.docker.image")),
        Row(
            description: "image of the wrong type", changes: [("container.docker.image", 42)],
            error: .wrongType(field: "container.docker.image", expected: "a string")),
        Row(
            description: "unusable image", changes: [("container.docker.image", "Bad Image")],
            error: .invalid(
                field: "container.docker.image",
                reason: "is not usable: The image reference \"Bad Image\" contains the character U+0020, which "
                    + "Docker does not allow.")),
        Row(description: "no container", changes: [("container", nil)], error: .missing(field: "container")),
        Row(
            description: "not a DOCKER container", changes: [("container.type", "MESOS")],
            error: .invalid(field: "container.type", reason: "is MESOS; sidecar-executor runs DOCKER containers")),
        Row(
            description: "no docker info", changes: [("container.docker", nil)],
            error: .missing(field: "container.docker")),
        Row(
            description: "host port out of range",
            changes: [("container.docker.port_mappings", [["host_port": 70000, "container_port": 80]])],
            error: .invalid(
                field: "container.docker.port_mappings[0].host_port",
                reason: "is 70000; expected a port number from 0 to 65535")),
        Row(
            description: "container port zero",
            changes: [("container.docker.port_mappings", [["host_port": 31000, "container_port": 0]])],
            error: .invalid(
                field: "container.docker.port_mappings[0].container_port",
                reason: "is 0; expected a port number from 1 to 65535")),
        Row(
            description: "port as a string",
            changes: [("container.docker.port_mappings", [["host_port": "80", "container_port": 80]])],
            error: .wrongType(field: "container.docker.port_mappings[0].host_port", expected: "an integer")),
        Row(
            description: "missing container port",
            changes: [("container.docker.port_mappings", [["host_port": 80]])],
            error: .missing(field: "container.docker.port_mappings[0].container_port")),
        Row(
            description: "unknown protocol",
            changes: [
                ("container.docker.port_mappings", [["host_port": 1, "container_port": 1, "protocol": "tcp,icmp"]])
            ],
            error: .invalid(
                field: "container.docker.port_mappings[0].protocol", reason: "names 'icmp'; expected tcp, udp or sctp")),
        Row(
            description: "bad volume mode",
            changes: [("container.volumes", [["mode": "RX", "container_path": "/a", "host_path": "/b"]])],
            error: .invalid(field: "container.volumes[0].mode", reason: "is 'RX'; expected RW or RO")),
        Row(
            description: "volume without a source",
            changes: [("container.volumes", [["mode": "RW", "container_path": "/a"]])],
            error: .missing(field: "container.volumes[0].host_path")),
        Row(
            description: "both volume paths relative",
            changes: [("container.volumes", [["mode": "RW", "container_path": "a", "host_path": "b"]])],
            error: .invalid(
                field: "container.volumes[0].container_path",
                reason: "is relative and so is the host path; one of them must be absolute")),
        Row(
            description: "relative host path climbing out of the sandbox",
            changes: [("container.volumes", [["mode": "RW", "container_path": "/a", "host_path": "../../etc"]])],
            error: .invalid(field: "container.volumes[0].host_path", reason: "contains '..' ('../../etc')")),
        Row(
            description: "unsupported volume source",
            changes: [("container.volumes", [["mode": "RW", "container_path": "/a", "source": ["type": "SECRET"]]])],
            error: .invalid(
                field: "container.volumes[0].source.type",
                reason: "is SECRET; sidecar-executor supports DOCKER_VOLUME, HOST_PATH and SANDBOX_PATH")),
        Row(
            description: "unknown network", changes: [("container.docker.network", "OVERLAY")],
            error: .invalid(
                field: "container.docker.network", reason: "is 'OVERLAY'; expected HOST, BRIDGE, NONE or USER")),
        Row(
            description: "USER network without a name", changes: [("container.docker.network", "USER")],
            error: .invalid(
                field: "container.network_infos", reason: "has 0 entries; USER networking needs exactly one")),
        Row(
            description: "hostname with HOST networking",
            changes: [("container.docker.network", "HOST"), ("container.hostname", "h")],
            error: .invalid(field: "container.hostname", reason: "cannot be set with HOST networking")),
        Row(
            description: "unterminated quote in the ShellCommand label",
            parameters: [("env", "A=1"), ("label", "executor.ShellCommand=sh -c 'echo")],
            error: .invalid(
                field: "container.docker.parameters[1].value",
                reason: "(executor.ShellCommand) cannot be split: The command line has a single quote at byte 6 "
                    + "that is never closed.")),
        Row(
            description: "empty ShellCommand label", parameters: [("label", "executor.ShellCommand=  ")],
            error: .invalid(field: "container.docker.parameters[0].value", reason: "(executor.ShellCommand) is empty")),
        Row(
            description: "shell command without a value", changes: [("command", ["shell": true])],
            error: .invalid(field: "command.value", reason: "is missing; a shell command needs one")),
        Row(
            description: "secret environment variable",
            changes: [("executor.command.environment.variables[0].type", "SECRET")],
            error: .invalid(
                field: "executor.command.environment.variables[0].type",
                reason: "is SECRET; only VALUE variables are supported")),
        Row(
            description: "negative kill grace", changes: [("kill_policy.grace_period.nanoseconds", -1)],
            error: .invalid(field: "kill_policy.grace_period.nanoseconds", reason: "is negative (-1)")),
        Row(description: "no task id", changes: [("task_id", nil)], error: .missing(field: "task_id.value")),
        Row(
            description: "parameter without a value", changes: [("container.docker.parameters", [["key": "env"]])],
            error: .missing(field: "container.docker.parameters[0].value")),
        Row(
            description: "bad log-opt", parameters: [("log-opt", "max-size")],
            error: .invalid(
                field: "container.docker.parameters[0].value", reason: "is 'max-size'; a log-opt must be key=value")),
    ]

    @Test(arguments: rows)
    func malformedTaskInfoNamesTheField(row: Row) {
        #expect(throws: row.error) {
            let task = try TaskInfo.parse(TaskInfoFixture.task(parameters: row.parameters, row.changes))
            _ = try ContainerSpec.make(task: task, settings: TaskInfoFixture.settings)
        }
    }

    @Test(arguments: [(0, "cpus", 1e300), (1, "mem", 1e300), (0, "cpus", 2e14), (1, "mem", 9e12)])
    func aForcedLimitTooLargeForDockerFailsTheTaskNamingTheResource(index: Int, name: String, value: Double) {
        let settings = ContainerSpec.Settings(
            forceCPULimit: true, forceMemoryLimit: true, hostCPUCount: 4, sandboxDirectory: TaskInfoFixture.sandbox)
        #expect(
            throws: TaskInfoError.invalid(
                field: "resources.\(name)", reason: "is \(value), more than Docker can be given")
        ) {
            let task = try TaskInfo.parse(TaskInfoFixture.task([("resources[\(index)].scalar.value", .double(value))]))
            _ = try ContainerSpec.make(task: task, settings: settings)
        }
    }

    @Test func errorsReadAsSentencesNamingTheField() {
        #expect(
            TaskInfoError.missing(field: "container.docker.image").description
                == "The TaskInfo is invalid: container.docker.image is missing.")
        #expect(
            TaskInfoError.invalid(field: "container.volumes[0].mode", reason: "is 'RX'; expected RW or RO").description
                == "The TaskInfo is invalid: container.volumes[0].mode is 'RX'; expected RW or RO.")
    }
}
