import EventLoop
import Foundation
import Testing

@testable import Executor

/// Every `docker run` option of the table: its create-body field in the CLI's value syntax, and values the CLI refuses.
struct DockerRunOptionsTests {
    struct Row: Sendable, CustomStringConvertible {
        var key: String
        var value: String
        var path: String
        var expected: JSONValue
        var description: String { "--\(key)=\(value)" }
    }

    static let rows: [Row] = [
        Row(key: "memory", value: "512m", path: "HostConfig.Memory", expected: 536_870_912),
        Row(key: "memory", value: "1g", path: "HostConfig.Memory", expected: 1_073_741_824),
        Row(key: "memory", value: "1.5GB", path: "HostConfig.Memory", expected: 1_610_612_736),
        Row(key: "memory", value: "4096", path: "HostConfig.Memory", expected: 4096),
        Row(key: "memory", value: "64k", path: "HostConfig.Memory", expected: 65536),
        Row(key: "memory-swap", value: "1g", path: "HostConfig.MemorySwap", expected: 1_073_741_824),
        Row(key: "memory-swap", value: "-1", path: "HostConfig.MemorySwap", expected: -1),
        Row(key: "memory-reservation", value: "256m", path: "HostConfig.MemoryReservation", expected: 268_435_456),
        Row(key: "memory-swappiness", value: "60", path: "HostConfig.MemorySwappiness", expected: 60),
        Row(key: "kernel-memory", value: "50m", path: "HostConfig.KernelMemory", expected: 52_428_800),
        Row(key: "shm-size", value: "128m", path: "HostConfig.ShmSize", expected: 134_217_728),
        Row(key: "oom-kill-disable", value: "true", path: "HostConfig.OomKillDisable", expected: true),
        Row(key: "oom-kill-disable", value: "false", path: "HostConfig.OomKillDisable", expected: false),
        Row(key: "oom-score-adj", value: "-500", path: "HostConfig.OomScoreAdj", expected: -500),
        Row(key: "cpu-shares", value: "512", path: "HostConfig.CpuShares", expected: 512),
        Row(key: "cpu-period", value: "100000", path: "HostConfig.CpuPeriod", expected: 100_000),
        Row(key: "cpu-quota", value: "50000", path: "HostConfig.CpuQuota", expected: 50000),
        Row(key: "cpu-rt-period", value: "1000000", path: "HostConfig.CPURealtimePeriod", expected: 1_000_000),
        Row(key: "cpu-rt-runtime", value: "950000", path: "HostConfig.CPURealtimeRuntime", expected: 950_000),
        Row(key: "cpus", value: "1.5", path: "HostConfig.NanoCpus", expected: 1_500_000_000),
        Row(key: "cpus", value: ".25", path: "HostConfig.NanoCpus", expected: 250_000_000),
        Row(key: "cpus", value: "2", path: "HostConfig.NanoCpus", expected: 2_000_000_000),
        Row(key: "cpuset-cpus", value: "0-3,5", path: "HostConfig.CpusetCpus", expected: "0-3,5"),
        Row(key: "cpuset-mems", value: "0", path: "HostConfig.CpusetMems", expected: "0"),
        Row(key: "pids-limit", value: "100", path: "HostConfig.PidsLimit", expected: 100),
        Row(key: "pids-limit", value: "-1", path: "HostConfig.PidsLimit", expected: -1),
        Row(key: "blkio-weight", value: "300", path: "HostConfig.BlkioWeight", expected: 300),
        Row(
            key: "blkio-weight-device", value: "/dev/sda:200", path: "HostConfig.BlkioWeightDevice",
            expected: [["Path": "/dev/sda", "Weight": 200]]),
        Row(
            key: "device-read-bps", value: "/dev/sda:1mb", path: "HostConfig.BlkioDeviceReadBps",
            expected: [["Path": "/dev/sda", "Rate": 1_048_576]]),
        Row(
            key: "device-write-bps", value: "/dev/sda:10k", path: "HostConfig.BlkioDeviceWriteBps",
            expected: [["Path": "/dev/sda", "Rate": 10240]]),
        Row(
            key: "device-read-iops", value: "/dev/sda:1000", path: "HostConfig.BlkioDeviceReadIOps",
            expected: [["Path": "/dev/sda", "Rate": 1000]]),
        Row(
            key: "device-write-iops", value: "/dev/sda:500", path: "HostConfig.BlkioDeviceWriteIOps",
            expected: [["Path": "/dev/sda", "Rate": 500]]),
        Row(
            key: "ulimit", value: "nofile=1024:2048", path: "HostConfig.Ulimits",
            expected: [["Name": "nofile", "Soft": 1024, "Hard": 2048]]),
        Row(
            key: "ulimit", value: "nproc=512", path: "HostConfig.Ulimits",
            expected: [["Name": "nproc", "Soft": 512, "Hard": 512]]),
        Row(key: "pid", value: "host", path: "HostConfig.PidMode", expected: "host"),
        Row(key: "pid", value: "container:db", path: "HostConfig.PidMode", expected: "container:db"),
        Row(key: "ipc", value: "shareable", path: "HostConfig.IpcMode", expected: "shareable"),
        Row(key: "ipc", value: "container:3f2a", path: "HostConfig.IpcMode", expected: "container:3f2a"),
        Row(key: "uts", value: "host", path: "HostConfig.UTSMode", expected: "host"),
        Row(key: "userns", value: "host", path: "HostConfig.UsernsMode", expected: "host"),
        Row(key: "cgroupns", value: "private", path: "HostConfig.CgroupnsMode", expected: "private"),
        Row(key: "cgroup-parent", value: "/mesos", path: "HostConfig.CgroupParent", expected: "/mesos"),
        Row(key: "privileged", value: "true", path: "HostConfig.Privileged", expected: true),
        Row(key: "read-only", value: "true", path: "HostConfig.ReadonlyRootfs", expected: true),
        Row(key: "read-only", value: "", path: "HostConfig.ReadonlyRootfs", expected: true),
        Row(key: "runtime", value: "runc", path: "HostConfig.Runtime", expected: "runc"),
        Row(key: "isolation", value: "default", path: "HostConfig.Isolation", expected: "default"),
        Row(key: "group-add", value: "audio", path: "HostConfig.GroupAdd", expected: ["audio"]),
        Row(key: "dns", value: "10.0.0.2", path: "HostConfig.Dns", expected: ["10.0.0.2"]),
        Row(key: "dns", value: "fd00::53", path: "HostConfig.Dns", expected: ["fd00::53"]),
        Row(key: "dns-search", value: "corp.example.com", path: "HostConfig.DnsSearch", expected: ["corp.example.com"]),
        Row(key: "dns-search", value: ".", path: "HostConfig.DnsSearch", expected: ["."]),
        Row(key: "dns-option", value: "ndots:2", path: "HostConfig.DnsOptions", expected: ["ndots:2"]),
        Row(key: "dns-opt", value: "timeout:1", path: "HostConfig.DnsOptions", expected: ["timeout:1"]),
        Row(
            key: "device-cgroup-rule", value: "c 1:3 mr", path: "HostConfig.DeviceCgroupRules",
            expected: ["c 1:3 mr"]),
        Row(
            key: "security-opt", value: "no-new-privileges", path: "HostConfig.SecurityOpt",
            expected: ["no-new-privileges"]),
        Row(
            key: "security-opt", value: "seccomp=unconfined", path: "HostConfig.SecurityOpt",
            expected: ["seccomp=unconfined"]),
        Row(
            key: "security-opt", value: "apparmor=docker-default", path: "HostConfig.SecurityOpt",
            expected: ["apparmor=docker-default"]),
        Row(
            key: "sysctl", value: "net.core.somaxconn=1024", path: "HostConfig.Sysctls",
            expected: ["net.core.somaxconn": "1024"]),
        Row(key: "storage-opt", value: "size=10G", path: "HostConfig.StorageOpt", expected: ["size": "10G"]),
        Row(
            key: "device", value: "/dev/fuse", path: "HostConfig.Devices",
            expected: [["PathOnHost": "/dev/fuse", "PathInContainer": "/dev/fuse", "CgroupPermissions": "rwm"]]),
        Row(
            key: "device", value: "/dev/sda:/dev/xvda:r", path: "HostConfig.Devices",
            expected: [["PathOnHost": "/dev/sda", "PathInContainer": "/dev/xvda", "CgroupPermissions": "r"]]),
        Row(
            key: "device", value: "/dev/sda:rw", path: "HostConfig.Devices",
            expected: [["PathOnHost": "/dev/sda", "PathInContainer": "/dev/sda", "CgroupPermissions": "rw"]]),
        Row(key: "entrypoint", value: "/docker-entrypoint.sh", path: "Entrypoint", expected: ["/docker-entrypoint.sh"]),
        Row(key: "entrypoint", value: "", path: "Entrypoint", expected: [""]),
        Row(key: "hostname", value: "web-1", path: "Hostname", expected: "web-1"),
        Row(key: "domainname", value: "example.com", path: "Domainname", expected: "example.com"),
        Row(key: "mac-address", value: "02:42:ac:11:00:02", path: "MacAddress", expected: "02:42:ac:11:00:02"),
        Row(key: "stop-signal", value: "SIGQUIT", path: "StopSignal", expected: "SIGQUIT"),
        Row(key: "stop-signal", value: "15", path: "StopSignal", expected: "15"),
        Row(key: "stop-timeout", value: "30", path: "StopTimeout", expected: 30),
        Row(key: "expose", value: "8080", path: "ExposedPorts", expected: ["8080/tcp": [:]]),
        Row(key: "expose", value: "53/udp", path: "ExposedPorts", expected: ["53/udp": [:]]),
        Row(key: "expose", value: "7000-7001", path: "ExposedPorts", expected: ["7000/tcp": [:], "7001/tcp": [:]]),
        Row(key: "publish-all", value: "true", path: "HostConfig.PublishAllPorts", expected: true),
        Row(
            key: "health-cmd", value: "curl -f localhost", path: "Healthcheck",
            expected: ["Test": ["CMD-SHELL", "curl -f localhost"]]),
        Row(key: "no-healthcheck", value: "true", path: "Healthcheck", expected: ["Test": ["NONE"]]),
        Row(key: "health-interval", value: "30s", path: "Healthcheck", expected: ["Interval": 30_000_000_000]),
        Row(key: "health-timeout", value: "5s", path: "Healthcheck", expected: ["Timeout": 5_000_000_000]),
        Row(key: "health-start-period", value: "1m", path: "Healthcheck", expected: ["StartPeriod": 60_000_000_000]),
        Row(key: "health-retries", value: "4", path: "Healthcheck", expected: ["Retries": 4]),
        Row(key: "volumes-from", value: "data:ro", path: "HostConfig.VolumesFrom", expected: ["data:ro"]),
        Row(key: "tmpfs", value: "/run", path: "HostConfig.Tmpfs", expected: ["/run": ""]),
        Row(key: "tmpfs", value: "/run:rw,size=64m", path: "HostConfig.Tmpfs", expected: ["/run": "rw,size=64m"]),
        Row(
            key: "mount", value: "type=bind,source=/srv/data,target=/data,readonly", path: "HostConfig.Mounts",
            expected: [["Source": "/srv/data", "Target": "/data", "ReadOnly": true, "Type": "bind"]]),
        Row(
            key: "mount", value: "type=volume,src=cache,dst=/cache,volume-driver=local,volume-opt=type=tmpfs",
            path: "HostConfig.Mounts",
            expected: [
                [
                    "Source": "cache", "Target": "/cache", "Type": "volume",
                    "VolumeOptions": ["DriverConfig": ["Name": "local", "Options": ["type": "tmpfs"]]],
                ]
            ]),
        Row(
            key: "mount", value: "type=tmpfs,target=/scratch,tmpfs-size=64m,tmpfs-mode=1770",
            path: "HostConfig.Mounts",
            expected: [
                ["Target": "/scratch", "Type": "tmpfs", "TmpfsOptions": ["SizeBytes": 67_108_864, "Mode": 1016]]
            ]),
        Row(
            key: "mount", value: "type=bind,src=/a,dst=/b,bind-propagation=rshared", path: "HostConfig.Mounts",
            expected: [["Source": "/a", "Target": "/b", "Type": "bind", "BindOptions": ["Propagation": "rshared"]]]),
    ]

    private func body(_ parameters: [(String, String)], settings: ContainerSpec.Settings = TaskInfoFixture.settings)
        throws -> JSONValue
    {
        let task = try TaskInfo.parse(TaskInfoFixture.task(parameters: parameters))
        return try ContainerSpec.make(task: task, settings: settings).body
    }

    @Test(arguments: rows)
    func eachOptionMapsToItsField(_ row: Row) throws {
        let body = try body([(row.key, row.value)])
        #expect(body[path: row.path] == row.expected)
    }

    /// Values the CLI refuses fail the task as invalid, naming the parameter's value.
    @Test(
        arguments: [
            ("memory", "lots"), ("memory", "12x"), ("memory", "-5m"), ("memory", ""), ("memory-swap", "-2"),
            ("memory-swappiness", "101"), ("shm-size", "1.2.3g"), ("oom-kill-disable", "maybe"),
            ("oom-score-adj", "1001"), ("oom-score-adj", "x"), ("cpu-shares", "-1"), ("cpus", "1.2345678901"),
            ("cpus", "abc"), ("cpus", "-1"), ("cpuset-cpus", "0-"), ("cpuset-cpus", "3-1"), ("cpuset-mems", "a"),
            ("pids-limit", "ten"), ("blkio-weight", "5"), ("blkio-weight", "1001"), ("blkio-weight-device", "sda:200"),
            ("device-read-bps", "/dev/sda"), ("ulimit", "nofile"), ("ulimit", "nofiles=10"), ("ulimit", "nofile=20:10"),
            ("ulimit", "nofile=a:b"), ("pid", "hots"), ("ipc", "sharable"), ("uts", "container:x"),
            ("userns", "private"), ("cgroupns", "shared"), ("isolation", "vm"), ("privileged", "yes"),
            ("read-only", "2"), ("runtime", ""), ("group-add", ""), ("dns", "dns.example.com"), ("dns", "10.0.0"),
            ("dns-search", "-bad.example"), ("dns-search", "a..b"), ("device-cgroup-rule", "x 1:3 mr"),
            ("device-cgroup-rule", "c 1 m"), ("security-opt", "seccomp=/etc/profile.json"),
            ("security-opt", "selinux=disable"), ("security-opt", "no-new-privileges=maybe"),
            ("security-opt", "nonsense"), ("sysctl", "net.core.somaxconn"), ("sysctl", "=1"), ("storage-opt", "size"),
            ("device", "dev/fuse"), ("device", "/dev/sda:/dev/xvda:rwx"), ("device", "/a:/b:r:w"),
            ("hostname", "web_1"), ("hostname", ""), ("domainname", "a..b"), ("mac-address", "02:42:ac:11:00"),
            ("mac-address", "zz:42:ac:11:00:02"), ("stop-signal", "SIGNOPE"), ("stop-signal", "99"),
            ("stop-timeout", "soon"), ("expose", "0"), ("expose", "80/icmp"), ("expose", "90-80"),
            ("publish-all", "sometimes"), ("health-cmd", ""), ("health-interval", "30"), ("health-timeout", "-1s"),
            ("health-retries", "-1"), ("no-healthcheck", "nah"), ("volume", "/data"), ("volume", "a:b"),
            ("volumes-from", ""), ("tmpfs", "run"), ("mount", "source=/a"), ("mount", "type=nfs,target=/a"),
            ("mount", "type=bind,target=/a"), ("mount", "type=volume,target=/a,bind-propagation=shared"),
            ("mount", "type=bind,src=/a,target=/b,color=red"), ("mount", "type=tmpfs,target=/t,tmpfs-mode=999"),
            ("mount", "type=tmpfs,target=/t,tmpfs-size=big"), ("mount", "type=bind,src=/a,dst=/b,consistency=fast"),
        ] as [(String, String)])
    func aValueTheCLIRefusesFailsTheTaskNamingIt(_ key: String, _ value: String) {
        #expect {
            _ = try body([("env", "A=1"), (key, value)])
        } throws: { error in
            guard let error = error as? TaskInfoError else { return false }
            return error.field == "container.docker.parameters[1].value" && error.description.contains("is")
        }
    }

    @Test func envFileAndLabelFileAreRefusedBecauseTheyReadAgentFiles() {
        for key in ["env-file", "label-file"] {
            #expect {
                _ = try body([(key, "/etc/app.env")])
            } throws: { error in
                guard let error = error as? TaskInfoError else { return false }
                return error.field == "container.docker.parameters[0].key"
                    && error.description.contains("agent host")
            }
        }
    }

    @Test func anUnknownParameterIsAWarningByDefault() throws {
        let task = try TaskInfo.parse(TaskInfoFixture.task(parameters: [("frobnicate", "1")]))
        let spec = try ContainerSpec.make(task: task, settings: TaskInfoFixture.settings)
        #expect(spec.warnings.contains { $0.contains("'frobnicate'") && $0.contains("not supported") })
    }

    @Test func anUnknownParameterFailsTheTaskWithStrictParameters() {
        var settings = TaskInfoFixture.settings
        settings.strictParameters = true
        #expect {
            _ = try body([("frobnicate", "1")], settings: settings)
        } throws: { error in
            (error as? TaskInfoError)?.field == "container.docker.parameters[0].key"
                && "\(error)".contains("EXECUTOR_STRICT_PARAMETERS")
        }
    }

    @Test func optionsMeaninglessUnderTheExecutorAreWarnedAboutEvenWhenStrict() throws {
        var settings = TaskInfoFixture.settings
        settings.strictParameters = true
        let task = try TaskInfo.parse(TaskInfoFixture.task(parameters: [("restart", "always"), ("rm", "true")]))
        let spec = try ContainerSpec.make(task: task, settings: settings)
        #expect(spec.body[path: "HostConfig.RestartPolicy"] == nil)
        #expect(spec.warnings.filter { $0.contains("was ignored:") }.count == 2)
    }

    @Test func repeatedOptionsAccumulate() throws {
        let body = try body([
            ("dns", "10.0.0.2"), ("dns", "10.0.0.3"), ("ulimit", "nofile=1"), ("ulimit", "core=0"),
            ("sysctl", "a.b=1"), ("sysctl", "c.d=2"), ("cap-add", "NET_ADMIN"),
        ])
        #expect(body[path: "HostConfig.Dns"] == ["10.0.0.2", "10.0.0.3"])
        #expect(body[path: "HostConfig.Ulimits"]?.arrayValue?.count == 2)
        #expect(body[path: "HostConfig.Sysctls"] == ["a.b": "1", "c.d": "2"])
        #expect(body[path: "HostConfig.CapAdd"] == ["NET_ADMIN"])
    }

    @Test func aMemoryOptionWinsOverTheForcedMemoryLimit() throws {
        var settings = TaskInfoFixture.settings
        settings.forceMemoryLimit = true
        #expect(try body([("memory", "1g")], settings: settings)[path: "HostConfig.Memory"] == 1_073_741_824)
        #expect(try body([], settings: settings)[path: "HostConfig.Memory"] == 268_435_456)
    }

    @Test func cpusReplacesTheForcedCPUQuota() throws {
        var settings = TaskInfoFixture.settings
        settings.forceCPULimit = true
        let forced = try body([("cpus", "2")], settings: settings)
        #expect(forced[path: "HostConfig.NanoCpus"] == 2_000_000_000)
        #expect(forced[path: "HostConfig.CpuQuota"] == nil)
        #expect(forced[path: "HostConfig.CpuPeriod"] == nil)
        #expect(try body([], settings: settings)[path: "HostConfig.CpuQuota"] == 25000)
    }

    @Test func theReadmeHasARowForEveryOption() throws {
        let readme = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let keys = Set(DockerRunOptions.table.keys).union(DockerRunOptions.ignored.keys)
            .union(DockerRunOptions.refused.keys)
        for key in keys.sorted() {
            #expect(text.contains("`\(key)`"), "README row for the parameter \(key)")
        }
    }

    @Test func aVolumeOptionJoinsTheSandboxBind() throws {
        let binds = try body([("volume", "/srv/logs:/logs:ro")])[path: "HostConfig.Binds"]?.arrayValue
        #expect(binds?.count == 2)
        #expect(binds?.last == "/srv/logs:/logs:ro")
    }

    @Test func theTableHasOneTestRowPerOption() {
        let tested = Set(Self.rows.map(\.key)).union(["volume"])
        #expect(Set(DockerRunOptions.table.keys).subtracting(tested).isEmpty)
    }
}

/// `linux_info`, `rlimit_info` and `tty_info` of the ContainerInfo.
struct DockerContainerInfoOptionsTests {
    private func body(_ changes: [(String, JSONValue?)]) throws -> JSONValue {
        let task = try TaskInfo.parse(TaskInfoFixture.task(changes))
        return try ContainerSpec.make(task: task, settings: TaskInfoFixture.settings).body
    }

    @Test func effectiveCapabilitiesAreAdded() throws {
        let body = try body([
            ("container.linux_info", ["effective_capabilities": ["capabilities": ["NET_ADMIN", "SYS_TIME"]]])
        ])
        #expect(body[path: "HostConfig.CapAdd"] == ["NET_ADMIN", "SYS_TIME"])
        #expect(body[path: "HostConfig.CapDrop"] == nil)
    }

    @Test func theDeprecatedCapabilityInfoIsAddedToo() throws {
        let body = try body([("container.linux_info", ["capability_info": ["capabilities": ["CHOWN"]]])])
        #expect(body[path: "HostConfig.CapAdd"] == ["CHOWN"])
    }

    @Test func boundingCapabilitiesDropEverythingElse() throws {
        let body = try body([("container.linux_info", ["bounding_capabilities": ["capabilities": ["KILL"]]])])
        #expect(body[path: "HostConfig.CapDrop"] == ["ALL"])
        #expect(body[path: "HostConfig.CapAdd"] == ["KILL"])
    }

    @Test func rlimitsAreUlimits() throws {
        let body = try body([
            (
                "container.rlimit_info",
                ["rlimits": [["type": "RLMT_NOFILE", "soft": 1024, "hard": 4096], ["type": "RLMT_CORE"]]]
            )
        ])
        #expect(
            body[path: "HostConfig.Ulimits"] == [
                ["Name": "nofile", "Soft": 1024, "Hard": 4096], ["Name": "core", "Soft": -1, "Hard": -1],
            ])
    }

    @Test func aDockerVolumeDriverIsTheContainersVolumeDriver() throws {
        let body = try body([
            (
                "container.volumes",
                [
                    [
                        "mode": "RW", "container_path": "/data",
                        "source": ["type": "DOCKER_VOLUME", "docker_volume": ["name": "vol1", "driver": "rexray"]],
                    ]
                ]
            )
        ])
        #expect(body[path: "HostConfig.VolumeDriver"] == "rexray")
        #expect(body[path: "HostConfig.Binds"]?.arrayValue?.last == "vol1:/data")
    }

    @Test func twoVolumeDriversFailTheTask() {
        let volume: (String, String) -> JSONValue = { name, driver in
            [
                "mode": "RW", "container_path": .string("/\(name)"),
                "source": [
                    "type": "DOCKER_VOLUME", "docker_volume": ["name": .string(name), "driver": .string(driver)],
                ],
            ]
        }
        #expect {
            _ = try body([("container.volumes", [volume("a", "rexray"), volume("b", "local")])])
        } throws: { error in
            (error as? TaskInfoError)?.field == "container.volumes[1].source.docker_volume.driver"
        }
    }

    @Test func dockerVolumeDriverOptionsMakeAMount() throws {
        let body = try body([
            (
                "container.volumes",
                [
                    [
                        "mode": "RO", "container_path": "/cache",
                        "source": [
                            "type": "DOCKER_VOLUME",
                            "docker_volume": [
                                "name": "cache", "driver": "local",
                                "driver_options": ["parameter": [["key": "type", "value": "tmpfs"]]],
                            ],
                        ],
                    ]
                ]
            )
        ])
        #expect(
            body[path: "HostConfig.Mounts"] == [
                [
                    "Type": "volume", "Source": "cache", "Target": "/cache", "ReadOnly": true,
                    "VolumeOptions": ["DriverConfig": ["Name": "local", "Options": ["type": "tmpfs"]]],
                ]
            ])
        #expect(body[path: "HostConfig.Binds"]?.arrayValue?.count == 1)
    }

    @Test func ttyWindowSizeIsTheConsoleSize() throws {
        let body = try body([("container.tty_info", ["window_size": ["rows": 40, "columns": 120]])])
        #expect(body[path: "HostConfig.ConsoleSize"] == [40, 120])
        #expect(body[path: "Tty"] == true)
    }

    @Test(
        arguments: [
            (
                "container.rlimit_info", ["rlimits": [["type": "RLMT_AS", "soft": 1, "hard": 1]]] as JSONValue,
                "container.rlimit_info.rlimits[0].type"
            ),
            (
                "container.rlimit_info", ["rlimits": [["type": "RLMT_NOFILE", "soft": 1]]],
                "container.rlimit_info.rlimits[0]"
            ),
            (
                "container.rlimit_info", ["rlimits": [["type": "RLMT_NOFILE", "soft": 10, "hard": 1]]],
                "container.rlimit_info.rlimits[0].soft"
            ),
            (
                "container.linux_info", ["effective_capabilities": ["capabilities": ["net admin"]]],
                "container.linux_info.effective_capabilities.capabilities[0]"
            ),
            ("container.tty_info", ["window_size": ["rows": 40]], "container.tty_info.window_size.columns"),
        ] as [(String, JSONValue, String)])
    func invalidContainerInfoFieldsFailNamingThem(_ path: String, _ value: JSONValue, _ field: String) {
        #expect {
            _ = try body([(path, value)])
        } throws: { error in
            (error as? TaskInfoError)?.field == field
        }
    }
}
