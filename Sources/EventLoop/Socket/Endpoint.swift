/// Where a peer listens: a TCP host and port, or a Unix socket path. Unresolved: a host may be a name.
public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// `host` is a name, a dotted IPv4 address or an IPv6 address without brackets.
    case tcp(host: String, port: UInt16)
    case unix(path: String)

    /// Endpoint texts longer than this are rejected before any parsing (they come from configuration).
    public static let maxTextLength = 1024
    /// The longest DNS name.
    static let maxHostLength = 253

    /// Parses "host:port", "10.0.0.5:5051", "[::1]:5051", "tcp://host:port", "http://host[:port][/]"
    /// (port 80 by default), "unix:///var/run/docker.sock" or "unix:/path".
    public init(parsing text: String) throws(EndpointParseError) {
        func fail(_ reason: EndpointParseError.Reason) -> EndpointParseError {
            EndpointParseError(input: text, reason: reason)
        }
        guard text.utf8.count <= Self.maxTextLength else { throw fail(.tooLong(limit: Self.maxTextLength)) }
        guard !text.isEmpty else { throw fail(.empty) }
        if text.hasPrefix("unix:") {
            var path = text.dropFirst("unix:".count)
            if path.hasPrefix("//") { path = path.dropFirst(2) }
            guard path.hasPrefix("/") else { throw fail(.relativeUnixPath) }
            guard path.utf8.count <= Posix.maxUnixPathLength else {
                throw fail(.unixPathTooLong(limit: Posix.maxUnixPathLength))
            }
            guard !path.utf8.contains(0) else { throw fail(.invalidCharacter) }
            self = .unix(path: String(path))
            return
        }
        var rest = Substring(text)
        var defaultPort: UInt16?
        if let schemeEnd = ASCII.firstRange(of: "://", in: rest) {
            switch rest[..<schemeEnd.lowerBound].lowercased() {
            case "tcp": break
            case "http": defaultPort = 80
            default: throw fail(.unsupportedScheme(String(rest[..<schemeEnd.lowerBound])))
            }
            rest = rest[schemeEnd.upperBound...]
            if rest.hasSuffix("/") { rest = rest.dropLast() }
        }
        guard !rest.contains("/") else { throw fail(.unexpectedPath) }
        let (host, port) = try Self.splitHostPort(rest, defaultPort: defaultPort, fail: fail)
        self = .tcp(host: host, port: port)
    }

    private static func splitHostPort(
        _ text: Substring,
        defaultPort: UInt16?,
        fail: (EndpointParseError.Reason) -> EndpointParseError
    ) throws(EndpointParseError) -> (String, UInt16) {
        let host: Substring
        let portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw fail(.unterminatedBracket) }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw fail(.invalidCharacter) }
            portText = after.isEmpty ? nil : after.dropFirst()
            guard Posix.parseIPv6(String(host)) != nil else { throw fail(.invalidIPv6Address) }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else { throw fail(.unbracketedIPv6Address) }
        } else {
            host = text
            portText = nil
        }
        guard !host.isEmpty else { throw fail(.emptyHost) }
        guard host.utf8.count <= maxHostLength else { throw fail(.hostTooLong(limit: maxHostLength)) }
        if !text.hasPrefix("[") {
            let allowed = host.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            }
            guard allowed else { throw fail(.invalidCharacter) }
        }
        guard let portText else {
            guard let defaultPort else { throw fail(.missingPort) }
            return (String(host), defaultPort)
        }
        guard !portText.isEmpty, portText.utf8.count <= 5, portText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let port = UInt16(portText), port != 0
        else { throw fail(.invalidPort(String(portText.prefix(16)))) }
        return (String(host), port)
    }

    /// "host:port", "[::1]:port" or "unix:///path".
    public var description: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return "unix://\(path)"
        }
    }
}
