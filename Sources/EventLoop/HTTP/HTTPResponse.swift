/// A complete HTTP response with its body collected, as `HTTPClient.request` delivers it.
public struct HTTPResponse: Sendable, Equatable {
    public var head: HTTPResponseHead
    public var body: [UInt8]

    public init(head: HTTPResponseHead, body: [UInt8]) {
        self.head = head
        self.body = body
    }

    /// The status code, e.g. 200.
    public var status: Int { head.status }

    /// The body decoded as UTF-8 (invalid sequences replaced), for text and JSON bodies.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
