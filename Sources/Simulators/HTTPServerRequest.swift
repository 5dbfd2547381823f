/// One HTTP/1.1 request as a test server received it: the request line, the header fields in arrival
/// order, and the whole body (already de-chunked).
public struct HTTPServerRequest: Sendable, Equatable {
    /// One header (or trailer) field, with the name as the client spelled it.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var method: String
    /// The request target exactly as sent, e.g. `/api/state.json?x=1`.
    public var target: String
    /// `HTTP/1.1` or `HTTP/1.0`.
    public var version: String
    public var headers: [Field]
    public var body: [UInt8]
    /// True when the body arrived with `Transfer-Encoding: chunked`.
    public var bodyWasChunked: Bool
    /// Fields sent after the last chunk of a chunked body.
    public var trailers: [Field]
    /// Which connection (numbered from 1 by the server) carried the request; 0 outside a server.
    public var connectionID: Int

    public init(
        method: String, target: String, version: String = "HTTP/1.1", headers: [Field] = [], body: [UInt8] = [],
        bodyWasChunked: Bool = false, trailers: [Field] = [], connectionID: Int = 0
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.bodyWasChunked = bodyWasChunked
        self.trailers = trailers
        self.connectionID = connectionID
    }

    /// The path part of the target, without the query; for an absolute-form target
    /// (`http://host/path`) the scheme and authority are dropped.
    public var path: String {
        var rest = Substring(target)
        if let schemeEnd = rest.firstRange(of: "://") {
            rest = rest[schemeEnd.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        return String(rest.prefix { $0 != "?" })
    }

    /// The query after `?`, if any.
    public var query: String? {
        target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) }
    }

    /// The first value of the header `name` (compared case-insensitively).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of the header `name`, in arrival order.
    public func headers(named name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The body decoded as UTF-8 (invalid bytes become U+FFFD).
    public var bodyString: String { String(decoding: body, as: UTF8.self) }

    /// Whether the client lets the connection stay open after the answer (RFC 9112 §9.3): HTTP/1.1
    /// unless it sent `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
    public var keepsConnectionAlive: Bool {
        let tokens = headers(named: "Connection").flatMap { $0.split(separator: ",") }.map {
            $0.trimmingSpacesAndTabs().lowercased()
        }
        if tokens.contains("close") { return false }
        return version == "HTTP/1.1" || tokens.contains("keep-alive")
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingSpacesAndTabs() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return self[start...end]
    }
}
