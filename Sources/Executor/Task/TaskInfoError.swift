/// Why a TaskInfo cannot be run; the task then ends TASK_FAILED with REASON_TASK_INVALID and this as the message.
///
/// Every case names the field by its path in the TaskInfo JSON (`container.docker.port_mappings[0].host_port`), so
/// that whoever wrote the job definition can find it.
enum TaskInfoError: Error, Equatable, CustomStringConvertible {
    /// A required field is absent (or null).
    case missing(field: String)
    /// The field holds another JSON type than Mesos defines.
    case wrongType(field: String, expected: String)
    /// The field's value is not acceptable; `reason` completes the sentence "<field> ...".
    case invalid(field: String, reason: String)
    /// The executor's UDP log relay cannot reach its destination (EXECUTOR_SYSLOG_ADDR): the whole message.
    case logRelay(String)

    /// The path of the field at fault.
    var field: String {
        switch self {
        case .missing(let field), .wrongType(let field, _), .invalid(let field, _): field
        case .logRelay: "EXECUTOR_SYSLOG_ADDR"
        }
    }

    var description: String {
        switch self {
        case .missing(let field): "The TaskInfo is invalid: \(field) is missing."
        case .wrongType(let field, let expected): "The TaskInfo is invalid: \(field) is not \(expected)."
        case .invalid(let field, let reason): "The TaskInfo is invalid: \(field) \(reason)."
        case .logRelay(let message): message
        }
    }
}
