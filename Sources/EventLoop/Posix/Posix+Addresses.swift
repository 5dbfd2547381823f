// Address text and name resolution.
import Glibc

extension Posix {
    /// The four bytes of a dotted IPv4 address, or nil. The corresponding C function is `inet_pton(AF_INET)`.
    public static func parseIPv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    /// The sixteen bytes of a textual IPv6 address, or nil. The corresponding C function is `inet_pton(AF_INET6)`.
    public static func parseIPv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    /// The canonical text of an IPv4 (4 bytes) or IPv6 (16 bytes) address. The corresponding C function is
    /// `inet_ntop`.
    public static func formatIP(_ bytes: [UInt8]) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &text, socklen_t(text.count)) != nil
        }
        return ok ? String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
    }

    /// Resolves a host name to stream-socket addresses, in the order the resolver prefers. It BLOCKS (DNS),
    /// so it must never run on the event loop. The corresponding C function is `getaddrinfo`.
    public static func getaddrinfo(host: String, port: UInt16) -> Result<[SocketAddress], SocketError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = Glibc.getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else {
            let reason = status == EAI_SYSTEM ? errorMessage(errno) : String(cString: gai_strerror(status))
            return .failure(.resolutionFailed(host: host, reason: reason))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var entry = list
        while let info = entry?.pointee {
            if let address = info.ai_addr.flatMap({ socketAddress(from: $0) }), !addresses.contains(address) {
                addresses.append(address)
            }
            entry = info.ai_next
        }
        return addresses.isEmpty
            ? .failure(.resolutionFailed(host: host, reason: "No address found")) : .success(addresses)
    }
}

/// The SocketAddress of a C `sockaddr` returned by the resolver, for the families the library supports.
private func socketAddress(from pointer: UnsafeMutablePointer<sockaddr>) -> SocketAddress? {
    switch Int32(pointer.pointee.sa_family) {
    case AF_INET:
        let storage = UnsafeRawPointer(pointer).loadUnaligned(as: sockaddr_in.self)
        let bytes = withUnsafeBytes(of: storage.sin_addr) { Array($0) }
        return SocketAddress(ipv4: bytes, port: UInt16(bigEndian: storage.sin_port))
    case AF_INET6:
        let storage = UnsafeRawPointer(pointer).loadUnaligned(as: sockaddr_in6.self)
        let bytes = withUnsafeBytes(of: storage.sin6_addr) { Array($0) }
        return SocketAddress(ipv6: bytes, port: UInt16(bigEndian: storage.sin6_port), scopeID: storage.sin6_scope_id)
    default:
        return nil
    }
}
