// Stream sockets: creating, connecting and closing them, and sending on them.
import Glibc

private let sysSocket: @convention(c) (Int32, Int32, Int32) -> Int32 = socket
private let sysConnect: @convention(c) (Int32, UnsafePointer<sockaddr>?, socklen_t) -> Int32 = connect
private let sysGetsockopt:
    @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?, UnsafeMutablePointer<socklen_t>?) -> Int32 =
        getsockopt
private let sysSetsockopt: @convention(c) (Int32, Int32, Int32, UnsafeRawPointer?, socklen_t) -> Int32 = setsockopt
private let sysSend: @convention(c) (Int32, UnsafeRawPointer?, Int, Int32) -> Int = send
private let sysShutdown: @convention(c) (Int32, Int32) -> Int32 = shutdown

extension Posix {
    /// The outcome of starting a nonblocking `connect`.
    public enum ConnectResult: Sendable, Equatable {
        case connected
        /// The handshake continues in the background; the socket turns writable when it ends.
        case pending
    }

    /// Which direction(s) `shutdown` closes.
    public enum ShutdownDirection: Sendable {
        case read, write, both
    }

    /// The longest Unix socket path `connect` accepts, in bytes (`sun_path` less its terminating NUL).
    public static let maxUnixPathLength = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// A new nonblocking, close-on-exec stream socket. The corresponding C function is `socket`.
    public static func socket(family: SocketAddress.Family) throws(SystemError) -> Int32 {
        let domain: Int32
        switch family {
        case .ipv4: domain = AF_INET
        case .ipv6: domain = AF_INET6
        case .unix: domain = AF_UNIX
        }
        let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        guard case .processed(let fd) = try retryingInterrupts("socket", { sysSocket(domain, type, 0) }) else {
            throw SystemError(code: EAGAIN, operation: "socket")
        }
        return fd
    }

    /// Starts connecting a nonblocking socket. The corresponding C function is `connect`.
    public static func connect(_ fd: Int32, to address: SocketAddress) throws(SystemError) -> ConnectResult {
        let result = withSockaddr(address) { pointer, length in sysConnect(fd, pointer, length) }
        if result == 0 { return .connected }
        let code = errno
        // An interrupted connect is not retried: POSIX says the handshake carries on asynchronously, exactly
        // like EINPROGRESS, and a second call would only report EALREADY.
        if code == EINPROGRESS || code == EINTR { return .pending }
        throw SystemError(code: code, operation: "connect")
    }

    /// The pending error of a socket (0 when none), which is how a nonblocking connect reports its outcome.
    /// The corresponding C function is `getsockopt(SOL_SOCKET, SO_ERROR)`.
    public static func pendingError(_ fd: Int32) throws(SystemError) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if sysGetsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) == -1 {
            throw SystemError(code: errno, operation: "getsockopt(SO_ERROR)")
        }
        return value
    }

    /// Disables Nagle's algorithm so small requests leave at once. The corresponding C function is
    /// `setsockopt(IPPROTO_TCP, TCP_NODELAY)`.
    public static func setNoDelay(_ fd: Int32) throws(SystemError) {
        var one: Int32 = 1
        if sysSetsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) == -1 {
            throw SystemError(code: errno, operation: "setsockopt(TCP_NODELAY)")
        }
    }

    /// Sends `bytes` with MSG_NOSIGNAL, so writing to a closed peer fails with EPIPE instead of raising
    /// SIGPIPE. The corresponding C function is `send`.
    public static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try retryingInterrupts("send") { sysSend(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Closes one or both directions of a socket. The corresponding C function is `shutdown`.
    public static func shutdown(_ fd: Int32, _ direction: ShutdownDirection) throws(SystemError) {
        let how: Int
        switch direction {
        case .read: how = SHUT_RD
        case .write: how = SHUT_WR
        case .both: how = SHUT_RDWR
        }
        if sysShutdown(fd, Int32(how)) == -1 { throw SystemError(code: errno, operation: "shutdown") }
    }
}

/// Calls `body` with the C form of `address` (`sockaddr_in`, `sockaddr_in6` or `sockaddr_un`).
private func withSockaddr<R>(_ address: SocketAddress, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
    func call<Storage>(_ storage: inout Storage, length: Int) -> R {
        withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(length)) }
        }
    }
    switch address.family {
    case .ipv4:
        var storage = sockaddr_in()
        storage.sin_family = sa_family_t(AF_INET)
        storage.sin_port = address.port.bigEndian
        withUnsafeMutableBytes(of: &storage.sin_addr) { $0.copyBytes(from: address.bytes) }
        return call(&storage, length: MemoryLayout<sockaddr_in>.size)
    case .ipv6:
        var storage = sockaddr_in6()
        storage.sin6_family = sa_family_t(AF_INET6)
        storage.sin6_port = address.port.bigEndian
        storage.sin6_scope_id = address.scopeID
        withUnsafeMutableBytes(of: &storage.sin6_addr) { $0.copyBytes(from: address.bytes) }
        return call(&storage, length: MemoryLayout<sockaddr_in6>.size)
    case .unix:
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        // SocketAddress guarantees the path fits with its NUL; the storage starts zeroed.
        withUnsafeMutableBytes(of: &storage.sun_path) { $0.copyBytes(from: address.bytes) }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        return call(&storage, length: pathOffset + address.bytes.count + 1)
    }
}
