import EventLoop

/// A call the executor POSTs to `/api/v1/executor` (executor.proto v1 `Call`).
enum ExecutorCall: Sendable, Equatable {
    /// `subscribe` is always present, even empty: the agent answers 400 without it. On resubscription it carries
    /// every TaskInfo not yet acknowledged, exactly as received, and every unacknowledged `TaskStatus` exactly as sent.
    case subscribe(unacknowledgedTasks: [JSONValue], unacknowledgedUpdates: [JSONValue])
    /// One `TaskStatus` JSON (see `TaskStatus.json`).
    case update(status: JSONValue)
    /// Best-effort data for the scheduler.
    case message(data: [UInt8])
    case heartbeat

    /// The wire spelling of the call's type, for logs.
    var typeName: String {
        switch self {
        case .subscribe: "SUBSCRIBE"
        case .update: "UPDATE"
        case .message: "MESSAGE"
        case .heartbeat: "HEARTBEAT"
        }
    }

    /// The call's JSON body, fields in executor.proto declaration order.
    func json(frameworkID: String, executorID: String) -> JSONValue {
        var call = JSONObject()
        call["executor_id"] = ["value": .string(executorID)]
        call["framework_id"] = ["value": .string(frameworkID)]
        call["type"] = .string(typeName)
        switch self {
        case .subscribe(let tasks, let updates):
            var subscribe = JSONObject()
            if !tasks.isEmpty {
                subscribe["unacknowledged_tasks"] = .array(tasks)
            }
            if !updates.isEmpty {
                subscribe["unacknowledged_updates"] = .array(updates.map { ["status": $0] })
            }
            call["subscribe"] = .object(subscribe)
        case .update(let status):
            call["update"] = ["status": status]
        case .message(let data):
            call["message"] = ["data": .string(Base64.encode(data))]
        case .heartbeat:
            break
        }
        return .object(call)
    }
}
