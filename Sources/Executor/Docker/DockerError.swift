import EventLoop

/// Everything that can go wrong talking to the Docker Engine. `message` is what a status update shows.
enum DockerError: Error, Equatable, CustomStringConvertible {
    /// The engine answered with an error status and its JSON `{"message": ...}` (or the raw body).
    case engine(status: Int, message: String)
    /// The pull's 200 progress stream carried an `{"error": ...}` line.
    case pullFailed(image: String, message: String)
    /// The HTTP exchange failed (connection refused, reset, timeout, malformed response).
    case transport(HTTPClientError)
    /// The engine's answer is not what the API documents.
    case malformedResponse(String)
    /// The engine speaks an API version older than this executor needs.
    case unsupportedAPIVersion(String)
    /// DOCKER_HOST cannot be used.
    case invalidHost(String)
    /// A `vault://` environment value could not be resolved, so the container was not created.
    case secrets(String)

    /// The engine's own words where there are any, for status updates (the operator knows these messages).
    var message: String {
        switch self {
        case .engine(_, let message), .pullFailed(_, let message): message
        default: description
        }
    }

    /// Worth retrying: the connection failed or the engine (or the registry behind it) had a server error.
    var isTransient: Bool {
        switch self {
        case .engine(let status, _): status >= 500
        case .transport(let error):
            switch error {
            case .connectFailed, .connectionFailed, .connectionClosedBeforeResponse, .connectionClosedEarly, .timedOut:
                true
            default: false
            }
        case .pullFailed: true
        default: false
        }
    }

    var description: String {
        switch self {
        case .engine(let status, let message):
            "The Docker engine answered \(status): \(message)"
        case .pullFailed(let image, let message):
            "Pulling \(image) failed inside the progress stream: \(message)"
        case .transport(let error):
            "The Docker engine could not be reached: \(error)"
        case .malformedResponse(let what):
            "The Docker engine's answer is malformed: \(what)."
        case .unsupportedAPIVersion(let version):
            "The Docker engine speaks API \(version), older than the 1.30 this executor needs."
        case .invalidHost(let reason):
            "DOCKER_HOST cannot be used: \(reason)."
        case .secrets(let reason):
            "Vault: \(reason)."
        }
    }
}
