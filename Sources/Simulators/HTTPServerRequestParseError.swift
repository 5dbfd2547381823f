/// Why a test server rejected a request's bytes, and where in the connection's byte stream the
/// offending line or body started.
public struct HTTPServerRequestParseError: Error, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A line (request line, header, chunk size) ran past the limit before its CRLF.
        case lineTooLong(limit: Int)
        /// A line ended in LF without the CR that HTTP/1.1 requires.
        case bareLineFeed
        /// The request line is not `METHOD SP target SP HTTP/x.y`.
        case malformedRequestLine
        /// The method contains characters that are not allowed in an HTTP token.
        case invalidMethod
        /// The target is not origin-form (`/…`), absolute-form (`scheme://…`) or `*`.
        case invalidTarget
        /// A well-formed version other than HTTP/1.0 and HTTP/1.1.
        case unsupportedVersion(String)
        /// A header line starts with whitespace (obsolete line folding).
        case obsoleteLineFolding
        /// A header line has no colon or an invalid field name (including space before the colon).
        case malformedHeader
        /// A header value contains a control character.
        case invalidHeaderValue(name: String)
        case tooManyHeaders(limit: Int)
        case headersTooLarge(limit: Int)
        /// An HTTP/1.1 request without a Host header (Go's net/http answers 400 too).
        case missingHost
        case duplicateHost
        /// A Host value with bytes Go's `httpguts.ValidHostHeader` refuses, e.g. the `/` of a socket path.
        case invalidHost(String)
        /// Content-Length is not a plain decimal number, or repeated with different values.
        case invalidContentLength(String)
        /// Both Content-Length and Transfer-Encoding: the framing would be ambiguous.
        case contentLengthWithTransferEncoding
        /// A Transfer-Encoding other than exactly `chunked`.
        case unsupportedTransferEncoding(String)
        case bodyTooLarge(limit: Int)
        /// A chunk-size line that is not hex digits with an optional `;extension`.
        case malformedChunkSize
        /// Chunk data not followed by CRLF.
        case missingChunkTerminator
    }

    public let kind: Kind
    /// Byte offset, from the start of the connection, of the line or chunk where the problem is; for
    /// problems with the header section as a whole (Host, framing), where the request starts.
    public let offset: Int

    public init(_ kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// The status a server answers with before closing the connection, as Go's net/http would.
    public var statusCode: Int {
        switch kind {
        case .lineTooLong, .tooManyHeaders, .headersTooLarge: 431
        case .unsupportedVersion: 505
        case .unsupportedTransferEncoding: 501
        case .bodyTooLarge: 413
        default: 400
        }
    }

    public var description: String {
        let place = "at byte \(offset) of the connection"
        switch kind {
        case .lineTooLong(let limit):
            return "The request has a line longer than \(limit) bytes starting \(place)."
        case .bareLineFeed:
            return "The request has a line ending in a bare LF instead of CRLF \(place)."
        case .malformedRequestLine:
            return "The request line \(place) is not 'METHOD target HTTP/x.y'."
        case .invalidMethod:
            return "The request method \(place) contains characters not allowed in a token."
        case .invalidTarget:
            return "The request target \(place) is neither '/path', 'scheme://authority/path' nor '*'."
        case .unsupportedVersion(let version):
            return "The request \(place) uses \(version), but only HTTP/1.0 and HTTP/1.1 are served."
        case .obsoleteLineFolding:
            return "The header line \(place) starts with whitespace (obsolete line folding)."
        case .malformedHeader:
            return "The header line \(place) has no colon or an invalid field name."
        case .invalidHeaderValue(let name):
            return "The value of header '\(name)' \(place) contains a control character."
        case .tooManyHeaders(let limit):
            return "The request has more than \(limit) header fields; the one \(place) is too many."
        case .headersTooLarge(let limit):
            return "The request's header section exceeds \(limit) bytes \(place)."
        case .missingHost:
            return "The HTTP/1.1 request starting \(place) has no Host header."
        case .duplicateHost:
            return "The request starting \(place) has more than one Host header."
        case .invalidHost(let value):
            return "The request starting \(place) has a malformed Host header '\(value)'."
        case .invalidContentLength(let value):
            return "The request starting \(place) has an invalid Content-Length '\(value)'."
        case .contentLengthWithTransferEncoding:
            return "The request starting \(place) has both Content-Length and Transfer-Encoding."
        case .unsupportedTransferEncoding(let value):
            return "The request starting \(place) uses Transfer-Encoding '\(value)'; "
                + "only 'chunked' is supported."
        case .bodyTooLarge(let limit):
            return "The request body exceeds the \(limit)-byte limit \(place)."
        case .malformedChunkSize:
            return "The chunk-size line \(place) is not hexadecimal digits with an optional extension."
        case .missingChunkTerminator:
            return "The chunk data ending \(place) is not followed by CRLF."
        }
    }
}
