import EventLoop

/// A typed, checked view of a Mesos `TaskInfo` (mesos.proto v1) for a task run as a Docker container.
///
/// Only the fields the executor uses are read; the raw JSON is kept because a resubscription must send the
/// TaskInfo back exactly as the agent sent it. `parse` checks types, required fields and enumerations field by
/// field; what needs several fields together (is it a Docker container at all? relative paths) is checked when the
/// container spec is built. Both report a `TaskInfoError` naming the field.
struct TaskInfo: Sendable {
    /// A `Labels` entry or a Docker `parameters` entry.
    struct KeyValue: Sendable, Equatable {
        var key: String
        var value: String
    }

    /// An `Environment.Variable`: a secret-typed one is rejected at parse time.
    struct EnvironmentVariable: Sendable, Equatable {
        var name: String
        var value: String
    }

    /// A `CommandInfo`; `shell` defaults to true as in Mesos.
    struct Command: Sendable, Equatable {
        var shell = true
        var value: String?
        var arguments: [String] = []
        var environment: [EnvironmentVariable] = []
    }

    struct PortMapping: Sendable, Equatable {
        /// 0 means "no host port": the container port is exposed but not published.
        var hostPort: Int
        var containerPort: Int
        /// Lower-cased protocols, from a comma-separated list like `tcp,udp`; `tcp` when none is given.
        var protocols: [String]
    }

    enum VolumeSource: Sendable, Equatable {
        /// A host path, absolute or relative to the sandbox.
        case hostPath(String)
        /// A named Docker volume (optionally with its driver).
        case dockerVolume(name: String, driver: String?)
    }

    struct Volume: Sendable, Equatable {
        var readOnly: Bool
        var containerPath: String
        var source: VolumeSource
    }

    /// `DockerInfo.Network`; Mesos's default is HOST.
    enum Network: String, Sendable, Equatable {
        case host = "HOST"
        case bridge = "BRIDGE"
        case none = "NONE"
        case user = "USER"
    }

    struct Docker: Sendable, Equatable {
        var image: String
        var network: Network = .host
        var portMappings: [PortMapping] = []
        var privileged = false
        var parameters: [KeyValue] = []
        var forcePullImage = false
        /// The deprecated `DockerInfo.volume_driver`.
        var volumeDriver: String?
    }

    struct Container: Sendable, Equatable {
        /// `DOCKER` or `MESOS`.
        var type: String
        var hostname: String?
        var volumes: [Volume] = []
        var docker: Docker?
        /// `network_infos[].name`, the Docker network of USER networking.
        var networkNames: [String?] = []
        /// `tty_info` is set: the container gets a terminal and its output is one raw stream.
        var hasTTY = false
    }

    var raw: JSONValue
    var taskID: String
    var name: String
    var agentID: String?
    var executorID: String?
    var frameworkID: String?
    /// `task.command`; a real agent never sends it together with an executor, a simulated one may.
    var command: Command?
    /// `executor.command`, whose environment the original copies into the container.
    var executorCommand: Command?
    var container: Container?
    /// Scalar resources summed by name (`cpus`, `mem` in MB, `disk`).
    var scalarResources: [String: Double] = [:]
    var killGracePeriod: Duration?
    var labels: [KeyValue] = []
    /// `health_check`: Mesos's health check, which sets `healthy` and kills the task at its threshold.
    var healthCheck: HealthCheckSpec?
    /// `check`: a general check, reported as `check_status` and never judged.
    var check: CheckSpec?
    /// `max_completion_time`: the task is killed and fails when it runs longer.
    var maxCompletionTime: Duration?

    /// The task id of a TaskInfo too broken to parse, so that its failure can still be reported.
    static func taskID(in raw: JSONValue) -> String? {
        raw["task_id"]?["value"]?.stringValue
    }
}
