import EventLoop
import Testing

@testable import Executor

struct TaskInfoTests {
    /// The realistic LAUNCH task of the Mesos reference (§5), compact as the agent sends it.
    static let realistic = """
        {"name":"web","task_id":{"value":"web.5d1c0f7e-1a2b-11ef-9c3a-0242ac110002"},"agent_id":{"value":"ag-S3"},\
        "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.5},"allocation_info":{"role":"*"}},\
        {"name":"mem","type":"SCALAR","scalar":{"value":256.0},"allocation_info":{"role":"*"}},\
        {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31005,"end":31005}]},"allocation_info":{"role":"*"}}],\
        "executor":{"type":"CUSTOM","executor_id":{"value":"web.1234"},"framework_id":{"value":"fw-0001"},\
        "command":{"environment":{"variables":[{"name":"SERVICE_ENV","type":"VALUE","value":"prod"}]},\
        "shell":true,"value":"/opt/swexec/bin/swexec"},\
        "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1},"allocation_info":{"role":"*"}}],\
        "name":"swexec","shutdown_grace_period":{"nanoseconds":10000000000}},\
        "container":{"type":"DOCKER","volumes":[{"mode":"RO","container_path":"/etc/app","host_path":"/srv/app/conf"},\
        {"mode":"RW","container_path":"/data","host_path":"data"}],"docker":{"image":"nginx:1.25","network":"BRIDGE",\
        "port_mappings":[{"host_port":31005,"container_port":80,"protocol":"tcp"}],"privileged":false,\
        "parameters":[{"key":"cap-add","value":"NET_ADMIN"},{"key":"label","value":"team=web"},\
        {"key":"env","value":"LOG_LEVEL=info"}],"force_pull_image":false}},\
        "health_check":{"delay_seconds":15.0,"interval_seconds":10.0,"timeout_seconds":20.0,"consecutive_failures":3,\
        "grace_period_seconds":30.0,"type":"HTTP","http":{"protocol":"IPv4","scheme":"http","port":80,"path":"/health",\
        "statuses":[200]}},"kill_policy":{"grace_period":{"nanoseconds":15000000000}},\
        "labels":{"labels":[{"key":"owner","value":"web-team"}]},\
        "discovery":{"visibility":"FRAMEWORK","name":"web","ports":{"ports":[{"number":31005,"name":"http","protocol":"tcp"}]}}}
        """

    @Test func parsesTheRealisticLaunchTask() throws {
        let raw = try JSON.parse(Self.realistic)
        let task = try TaskInfo.parse(raw)
        #expect(task.taskID == "web.5d1c0f7e-1a2b-11ef-9c3a-0242ac110002")
        #expect(task.name == "web")
        #expect(task.agentID == "ag-S3")
        #expect(task.executorID == "web.1234")
        #expect(task.frameworkID == "fw-0001")
        #expect(task.command == nil)
        #expect(task.executorCommand?.environment == [.init(name: "SERVICE_ENV", value: "prod")])
        #expect(task.scalarResources == ["cpus": 0.5, "mem": 256])
        #expect(task.killGracePeriod == .seconds(15))
        #expect(task.labels == [.init(key: "owner", value: "web-team")])
        let container = try #require(task.container)
        #expect(container.type == "DOCKER")
        #expect(
            container.volumes == [
                .init(readOnly: true, containerPath: "/etc/app", source: .hostPath("/srv/app/conf")),
                .init(readOnly: false, containerPath: "/data", source: .hostPath("data")),
            ])
        let docker = try #require(container.docker)
        #expect(docker.image == "nginx:1.25")
        #expect(docker.network == .bridge)
        #expect(docker.portMappings == [.init(hostPort: 31005, containerPort: 80, protocols: ["tcp"])])
        #expect(docker.parameters.map(\.key) == ["cap-add", "label", "env"])
        #expect(!docker.forcePullImage)
        #expect(!container.hasTTY)
        #expect(task.raw == raw)
    }

    @Test func commandDefaultsToShellAsInMesos() throws {
        let task = try TaskInfo.parse(TaskInfoFixture.task([("command", ["value": "echo hi"])]))
        #expect(task.command == TaskInfo.Command(shell: true, value: "echo hi"))
    }

    @Test func aMissingEnvironmentValueIsEmptyNotACrash() throws {
        let task = try TaskInfo.parse(TaskInfoFixture.task([("executor.command.environment.variables[0].value", nil)]))
        #expect(task.executorCommand?.environment == [.init(name: "TASK_HOST", value: "")])
    }

    @Test func nullFieldsReadAsAbsent() throws {
        let task = try TaskInfo.parse(
            TaskInfoFixture.task([("kill_policy", .null), ("container.docker.network", .null)]))
        #expect(task.killGracePeriod == nil)
        #expect(task.container?.docker?.network == .host)
    }

    @Test func scalarResourcesOfTheSameNameAreSummed() throws {
        let task = try TaskInfo.parse(
            TaskInfoFixture.task([("resources[3]", ["name": "cpus", "type": "SCALAR", "scalar": ["value": 0.25]])]))
        #expect(task.scalarResources["cpus"] == 0.75)
    }

    @Test func theTaskIDOfABrokenTaskInfoCanStillBeRead() {
        let raw = TaskInfoFixture.task([("container.docker.image", 42)])
        #expect(TaskInfo.taskID(in: raw) == "task-1")
        #expect(TaskInfo.taskID(in: .array([])) == nil)
    }

    @Test(arguments: [
        (JSONValue.array([]), TaskInfoError.wrongType(field: "TaskInfo", expected: "an object")),
        (TaskInfoFixture.task([("container", "DOCKER")]), .wrongType(field: "container", expected: "an object")),
        (
            TaskInfoFixture.task([("container.volumes", [:])]),
            .wrongType(field: "container.volumes", expected: "an array")
        ),
        (
            TaskInfoFixture.task([("container.docker.privileged", "yes")]),
            .wrongType(field: "container.docker.privileged", expected: "true or false")
        ),
        (
            TaskInfoFixture.task([("resources[0].scalar.value", "x")]),
            .wrongType(field: "resources[0].scalar.value", expected: "a number")
        ),
        (
            TaskInfoFixture.task([("container.tty_info", true)]),
            .wrongType(field: "container.tty_info", expected: "an object")
        ),
        (TaskInfoFixture.task([("labels.labels[0]", ["value": "v"])]), .missing(field: "labels.labels[0].key")),
    ])
    func wrongTypesNameTheField(raw: JSONValue, error: TaskInfoError) {
        #expect(throws: error) { try TaskInfo.parse(raw) }
    }
}
