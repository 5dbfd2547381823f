/// A service's `Status` in Sidecar's state document (Sidecar's `service.ServiceStatus`).
///
/// Only UNHEALTHY and TOMBSTONE are failures, as in the original executor, which compared the number with exactly
/// those two. Everything else, numbers Sidecar does not define included, reads as healthy.
enum ServiceStatus: Sendable, Equatable, CustomStringConvertible {
    case alive
    case tombstone
    case unhealthy
    case unknown
    case draining
    /// A number Sidecar does not define (Sidecar itself displays these as "Tombstone").
    case other(Int)

    init(rawValue: Int) {
        switch rawValue {
        case 0: self = .alive
        case 1: self = .tombstone
        case 2: self = .unhealthy
        case 3: self = .unknown
        case 4: self = .draining
        default: self = .other(rawValue)
        }
    }

    /// The number on the wire.
    var rawValue: Int {
        switch self {
        case .alive: 0
        case .tombstone: 1
        case .unhealthy: 2
        case .unknown: 3
        case .draining: 4
        case .other(let value): value
        }
    }

    /// True for the statuses the health policy counts towards failing the task (UNHEALTHY, TOMBSTONE).
    var isFailure: Bool {
        switch self {
        case .tombstone, .unhealthy: true
        case .alive, .unknown, .draining, .other: false
        }
    }

    /// The name used in logs and status messages, e.g. "UNHEALTHY" or "status 7".
    var description: String {
        switch self {
        case .alive: "ALIVE"
        case .tombstone: "TOMBSTONE"
        case .unhealthy: "UNHEALTHY"
        case .unknown: "UNKNOWN"
        case .draining: "DRAINING"
        case .other(let value): "status \(value)"
        }
    }
}
