/// Why a `StreamSocket` closed; delivered exactly once through `onClose`.
public enum SocketCloseReason: Sendable, Equatable, CustomStringConvertible {
    /// The peer closed its side (a read returned end of file).
    case eof
    /// A read or write failed, e.g. ECONNRESET or EPIPE.
    case error(SystemError)
    /// `close()` was called on this side.
    case closedLocally

    public var description: String {
        switch self {
        case .eof: return "The peer closed the connection."
        case .error(let error): return "The connection failed: \(error)."
        case .closedLocally: return "The connection was closed locally."
        }
    }
}
