import EventLoop

/// A general check's result as Mesos reports it (`CheckStatusInfo`): the type, and the result field of that type,
/// left empty when the check could not be performed (a timeout, an engine error).
struct CheckStatus: Sendable, Equatable {
    /// `COMMAND`, `HTTP` or `TCP`.
    var type: String
    /// COMMAND: `command.exit_code`.
    var exitCode: Int?
    /// HTTP: `http.status_code`.
    var statusCode: Int?
    /// TCP: `tcp.succeeded`.
    var succeeded: Bool?

    /// The status before any result: the type with an empty result.
    static func empty(type: String) -> CheckStatus { CheckStatus(type: type) }

    /// `TaskStatus.check_status`.
    var json: JSONValue {
        var object = JSONObject()
        object["type"] = .string(type)
        switch type {
        case "COMMAND": object["command"] = exitCode.map { ["exit_code": .int(Int64($0))] } ?? [:]
        case "HTTP": object["http"] = statusCode.map { ["status_code": .int(Int64($0))] } ?? [:]
        case "TCP": object["tcp"] = succeeded.map { ["succeeded": .bool($0)] } ?? [:]
        default: break
        }
        return .object(object)
    }

    /// E.g. `COMMAND check: exit status 3`, `HTTP check: no result`.
    var summary: String {
        let result: String
        if let exitCode {
            result = "exit status \(exitCode)"
        } else if let statusCode {
            result = "HTTP status \(statusCode)"
        } else if let succeeded {
            result = succeeded ? "connection accepted" : "connection refused"
        } else {
            result = "no result"
        }
        return "\(type) check: \(result)"
    }
}

extension CheckStatus {
    /// The status for one probe run of a check of `type`.
    init(type: String, outcome: ProbeOutcome) {
        self.init(type: type)
        switch outcome {
        case .exited(let code): exitCode = code
        case .httpStatus(let status): statusCode = status
        case .connected(let accepted): succeeded = accepted
        case .notPerformed: break
        }
    }
}

/// Reports a general check's status when it changes, as Mesos's checker does: the first result that differs from
/// the empty status, then every change. A pure value.
struct CheckStatusPolicy: Sendable, Equatable {
    private(set) var last: CheckStatus

    init(type: String) {
        last = .empty(type: type)
    }

    /// The status to report, or nil when it is the same as the last one.
    mutating func record(_ outcome: ProbeOutcome) -> CheckStatus? {
        let status = CheckStatus(type: last.type, outcome: outcome)
        guard status != last else { return nil }
        last = status
        return status
    }
}
