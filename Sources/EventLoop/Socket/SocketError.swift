/// Why `StreamSocket.connect` could not deliver a connected socket.
public enum SocketError: Error, Equatable, CustomStringConvertible {
    /// The host name could not be resolved; `reason` is the resolver's message.
    case resolutionFailed(host: String, reason: String)
    /// Every address of the endpoint refused or failed; `error` is the last failure.
    case connectFailed(endpoint: Endpoint, error: SystemError)
    /// No connection was established within the connect timeout (resolution included).
    case timedOut(endpoint: Endpoint, after: Duration)
    /// The Unix socket path cannot be used as a socket address (empty, too long or containing NUL).
    case invalidUnixPath(String)

    public var description: String {
        switch self {
        case .resolutionFailed(let host, let reason):
            return "The host name '\(host)' could not be resolved: \(reason)."
        case .connectFailed(let endpoint, let error):
            return "Connecting to \(endpoint) failed: \(error)."
        case .timedOut(let endpoint, let after):
            return "Connecting to \(endpoint) timed out after \(after)."
        case .invalidUnixPath(let path):
            return "The Unix socket path '\(path.prefix(120))' is empty, too long or contains a NUL byte."
        }
    }

    /// The failure without the endpoint, for messages that name the endpoint already:
    /// "connect failed: Connection refused (errno 111)", "no connection within 5.0 seconds".
    public var reason: String {
        switch self {
        case .resolutionFailed(let host, let reason): return "the host name '\(host)' could not be resolved: \(reason)"
        case .connectFailed(_, let error): return error.description
        case .timedOut(_, let after): return "no connection within \(after)"
        case .invalidUnixPath: return "the Unix socket path is empty, too long or contains a NUL byte"
        }
    }

    /// The errno value behind the failure, when there is one (ETIMEDOUT for a timeout).
    public var code: Int32? {
        switch self {
        case .connectFailed(_, let error): return error.code
        case .timedOut: return Posix.Errno.timedOut
        case .resolutionFailed, .invalidUnixPath: return nil
        }
    }
}
