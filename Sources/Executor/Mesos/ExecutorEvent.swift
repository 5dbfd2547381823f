import EventLoop

/// An event the agent sends on the SUBSCRIBE stream (executor.proto v1 `Event`), decoded from its JSON.
///
/// Decoding is lenient where the agent is (unknown fields are ignored, as the agent itself ignores them) and strict
/// about what the executor acts on: a KILL without a task id or an ACKNOWLEDGED with a uuid that is not 16 bytes is an
/// `ExecutorEventError`, which the connection treats like any other malformed stream (a disconnect).
enum ExecutorEvent: Sendable, Equatable {
    case subscribed(SubscribedInfo)
    /// The task's TaskInfo, kept verbatim: resubscription must send it back exactly as received.
    case launch(LaunchedTask)
    /// A task group: sidecar-executor answers each task TASK_FAILED.
    case launchGroup([LaunchedTask])
    /// Kill a task; `gracePeriod` is the KILL's own kill_policy, which overrides the task's.
    case kill(taskID: String, gracePeriod: Duration?)
    /// The agent has received and checkpointed the update with this uuid (it says nothing about the scheduler).
    case acknowledged(taskID: String, uuid: UUIDv4)
    /// Best-effort data from the scheduler.
    case message(data: [UInt8])
    case shutdown
    /// Never sent by a real agent to an HTTP executor; handled anyway.
    case error(message: String)
    case heartbeat
    /// A type this executor does not know: logged and ignored.
    case unknown(type: String)

    /// The wire spelling of the event's type, for logs.
    var typeName: String {
        switch self {
        case .subscribed: "SUBSCRIBED"
        case .launch: "LAUNCH"
        case .launchGroup: "LAUNCH_GROUP"
        case .kill: "KILL"
        case .acknowledged: "ACKNOWLEDGED"
        case .message: "MESSAGE"
        case .shutdown: "SHUTDOWN"
        case .error: "ERROR"
        case .heartbeat: "HEARTBEAT"
        case .unknown(let type): type
        }
    }
}

/// What SUBSCRIBED tells the executor: the framework's capabilities and the agent, executor and container identity.
struct SubscribedInfo: Sendable, Equatable {
    var frameworkID: String?
    /// `framework_info.capabilities[].type`, e.g. `TASK_KILLING_STATE`.
    var frameworkCapabilities: [String]
    var frameworkCheckpoints: Bool
    var agentID: String?
    var agentHostname: String?
    var containerID: String?
    var executorInfo: JSONValue?
    var frameworkInfo: JSONValue?
    var agentInfo: JSONValue?

    /// Whether the executor may send TASK_KILLING before a kill completes.
    var hasTaskKillingState: Bool { frameworkCapabilities.contains("TASK_KILLING_STATE") }
}

/// A task handed to the executor by LAUNCH or LAUNCH_GROUP.
struct LaunchedTask: Sendable, Equatable {
    var taskID: String
    /// `agent_id.value`: the only agent id an UPDATE may carry.
    var agentID: String?
    /// The TaskInfo exactly as received.
    var taskInfo: JSONValue
}

/// Why an event on the stream could not be understood.
enum ExecutorEventError: Error, Equatable, CustomStringConvertible {
    /// The record is JSON but not an object.
    case notAnObject
    /// The object has no string `type`.
    case missingType
    /// A field the executor needs is absent or has the wrong JSON type.
    case missingField(event: String, path: String)
    /// A field is present but its content is invalid.
    case invalidField(event: String, path: String, reason: String)

    var description: String {
        switch self {
        case .notAnObject:
            "The agent sent an event that is not a JSON object."
        case .missingType:
            "The agent sent an event without a string 'type'."
        case .missingField(let event, let path):
            "The agent sent a \(event) event without '\(path)'."
        case .invalidField(let event, let path, let reason):
            "The agent sent a \(event) event whose '\(path)' is invalid: \(reason)."
        }
    }
}

extension ExecutorEvent {
    /// Decodes one event from its JSON document.
    static func decode(_ json: JSONValue) throws(ExecutorEventError) -> ExecutorEvent {
        guard case .object = json else { throw .notAnObject }
        guard let type = json["type"]?.stringValue else { throw .missingType }
        let fields = EventFields(event: type, root: json)
        switch type {
        case "SUBSCRIBED":
            return .subscribed(try fields.subscribed())
        case "LAUNCH":
            return .launch(try fields.launchedTask(try fields.object("launch", "task"), path: "launch.task"))
        case "LAUNCH_GROUP":
            let tasks = try fields.array("launch_group", "task_group", "tasks")
            var launched: [LaunchedTask] = []
            for (index, task) in tasks.enumerated() {
                launched.append(try fields.launchedTask(task, path: "launch_group.task_group.tasks[\(index)]"))
            }
            return .launchGroup(launched)
        case "KILL":
            return .kill(taskID: try fields.string("kill", "task_id", "value"), gracePeriod: try fields.killGrace())
        case "ACKNOWLEDGED":
            return .acknowledged(
                taskID: try fields.string("acknowledged", "task_id", "value"), uuid: try fields.uuid())
        case "MESSAGE":
            return .message(data: try fields.base64("message", "data"))
        case "SHUTDOWN":
            return .shutdown
        case "ERROR":
            return .error(message: try fields.string("error", "message"))
        case "HEARTBEAT":
            return .heartbeat
        default:
            return .unknown(type: type)
        }
    }
}

/// Typed access to an event's fields that names the missing or invalid path in its error.
private struct EventFields {
    let event: String
    let root: JSONValue

    func value(_ path: [String]) -> JSONValue? {
        var current: JSONValue? = root
        for key in path {
            current = current?[key]
        }
        // The agent's parser treats null as unset; so do we.
        if let current, current.isNull { return nil }
        return current
    }

    func missing(_ path: [String]) -> ExecutorEventError {
        .missingField(event: event, path: path.joined(separator: "."))
    }

    func string(_ path: String...) throws(ExecutorEventError) -> String {
        guard let string = value(path)?.stringValue else { throw missing(path) }
        return string
    }

    func object(_ path: String...) throws(ExecutorEventError) -> JSONValue {
        guard let object = value(path), case .object = object else { throw missing(path) }
        return object
    }

    func array(_ path: String...) throws(ExecutorEventError) -> [JSONValue] {
        guard let array = value(path)?.arrayValue else { throw missing(path) }
        return array
    }

    func base64(_ path: String...) throws(ExecutorEventError) -> [UInt8] {
        guard let text = value(path)?.stringValue else { throw missing(path) }
        do {
            return try Base64.decode(text)
        } catch {
            throw .invalidField(event: event, path: path.joined(separator: "."), reason: "\(error)")
        }
    }

    func uuid() throws(ExecutorEventError) -> UUIDv4 {
        let bytes = try base64("acknowledged", "uuid")
        guard let uuid = UUIDv4(bytes: bytes) else {
            throw .invalidField(
                event: event, path: "acknowledged.uuid",
                reason: "\(bytes.count) bytes that are not a binary UUID (16 bytes, version 1 to 5)")
        }
        return uuid
    }

    func killGrace() throws(ExecutorEventError) -> Duration? {
        let path = ["kill", "kill_policy", "grace_period", "nanoseconds"]
        guard value(["kill", "kill_policy", "grace_period"]) != nil else { return nil }
        guard let nanoseconds = value(path)?.int64Value else { throw missing(path) }
        guard nanoseconds >= 0 else {
            throw .invalidField(
                event: event, path: path.joined(separator: "."), reason: "\(nanoseconds) is negative")
        }
        return .nanoseconds(nanoseconds)
    }

    func launchedTask(_ task: JSONValue, path: String) throws(ExecutorEventError) -> LaunchedTask {
        guard case .object = task else { throw .missingField(event: event, path: path) }
        guard let taskID = task["task_id"]?["value"]?.stringValue else {
            throw .missingField(event: event, path: path + ".task_id.value")
        }
        return LaunchedTask(taskID: taskID, agentID: task["agent_id"]?["value"]?.stringValue, taskInfo: task)
    }

    func subscribed() throws(ExecutorEventError) -> SubscribedInfo {
        let payload = try object("subscribed")
        let framework = payload["framework_info"]
        let capabilities = (framework?["capabilities"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue }
        return SubscribedInfo(
            frameworkID: framework?["id"]?["value"]?.stringValue,
            frameworkCapabilities: capabilities,
            frameworkCheckpoints: framework?["checkpoint"]?.boolValue ?? false,
            agentID: payload["agent_info"]?["id"]?["value"]?.stringValue,
            agentHostname: payload["agent_info"]?["hostname"]?.stringValue,
            containerID: payload["container_id"]?["value"]?.stringValue,
            executorInfo: payload["executor_info"],
            frameworkInfo: framework,
            agentInfo: payload["agent_info"])
    }
}
