/// The status line and header fields of an HTTP response.
public struct HTTPResponseHead: Sendable, Equatable {
    public var versionMajor: Int
    public var versionMinor: Int
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders

    public init(
        versionMajor: Int = 1, versionMinor: Int = 1, status: Int, reason: String = "", headers: HTTPHeaders = [:]
    ) {
        self.versionMajor = versionMajor
        self.versionMinor = versionMinor
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    /// Whether the headers let the connection serve another request after this response (RFC 9112 §9.3):
    /// HTTP/1.1 persists unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    ///
    /// This reads the headers only. A response whose body runs until the connection closes ends the
    /// connection whatever it says, but its `.end` arrives at EOF, so a client never tries to reuse it.
    public var isKeepAlive: Bool {
        if headers.containsToken("close", for: "Connection") { return false }
        if versionMajor == 1 && versionMinor == 0 {
            return headers.containsToken("keep-alive", for: "Connection")
        }
        return true
    }

    /// Parses `HTTP/1.x SP 3DIGIT [SP reason-phrase]` (RFC 9112 §4) into a head without headers.
    ///
    /// The space before an empty reason phrase may be missing; some servers omit it. The status must be in
    /// 100...599 (RFC 9110 §15); the reason may not hold control bytes other than tab.
    static func parsingStatusLine(_ line: ArraySlice<UInt8>) throws(HTTPClientError) -> HTTPResponseHead {
        let malformed = HTTPClientError.malformedStatusLine(ASCII.excerpt(line))
        let prefix = "HTTP/".utf8
        let start = line.startIndex
        guard line.count >= 12, line.prefix(prefix.count).elementsEqual(prefix) else { throw malformed }
        guard let major = ASCII.decimalValue(line[start + 5]), line[start + 6] == UInt8(ascii: "."),
            let minor = ASCII.decimalValue(line[start + 7])
        else { throw malformed }
        guard line[start + 8] == UInt8(ascii: " ") else { throw malformed }
        guard major == 1 else {
            throw .unsupportedVersion(String(decoding: line[start..<start + 8], as: UTF8.self))
        }
        var status = 0
        for index in start + 9..<start + 12 {
            guard let digit = ASCII.decimalValue(line[index]) else { throw malformed }
            status = status * 10 + digit
        }
        guard (100...599).contains(status) else { throw malformed }
        let reason = line[(start + 12)...]
        guard reason.isEmpty || (reason.first == UInt8(ascii: " ") && HTTPHeaders.isValidValue(reason)) else {
            throw malformed
        }
        return HTTPResponseHead(
            versionMajor: major,
            versionMinor: minor,
            status: status,
            reason: String(decoding: reason.dropFirst(), as: UTF8.self)
        )
    }
}
