/// An `http://` or `https://` URL split into what a request needs: where to connect and what to ask for.
///
/// An https URL only says TLS is wanted: the caller makes the `TLSContext` (which loads OpenSSL) for it, so an
/// executor whose peers are all plain http never loads a TLS library.
public struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
    /// `http` or `https`.
    public var scheme: String
    /// The host name or address, without IPv6 brackets; for `unix`, the socket path.
    public var host: String
    public var port: UInt16
    /// The request target: path and query, always starting with `/`.
    public var target: String

    /// Parses `http[s]://host[:port][/path][?query]` (IPv6 as `[::1]`); `port` defaults to 80 (443 for https).
    public init(parsing text: String) throws(HTTPURLError) {
        let lowered = text.lowercased()
        let scheme: String
        if lowered.hasPrefix("http://") {
            scheme = "http"
        } else if lowered.hasPrefix("https://") {
            scheme = "https"
        } else {
            throw HTTPURLError(url: text, reason: "it does not start with http:// or https://")
        }
        let rest = text.dropFirst(scheme.count + 3)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        guard !authority.isEmpty else { throw HTTPURLError(url: text, reason: "it has no host") }
        guard !authority.contains("@") else {
            throw HTTPURLError(url: text, reason: "user information in the URL is not supported")
        }

        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw HTTPURLError(url: text, reason: "the IPv6 address has no closing ']'")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let afterClose = authority[authority.index(after: close)...]
            if !afterClose.isEmpty {
                guard afterClose.hasPrefix(":") else {
                    throw HTTPURLError(url: text, reason: "unexpected characters after the IPv6 address")
                }
                portText = afterClose.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw HTTPURLError(url: text, reason: "it has no host") }
        var port: UInt16 = scheme == "https" ? 443 : 80
        if let portText {
            guard let parsed = UInt16(portText), parsed > 0 else {
                throw HTTPURLError(url: text, reason: "the port '\(portText)' is not a number from 1 to 65535")
            }
            port = parsed
        }
        self.scheme = scheme
        self.host = String(host)
        self.port = port
        self.target = target
    }

    /// `scheme://host:port`, the part a derived URL (Sidecar's drain endpoint) shares with this one.
    public var origin: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(bracketed):\(port)"
    }

    /// The value of the `Host` request header.
    public var hostHeader: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == (isTLS ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }

    /// True for https: the connection must run TLS.
    public var isTLS: Bool { scheme == "https" }

    /// Where to connect.
    public var endpoint: Endpoint { .tcp(host: host, port: port) }

    public var description: String { origin + target }
}

/// A URL that `HTTPURL` cannot use, with the reason in words.
public struct HTTPURLError: Error, Equatable, CustomStringConvertible {
    public let url: String
    public let reason: String

    public var description: String { "The URL '\(url)' cannot be used: \(reason)." }
}
