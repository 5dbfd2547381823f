import EventLoop
import Foundation

/// One task for the real agent: a CUSTOM executor that is the repository's `executor.sh` running the RELEASE binary,
/// and a DOCKER container on the project's private engine whose command travels in the `executor.ShellCommand`
/// label (a real master refuses a TaskInfo with both `executor` and `command`).
struct RealMesosTask {
    static let executorCPUs = 0.01
    static let executorMem = 16.0
    static let taskCPUs = 0.01
    static let taskMem = 8.0

    let taskID: String
    let executorID: String
    /// The container's shell command (`sh -c` of it).
    var shellCommand: String
    var killGrace: Duration?
    /// Docker `label` parameters, `K=V`.
    var labels: [String] = ["SidecarDiscover=false"]
    /// Extra environment of the executor process (EXECUTOR_* settings, the site environment file).
    var environment: [String: String] = [:]
    /// The ExecutorInfo's `command` (without its environment); nil: `"shell": false` with the script as the value
    /// and argv[0].
    var command: JSONValue?

    init(_ name: String, command: String) {
        let suffix = DockerTestEngine.uniqueSuffix()
        taskID = "real-\(name)-\(suffix)"
        executorID = "real-\(name)-\(suffix).executor"
        shellCommand = command
    }

    /// The release binary (`swift build -c release` builds it; scripts/test.sh does).
    static var releaseBinary: String {
        ProgramUnderTest.repositoryRoot.appendingPathComponent(".build/release/sidecar-executor").path
    }

    static func requireReleaseBinary() throws {
        guard FileManager.default.isExecutableFile(atPath: releaseBinary) else {
            throw RealMesosCluster.Unavailable(
                description: "\(releaseBinary) is missing: build it with "
                    + "`swift build -c release --product sidecar-executor`")
        }
    }

    static func resources(cpus: Double, mem: Double) -> JSONValue {
        [
            ["name": "cpus", "type": "SCALAR", "scalar": ["value": .double(cpus)]],
            ["name": "mem", "type": "SCALAR", "scalar": ["value": .double(mem)]],
        ]
    }

    var executorInfo: JSONValue {
        var variables: [String: String] = [
            "SIDECAR_EXECUTOR_PATH": Self.releaseBinary,
            "SIDECAR_EXECUTOR_CUSTOM_ENV_PATH": "/nonexistent/executor-environment.sh",
            "DOCKER_HOST": DockerTestEngine.environment["DOCKER_HOST"] ?? "",
            "EXECUTOR_SIDECAR_DRAINING_DURATION": "0s",
        ]
        variables.merge(environment) { $1 }
        let script = ProgramUnderTest.executorScript
        let command: JSONValue =
            self.command ?? ["shell": false, "value": .string(script), "arguments": [.string(script)]]
        var info: JSONValue = [
            "executor_id": ["value": .string(executorID)], "type": "CUSTOM", "name": "sidecar-executor",
            "command": command, "resources": Self.resources(cpus: Self.executorCPUs, mem: Self.executorMem),
        ]
        info[path: "command.environment"] = [
            "variables": .array(
                variables.sorted { $0.key < $1.key }.map { ["name": .string($0.key), "value": .string($0.value)] })
        ]
        return info
    }

    func taskInfo(agentID: String) -> JSONValue {
        var parameters: [JSONValue] = labels.map { ["key": "label", "value": .string($0)] }
        parameters.append(["key": "label", "value": .string("executor.ShellCommand=sh -c '\(shellCommand)'")])
        var task: JSONValue = [
            "name": .string(taskID), "task_id": ["value": .string(taskID)], "agent_id": ["value": .string(agentID)],
            "resources": Self.resources(cpus: Self.taskCPUs, mem: Self.taskMem), "executor": executorInfo,
            "container": [
                "type": "DOCKER",
                "docker": ["image": "local/busybox:latest", "network": "HOST", "parameters": .array(parameters)],
            ],
        ]
        if let killGrace {
            task[path: "kill_policy"] = ["grace_period": ["nanoseconds": .int(Int64(killGrace.nanosecondsValue))]]
        }
        return task
    }

    /// Launches the task through `scheduler`.
    func launch(on scheduler: MesosTestScheduler) throws {
        try scheduler.launch(cpus: Self.executorCPUs + Self.taskCPUs, mem: Self.executorMem + Self.taskMem) {
            [self] agentID in [taskInfo(agentID: agentID)]
        }
    }

    /// The task's container as the engine reports it (by the executor's `mesos.task_id` label), nil when gone.
    func container() throws -> JSONValue? {
        let listed = try DockerTestEngine.cli(["ps", "-aq", "--filter", "label=mesos.task_id=\(taskID)"])
        guard let id = listed.output.split(whereSeparator: \.isNewline).first else { return nil }
        return try DockerTestEngine.inspect(String(id))
    }

    func removeContainers() { DockerTestEngine.removeContainers(taskID: taskID) }
}
