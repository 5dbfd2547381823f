import EventLoop

/// The JSON-to-protobuf conversion the real agent does before validating a call (stout `protobuf::parse`), for the
/// fields the executor API uses: type errors, `null` as unset, an unknown enum value dropped, base64 `bytes`, and the
/// required fields of the protos (reported as "Missing required fields: a.b, c").
enum SimulatedAgentCallShape {
    indirect enum Shape: Sendable {
        case string
        case bool
        case number
        case bytes
        case enumeration(Set<String>)
        case message([Field])
        /// Any object: contents not checked (e.g. `container_status`).
        case anyObject
        case repeated(Shape)
    }

    struct Field: Sendable {
        var name: String
        var shape: Shape
        var required = false
    }

    static let identifier = Shape.message([Field(name: "value", shape: .string, required: true)])

    static let taskStates: Set<String> = [
        "TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED",
        "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_UNREACHABLE", "TASK_GONE", "TASK_GONE_BY_OPERATOR",
        "TASK_UNKNOWN",
    ]

    /// `TaskStatus.Reason` (mesos.proto v1).
    static let reasons: Set<String> = [
        "REASON_COMMAND_EXECUTOR_FAILED", "REASON_CONTAINER_LAUNCH_FAILED", "REASON_CONTAINER_LIMITATION",
        "REASON_CONTAINER_LIMITATION_DISK", "REASON_CONTAINER_LIMITATION_MEMORY", "REASON_CONTAINER_PREEMPTED",
        "REASON_CONTAINER_UPDATE_FAILED", "REASON_MAX_COMPLETION_TIME_REACHED", "REASON_EXECUTOR_REGISTRATION_TIMEOUT",
        "REASON_EXECUTOR_REREGISTRATION_TIMEOUT", "REASON_EXECUTOR_TERMINATED", "REASON_EXECUTOR_UNREGISTERED",
        "REASON_FRAMEWORK_REMOVED", "REASON_GC_ERROR", "REASON_INVALID_FRAMEWORKID", "REASON_INVALID_OFFERS",
        "REASON_IO_SWITCHBOARD_EXITED", "REASON_MASTER_DISCONNECTED", "REASON_RECONCILIATION",
        "REASON_RESOURCES_UNKNOWN", "REASON_AGENT_DISCONNECTED", "REASON_AGENT_REMOVED",
        "REASON_AGENT_REMOVED_BY_OPERATOR", "REASON_AGENT_REREGISTERED", "REASON_AGENT_RESTARTED",
        "REASON_AGENT_UNKNOWN", "REASON_TASK_KILLED_DURING_LAUNCH", "REASON_TASK_CHECK_STATUS_UPDATED",
        "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED", "REASON_TASK_GROUP_INVALID", "REASON_TASK_GROUP_UNAUTHORIZED",
        "REASON_TASK_INVALID", "REASON_TASK_UNAUTHORIZED", "REASON_TASK_UNKNOWN",
    ]

    static let taskStatus = Shape.message([
        Field(name: "task_id", shape: identifier, required: true),
        Field(name: "state", shape: .enumeration(taskStates), required: true),
        Field(name: "message", shape: .string),
        Field(name: "source", shape: .enumeration(["SOURCE_MASTER", "SOURCE_AGENT", "SOURCE_EXECUTOR"])),
        Field(name: "reason", shape: .enumeration(reasons)),
        Field(name: "data", shape: .bytes),
        Field(name: "agent_id", shape: identifier),
        Field(name: "executor_id", shape: identifier),
        Field(name: "timestamp", shape: .number),
        Field(name: "uuid", shape: .bytes),
        Field(name: "healthy", shape: .bool),
        Field(
            name: "labels",
            shape: .message([
                Field(
                    name: "labels",
                    shape: .repeated(
                        .message([
                            Field(name: "key", shape: .string, required: true), Field(name: "value", shape: .string),
                        ])
                    ))
            ])),
        Field(name: "container_status", shape: .anyObject),
        Field(name: "check_status", shape: checkStatus),
    ])

    /// `CheckStatusInfo`: the check's type and the result of that type.
    static let checkStatus = Shape.message([
        Field(name: "type", shape: .enumeration(["UNKNOWN", "COMMAND", "HTTP", "TCP"])),
        Field(name: "command", shape: .message([Field(name: "exit_code", shape: .number)])),
        Field(name: "http", shape: .message([Field(name: "status_code", shape: .number)])),
        Field(name: "tcp", shape: .message([Field(name: "succeeded", shape: .bool)])),
    ])

    static let taskInfo = Shape.message([
        Field(name: "name", shape: .string, required: true),
        Field(name: "task_id", shape: identifier, required: true),
        Field(name: "agent_id", shape: identifier, required: true),
    ])

    static let call = Shape.message([
        Field(name: "executor_id", shape: identifier),
        Field(name: "framework_id", shape: identifier),
        Field(name: "type", shape: .enumeration(["UNKNOWN", "SUBSCRIBE", "UPDATE", "MESSAGE", "HEARTBEAT"])),
        Field(
            name: "subscribe",
            shape: .message([
                Field(name: "unacknowledged_tasks", shape: .repeated(taskInfo)),
                Field(
                    name: "unacknowledged_updates",
                    shape: .repeated(.message([Field(name: "status", shape: taskStatus, required: true)]))),
            ])),
        Field(name: "update", shape: .message([Field(name: "status", shape: taskStatus, required: true)])),
        Field(name: "message", shape: .message([Field(name: "data", shape: .bytes, required: true)])),
    ])

    /// The call as the agent sees it after conversion (nulls and unknown enum values removed), or the 400.
    static func convert(_ json: JSONValue) throws(SimulatedAgentRejection) -> JSONValue {
        var missing: [String] = []
        let converted: JSONValue
        do throws(ConversionError) {
            guard case .object = json else { throw ConversionError("Expecting a JSON object") }
            converted = try convert(json, as: call, path: "", missing: &missing) ?? [:]
        } catch {
            throw SimulatedAgentRejection(
                status: 400, message: "Failed to convert JSON into Call protobuf: \(error.message)")
        }
        guard missing.isEmpty else {
            throw SimulatedAgentRejection(
                status: 400,
                message: "Failed to convert JSON into Call protobuf: Missing required fields: "
                    + missing.joined(separator: ", "))
        }
        return converted
    }

    struct ConversionError: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// Nil means "unset" (null, or an unknown enum value).
    private static func convert(_ value: JSONValue, as shape: Shape, path: String, missing: inout [String])
        throws(ConversionError) -> JSONValue?
    {
        if value.isNull { return nil }
        let name = path.split(separator: ".").last.map(String.init) ?? path
        func wrongKind() -> ConversionError {
            ConversionError("Not expecting a JSON \(kind(of: value)) for field '\(name)'")
        }
        switch shape {
        case .string:
            guard case .string = value else { throw wrongKind() }
        case .bool:
            guard case .bool = value else { throw wrongKind() }
        case .number:
            guard value.doubleValue != nil else { throw wrongKind() }
        case .bytes:
            guard let text = value.stringValue else { throw wrongKind() }
            do {
                _ = try Base64.decode(text)
            } catch {
                throw ConversionError("Failed to base64-decode bytes field '\(name)': \(error)")
            }
        case .enumeration(let names):
            guard let text = value.stringValue else { throw wrongKind() }
            // The agent drops an unknown enum value on an optional field, so it reads as unset.
            guard names.contains(text) else { return nil }
        case .anyObject:
            guard case .object = value else { throw wrongKind() }
        case .repeated(let element):
            guard let elements = value.arrayValue else { throw wrongKind() }
            var converted: [JSONValue] = []
            for (index, item) in elements.enumerated() {
                if let item = try convert(item, as: element, path: "\(path)[\(index)]", missing: &missing) {
                    converted.append(item)
                }
            }
            return .array(converted)
        case .message(let fields):
            guard var object = value.objectValue else { throw wrongKind() }
            for field in fields {
                let fieldPath = path.isEmpty ? field.name : "\(path).\(field.name)"
                // A required enum field with an unknown value cannot be dropped: the whole conversion fails.
                if field.required, case .enumeration(let names) = field.shape,
                    let text = object[field.name]?.stringValue,
                    !names.contains(text)
                {
                    throw ConversionError("Failed to find enum for '\(text)'")
                }
                let converted = try object[field.name].flatMap { value throws(ConversionError) in
                    try convert(value, as: field.shape, path: fieldPath, missing: &missing)
                }
                object[field.name] = converted
                if converted == nil && field.required {
                    missing.append(fieldPath)
                }
            }
            return .object(object)
        }
        return value
    }

    private static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
