/// A resolved address a stream socket can connect to: IPv4, IPv6 or a Unix socket path.
///
/// It holds the address as plain bytes; `Posix` builds the C `sockaddr` from it when connecting, which keeps
/// the C types inside the one file that imports Glibc.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address family, which is also the socket domain to create.
    public enum Family: Sendable, Hashable {
        case ipv4, ipv6, unix
    }

    public let family: Family
    /// 4 address bytes (IPv4), 16 (IPv6), or the UTF-8 path without terminator (Unix), in network order.
    public let bytes: [UInt8]
    /// The TCP port (0 for Unix sockets).
    public let port: UInt16
    /// The IPv6 zone (interface index) of a link-local address; 0 otherwise.
    public let scopeID: UInt32

    private init(family: Family, bytes: [UInt8], port: UInt16, scopeID: UInt32) {
        self.family = family
        self.bytes = bytes
        self.port = port
        self.scopeID = scopeID
    }

    /// An IPv4 address from its four bytes, or nil when `octets` is not four bytes long.
    public init?(ipv4 octets: [UInt8], port: UInt16) {
        guard octets.count == 4 else { return nil }
        self.init(family: .ipv4, bytes: octets, port: port, scopeID: 0)
    }

    /// An IPv6 address from its sixteen bytes, or nil when `octets` is not sixteen bytes long.
    public init?(ipv6 octets: [UInt8], port: UInt16, scopeID: UInt32 = 0) {
        guard octets.count == 16 else { return nil }
        self.init(family: .ipv6, bytes: octets, port: port, scopeID: scopeID)
    }

    /// A Unix socket path, or nil when it is empty, contains a NUL byte or does not fit `sockaddr_un`.
    public init?(unixPath path: String) {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= Posix.maxUnixPathLength, !bytes.contains(0) else { return nil }
        self.init(family: .unix, bytes: bytes, port: 0, scopeID: 0)
    }

    /// The address of a numeric host ("10.0.0.5", "::1", "[::1]"), parsed without any lookup; nil for names.
    public init?(numericHost host: String, port: UInt16) {
        var text = Substring(host)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let octets = Posix.parseIPv4(String(text)) {
            self.init(family: .ipv4, bytes: octets, port: port, scopeID: 0)
        } else if let octets = Posix.parseIPv6(String(text)) {
            self.init(family: .ipv6, bytes: octets, port: port, scopeID: 0)
        } else {
            return nil
        }
    }

    /// 127.0.0.1 on `port`.
    public static func ipv4Loopback(port: UInt16) -> SocketAddress {
        SocketAddress(family: .ipv4, bytes: [127, 0, 0, 1], port: port, scopeID: 0)
    }

    /// ::1 on `port`.
    public static func ipv6Loopback(port: UInt16) -> SocketAddress {
        SocketAddress(family: .ipv6, bytes: Array(repeating: 0, count: 15) + [1], port: port, scopeID: 0)
    }

    /// "127.0.0.1:80", "[::1]:80" or "unix:/path".
    public var description: String {
        switch family {
        case .ipv4: return "\(Posix.formatIP(bytes)):\(port)"
        case .ipv6: return "[\(Posix.formatIP(bytes))]:\(port)"
        case .unix: return "unix:\(String(decoding: bytes, as: UTF8.self))"
        }
    }
}
