/// Everything that can go wrong with an HTTP exchange, from building the request to decoding the response.
///
/// One enum for the whole client, so a caller handles a single error type whichever layer failed. Decoding
/// cases carry the offending text (cut to a short excerpt, control bytes escaped) so a log line shows what
/// the peer actually sent.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    // MARK: Request

    /// The request cannot be sent as given (a header or target that would split the message, a framing header).
    case invalidRequest(reason: String)

    // MARK: Response head

    /// The status line is not `HTTP/1.x SP 3DIGIT [SP reason]`.
    case malformedStatusLine(String)
    /// The status line names an HTTP version other than 1.x.
    case unsupportedVersion(String)
    /// A header line is not `name: value` with a token name and a value free of control characters.
    case malformedHeader(line: String, reason: String)
    /// A header line starts with whitespace: the obsolete line folding RFC 9112 §5.2 tells clients to reject.
    case obsoleteLineFolding(line: String)
    /// A status, header or trailer line is longer than the configured limit.
    case headLineTooLong(limit: Int)
    /// The status line and headers together (or a trailer section) exceed the configured limit.
    case headTooLarge(limit: Int)
    /// The head (or a trailer section) has more header lines than the configured limit.
    case tooManyHeaders(limit: Int)

    // MARK: Body framing

    /// Content-Length is not a decimal number, overflows, or is given several differing values.
    case invalidContentLength(String)
    /// Transfer-Encoding is something other than exactly `chunked`, which is all this client decodes.
    case unsupportedTransferEncoding(String)
    /// Both Transfer-Encoding and Content-Length are present: ambiguous framing, treated as an error.
    case conflictingFraming
    /// The chunked transfer coding is broken; `reason` says where and how.
    case malformedChunk(reason: String)
    /// A chunk-size line (size plus extensions) is longer than the configured limit.
    case chunkSizeLineTooLong(limit: Int)
    /// The body is larger than the caller agreed to collect.
    case bodyTooLarge(limit: Int)
    /// The peer closed the connection in the middle of a response; `during` names the part that was cut.
    case connectionClosedEarly(during: String)
    /// The peer closed the connection while a request was outstanding and before a single response byte arrived.
    case connectionClosedBeforeResponse

    // MARK: Connection and exchange

    /// The connection to `endpoint` could not be established.
    case connectFailed(endpoint: String, reason: String)
    /// An established connection failed (reset, broken pipe); `reason` is the system error's description.
    case connectionFailed(reason: String)
    /// The exchange did not complete within its deadline.
    case timedOut(after: Duration)
    /// The response has a status the caller does not accept; `body` is the (possibly truncated) response body.
    case unexpectedStatus(Int, body: String)
    /// The caller cancelled the request.
    case cancelled

    public var description: String {
        switch self {
        case .invalidRequest(let reason):
            return "The HTTP request cannot be sent: \(reason)."
        case .malformedStatusLine(let line):
            return "The HTTP response's status line is malformed: '\(line)'."
        case .unsupportedVersion(let version):
            return "The HTTP response uses version '\(version)'; only HTTP/1.x is supported."
        case .malformedHeader(let line, let reason):
            return "The HTTP response has a malformed header line '\(line)': \(reason)."
        case .obsoleteLineFolding(let line):
            return "The HTTP response folds a header over several lines (obsolete line folding) at '\(line)'."
        case .headLineTooLong(let limit):
            return "An HTTP response status, header or trailer line exceeds the limit of \(limit) bytes."
        case .headTooLarge(let limit):
            return "The HTTP response head or trailer section exceeds the limit of \(limit) bytes."
        case .tooManyHeaders(let limit):
            return "The HTTP response head or trailer section has more than \(limit) header lines."
        case .invalidContentLength(let value):
            return "The HTTP response's Content-Length '\(value)' is not a single non-negative decimal number."
        case .unsupportedTransferEncoding(let value):
            return "The HTTP response's Transfer-Encoding '\(value)' is not supported; only 'chunked' is."
        case .conflictingFraming:
            return "The HTTP response has both Transfer-Encoding and Content-Length, which is ambiguous framing."
        case .malformedChunk(let reason):
            return "The HTTP response's chunked body is malformed: \(reason)."
        case .chunkSizeLineTooLong(let limit):
            return "An HTTP chunk-size line exceeds the limit of \(limit) bytes."
        case .bodyTooLarge(let limit):
            return "The HTTP response body exceeds the limit of \(limit) bytes."
        case .connectionClosedEarly(let part):
            return "The connection closed during \(part), before the HTTP response was complete."
        case .connectionClosedBeforeResponse:
            return "The peer closed the connection before sending any HTTP response."
        case .connectFailed(let endpoint, let reason):
            return "Connecting to \(endpoint) failed: \(reason)."
        case .connectionFailed(let reason):
            return "The HTTP connection failed: \(reason)."
        case .timedOut(let duration):
            return "The HTTP exchange timed out after \(duration)."
        case .unexpectedStatus(let status, let body):
            return "The HTTP response has unexpected status \(status) with body '\(Self.truncated(body))'."
        case .cancelled:
            return "The HTTP request was cancelled."
        }
    }

    private static func truncated(_ text: String) -> String {
        // A misbehaving peer's error page can be megabytes; a log line needs the start of it.
        let limit = 512
        return text.count > limit ? String(text.prefix(limit)) + "..." : text
    }
}
