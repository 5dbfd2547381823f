/// The answer of one probe run.
enum ProbeOutcome: Sendable, Equatable {
    /// COMMAND: the command's exit status.
    case exited(code: Int)
    /// HTTP: the response's status code.
    case httpStatus(Int)
    /// TCP: `true` when the connection was accepted, `false` when it was refused or unreachable.
    case connected(Bool)
    /// The probe could not be performed or gave no answer in time; `reason` says why.
    case notPerformed(reason: String)

    /// A health check's verdict: exit status 0, a status in [200, 399], an accepted connection.
    var isHealthy: Bool {
        switch self {
        case .exited(let code): code == 0
        case .httpStatus(let status): (200...399).contains(status)
        case .connected(let accepted): accepted
        case .notPerformed: false
        }
    }

    /// For log lines and status messages, e.g. `HTTP status 503`.
    var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .httpStatus(let status): "HTTP status \(status)"
        case .connected(true): "connection accepted"
        case .connected(false): "connection refused"
        case .notPerformed(let reason): reason
        }
    }
}
