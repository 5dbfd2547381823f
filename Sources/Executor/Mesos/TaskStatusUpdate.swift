/// What the task layer tells Mesos about a task.
///
/// The task layer never builds Mesos JSON: the agent connection turns this into a `TaskStatus` and adds what the wire
/// needs (`source: SOURCE_EXECUTOR`, the executor id, a fresh 16-byte uuid, the timestamp), so that every reporter
/// (agent, `run-task`'s JSON lines, a test recorder) sees the same facts.
struct TaskStatusUpdate: Sendable, Equatable {
    /// A `Labels` entry of the status (e.g. `docker_id`).
    struct Label: Sendable, Equatable {
        var key: String
        var value: String
    }

    var taskID: String
    var state: TaskState
    /// A sentence for the operator: why the task is in this state.
    var message: String?
    var reason: TaskStatusReason?
    /// Sidecar's verdict, when one is known.
    var healthy: Bool?
    /// A TaskInfo check's latest result (`check_status`).
    var checkStatus: CheckStatus?
    var labels: [Label] = []
    /// The container's IP addresses, reported as `container_status.network_infos[].ip_addresses`.
    var containerIPAddresses: [String] = []

    init(
        taskID: String,
        state: TaskState,
        message: String? = nil,
        reason: TaskStatusReason? = nil,
        healthy: Bool? = nil,
        labels: [Label] = [],
        containerIPAddresses: [String] = []
    ) {
        self.taskID = taskID
        self.state = state
        self.message = message
        self.reason = reason
        self.healthy = healthy
        self.labels = labels
        self.containerIPAddresses = containerIPAddresses
    }
}
