/// An HTTP/1.1 request: what the client sends, before it is framed onto the wire.
public struct HTTPRequest: Sendable, Equatable {
    public var method: HTTPMethod
    /// The request target in origin form, e.g. `/v1.41/containers/create?name=x`, already percent-encoded.
    public var target: String
    /// Header fields sent after `Host`, in order. `Content-Length` and `Transfer-Encoding` are not allowed
    /// here: the serializer derives the framing from `body`.
    public var headers: HTTPHeaders
    /// The content, sent with `Content-Length`; nil sends no content at all.
    public var body: [UInt8]?

    public init(method: HTTPMethod, target: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// Appends the request's wire form to `output`: request line, `Host`, the headers, `Content-Length`
    /// when there is a body (or the method defines content, so an empty POST says 0), a blank line, the body.
    ///
    /// A `Host` field in `headers` takes the place of `host`. Anything that would let a value escape its
    /// line (CR, LF, other control bytes, a target with spaces) throws `.invalidRequest` rather than
    /// trapping: targets and values are often built from task data the executor does not control. On a
    /// throw, `output` is left untouched.
    public func serialize(into output: inout [UInt8], host: String) throws(HTTPClientError) {
        try validate(host: host)
        output.append(contentsOf: method.rawValue.utf8)
        output.append(UInt8(ascii: " "))
        output.append(contentsOf: target.utf8)
        output.append(contentsOf: " HTTP/1.1\r\n".utf8)
        if !headers.contains("Host") {
            appendField("Host", host, to: &output)
        }
        for (name, value) in headers {
            appendField(name, value, to: &output)
        }
        if let body {
            appendField("Content-Length", String(body.count), to: &output)
        } else if method.definesRequestContent {
            appendField("Content-Length", "0", to: &output)
        }
        output.append(contentsOf: "\r\n".utf8)
        if let body { output.append(contentsOf: body) }
    }

    /// The request's wire form as a fresh array; see `serialize(into:host:)`.
    public func serialized(host: String) throws(HTTPClientError) -> [UInt8] {
        var output: [UInt8] = []
        try serialize(into: &output, host: host)
        return output
    }

    private func validate(host: String) throws(HTTPClientError) {
        // Only visible ASCII: a space would end the target early, CR/LF would end the request line.
        guard !target.isEmpty, target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            let excerpt = ASCII.excerpt(target.utf8)
            throw .invalidRequest(reason: "the target '\(excerpt)' is empty or has spaces or control bytes")
        }
        if !headers.contains("Host") {
            try Self.validateField("Host", host)
        }
        for (name, value) in headers {
            if name.equalsIgnoringASCIICase("Content-Length") || name.equalsIgnoringASCIICase("Transfer-Encoding") {
                throw .invalidRequest(reason: "the '\(name)' header is set by the serializer from the body")
            }
            try Self.validateField(name, value)
        }
    }

    private static func validateField(_ name: String, _ value: String) throws(HTTPClientError) {
        guard HTTPHeaders.isValidName(name.utf8) else {
            let excerpt = ASCII.excerpt(name.utf8)
            throw .invalidRequest(reason: "the header name '\(excerpt)' is not a token")
        }
        guard HTTPHeaders.isValidValue(value.utf8) else {
            let excerpt = ASCII.excerpt(value.utf8)
            throw .invalidRequest(
                reason: "the value '\(excerpt)' of header '\(name)' contains CR, LF or a control byte")
        }
    }

    private func appendField(_ name: String, _ value: String, to output: inout [UInt8]) {
        output.append(contentsOf: name.utf8)
        output.append(contentsOf: ": ".utf8)
        output.append(contentsOf: value.utf8)
        output.append(contentsOf: "\r\n".utf8)
    }
}
