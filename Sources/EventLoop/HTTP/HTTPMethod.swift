/// The request methods this client sends. An enum (not an open struct) so a method can never carry bytes
/// that break the request line.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"
    case options = "OPTIONS"

    /// Whether the method defines a meaning for request content, so a request without a body still says
    /// `Content-Length: 0` (RFC 9110 §8.6: some servers answer 411 Length Required otherwise).
    public var definesRequestContent: Bool {
        switch self {
        case .post, .put, .patch: return true
        case .get, .head, .delete, .options: return false
        }
    }
}
