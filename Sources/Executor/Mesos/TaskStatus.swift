import EventLoop

/// A status update as it goes on the wire (mesos.proto v1 `TaskStatus`): the task layer's facts plus what the agent
/// requires of an executor's update.
///
/// The agent rejects an update whose uuid is not 16 binary bytes or whose source is not `SOURCE_EXECUTOR`, and it
/// silently drops (never ACKs) one whose `agent_id` differs from its own, so `agent_id` is only ever the value copied
/// from the task's TaskInfo.
struct TaskStatus: Sendable, Equatable {
    var update: TaskStatusUpdate
    var executorID: String
    /// `TaskInfo.agent_id.value` of the task, when the TaskInfo had one.
    var agentID: String?
    /// Fresh for every update; the agent's ACKNOWLEDGED names it.
    var uuid: UUIDv4
    /// Seconds since the epoch.
    var timestamp: Double

    var taskID: String { update.taskID }

    /// The `TaskStatus` JSON, fields in mesos.proto declaration order (as the agent itself prints them).
    var json: JSONValue {
        var status = JSONObject()
        status["task_id"] = ["value": .string(update.taskID)]
        status["state"] = .string(update.state.rawValue)
        if let message = update.message {
            status["message"] = .string(message)
        }
        status["source"] = "SOURCE_EXECUTOR"
        if let reason = update.reason {
            status["reason"] = .string(reason.rawValue)
        }
        if let agentID {
            status["agent_id"] = ["value": .string(agentID)]
        }
        status["executor_id"] = ["value": .string(executorID)]
        status["timestamp"] = .double(timestamp)
        status["uuid"] = .string(uuid.base64)
        if let healthy = update.healthy {
            status["healthy"] = .bool(healthy)
        }
        if let checkStatus = update.checkStatus {
            status["check_status"] = checkStatus.json
        }
        if !update.labels.isEmpty {
            let labels = update.labels.map { label -> JSONValue in
                ["key": .string(label.key), "value": .string(label.value)]
            }
            status["labels"] = ["labels": .array(labels)]
        }
        if !update.containerIPAddresses.isEmpty {
            let addresses = update.containerIPAddresses.map { address -> JSONValue in
                ["protocol": address.contains(":") ? "IPv6" : "IPv4", "ip_address": .string(address)]
            }
            status["container_status"] = ["network_infos": [["ip_addresses": .array(addresses)]]]
        }
        return .object(status)
    }
}
