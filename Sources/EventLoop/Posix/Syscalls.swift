// The only file of the EventLoop library that imports Glibc: every system call the library makes goes
// through `Posix`, so error handling (EINTR, would-block, errno capture) is written once and audited here.
import Glibc

private let sysSocket: @convention(c) (Int32, Int32, Int32) -> Int32 = socket
private let sysConnect: @convention(c) (Int32, UnsafePointer<sockaddr>?, socklen_t) -> Int32 = connect
private let sysGetsockopt:
    @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?, UnsafeMutablePointer<socklen_t>?) -> Int32 =
        getsockopt
private let sysSetsockopt: @convention(c) (Int32, Int32, Int32, UnsafeRawPointer?, socklen_t) -> Int32 = setsockopt
private let sysRead: @convention(c) (Int32, UnsafeMutableRawPointer?, Int) -> Int = read
private let sysWrite: @convention(c) (Int32, UnsafeRawPointer?, Int) -> Int = write
private let sysSend: @convention(c) (Int32, UnsafeRawPointer?, Int, Int32) -> Int = send
private let sysClose: @convention(c) (Int32) -> Int32 = close
private let sysShutdown: @convention(c) (Int32, Int32) -> Int32 = shutdown
private let sysPoll: @convention(c) (UnsafeMutablePointer<pollfd>?, nfds_t, Int32) -> Int32 = poll
private let sysKill: @convention(c) (pid_t, Int32) -> Int32 = kill
private let sysGetpid: @convention(c) () -> pid_t = getpid
private let sysClockGettime: @convention(c) (clockid_t, UnsafeMutablePointer<timespec>) -> Int32 = clock_gettime

/// The outcome of a nonblocking call that did not fail: either the kernel had nothing to offer right now,
/// or it processed the call and returned a value (a byte count, a descriptor...).
public enum IOResult<Value> {
    /// EAGAIN/EWOULDBLOCK: try again once the descriptor is ready.
    case wouldBlock
    case processed(Value)
}

extension IOResult: Sendable where Value: Sendable {}
extension IOResult: Equatable where Value: Equatable {}

/// Runs `body` (a C call returning -1 and setting errno on failure), retrying when a signal interrupted it,
/// and turning would-block into a value so callers handle it as the normal case it is on nonblocking fds.
@inline(__always)
private func retryingInterrupts<Value: FixedWidthInteger>(
    _ operation: String,
    _ body: () -> Value
) throws(SystemError) -> IOResult<Value> {
    while true {
        let result = body()
        if result != -1 { return .processed(result) }
        let code = errno
        switch code {
        case EINTR: continue
        case EAGAIN, EWOULDBLOCK: return .wouldBlock
        default: throw SystemError(code: code, operation: operation)
        }
    }
}

/// Thin wrappers over the system calls the library needs, with errors as `SystemError` values.
public enum Posix {
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

    /// errno values the library reacts to.
    public enum Errno {
        public static let connectionRefused = ECONNREFUSED
        public static let connectionReset = ECONNRESET
        public static let brokenPipe = EPIPE
        public static let timedOut = ETIMEDOUT
        public static let nameTooLong = ENAMETOOLONG
        public static let badDescriptor = EBADF
    }

    /// Signal numbers the executor handles.
    public enum Signal {
        public static let terminate = SIGTERM
        public static let interrupt = SIGINT
        public static let hangup = SIGHUP
        public static let userDefined1 = SIGUSR1
        public static let brokenPipe = SIGPIPE
        public static let kill = SIGKILL
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

    /// Reads into `buffer`; `.processed(0)` means end of file. The corresponding C function is `read`.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> IOResult<
        Int
    > {
        try retryingInterrupts("read") { sysRead(fd, buffer.baseAddress, buffer.count) }
    }

    /// Sends `bytes` with MSG_NOSIGNAL, so writing to a closed peer fails with EPIPE instead of raising
    /// SIGPIPE. The corresponding C function is `send`.
    public static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try retryingInterrupts("send") { sysSend(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Writes all of `bytes` to a (normally blocking) descriptor such as stdout, looping over partial writes.
    /// Should the descriptor be nonblocking and full, it waits for it at most `patience` milliseconds in
    /// total, then gives up rather than stall its caller forever. The corresponding C function is `write`.
    public static func writeFully(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, patience: Int32 = 1000)
        throws(SystemError)
    {
        var offset = 0
        var waited: Int32 = 0
        while offset < bytes.count {
            let remaining = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            switch try retryingInterrupts("write", { sysWrite(fd, remaining.baseAddress, remaining.count) }) {
            case .processed(let count):
                offset += count
            case .wouldBlock:
                guard waited < patience else { throw SystemError(code: EAGAIN, operation: "write") }
                var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = sysPoll(&descriptor, 1, 50)
                waited += 50
            }
        }
    }

    /// A second, close-on-exec descriptor for the same open socket. The corresponding C function is
    /// `fcntl(F_DUPFD_CLOEXEC)`.
    public static func duplicate(_ fd: Int32) throws(SystemError) -> Int32 {
        guard case .processed(let copy) = try retryingInterrupts("dup", { fcntl(fd, F_DUPFD_CLOEXEC, 0) }) else {
            throw SystemError(code: EAGAIN, operation: "dup")
        }
        return copy
    }

    /// Releases a descriptor. The corresponding C function is `close`.
    public static func close(_ fd: Int32) {
        // EINTR is deliberately not retried: Linux has already released the descriptor when close() returns
        // EINTR, and a retry could close a descriptor that another thread has been handed in the meantime.
        if sysClose(fd) == -1 {
            assert(errno != EBADF, "close(\(fd)) on a descriptor that is not open: a double close")
        }
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

    /// Sets a signal's disposition to "ignore". The corresponding C function is `signal(sig, SIG_IGN)`.
    public static func ignoreSignal(_ signal: Int32) {
        _ = Glibc.signal(signal, SIG_IGN)
    }

    /// Sends a signal to a process. The corresponding C function is `kill`.
    public static func kill(_ pid: Int32, _ signal: Int32) throws(SystemError) {
        if sysKill(pid, signal) == -1 { throw SystemError(code: errno, operation: "kill") }
    }

    /// This process's id. The corresponding C function is `getpid`.
    public static func getpid() -> Int32 {
        sysGetpid()
    }

    /// Ends the process, flushing stdio. The corresponding C function is `exit`.
    public static func exit(_ code: Int32) -> Never {
        Glibc.exit(code)
    }

    /// One environment variable. The corresponding C function is `getenv`.
    public static func getenv(_ name: String) -> String? {
        Glibc.getenv(name).map { String(cString: $0) }
    }

    /// Every "NAME=value" entry of the environment, in order. The corresponding C variable is `environ`.
    public static func environment() -> [String] {
        var entries: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            entries.append(String(cString: entry))
            cursor += 1
        }
        return entries
    }

    /// Seconds since the Unix epoch, with sub-second precision. The corresponding C function is
    /// `clock_gettime(CLOCK_REALTIME)`.
    public static func wallClockSeconds() -> Double {
        var now = timespec()
        _ = sysClockGettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
    }

    /// Caps the number of malloc arenas; true when glibc accepted the value. The corresponding C function is
    /// `mallopt(M_ARENA_MAX, count)`.
    @discardableResult
    public static func setMallocArenaLimit(_ count: Int32) -> Bool {
        // malloc.h is not part of the Glibc module, so mallopt is looked up by name (a nil handle is RTLD_DEFAULT);
        // M_ARENA_MAX is -8 in glibc's ABI.
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        return mallopt(-8, count) == 1
    }

    /// The text of an errno value. The corresponding C function is `strerror` (thread-safe in glibc ≥ 2.32).
    public static func errorMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
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

// MARK: - Files (added for the Docker task layer: small configuration files and host facts)

private let sysOpen: @convention(c) (UnsafePointer<CChar>, Int32, mode_t) -> Int32 = { path, flags, mode in
    open(path, flags, mode)
}
private let sysSysconf: @convention(c) (Int32) -> Int = sysconf

extension Posix {
    /// Opens `path` read-only and close-on-exec; nil when it does not exist (ENOENT), which callers looking
    /// through a list of candidate files treat as normal. The corresponding C function is `open`.
    public static func openForReading(_ path: String) throws(SystemError) -> Int32? {
        while true {
            let fd = path.withCString { sysOpen($0, O_RDONLY | O_CLOEXEC, 0) }
            if fd >= 0 { return fd }
            let code = errno
            switch code {
            case EINTR: continue
            case ENOENT, ENOTDIR: return nil
            default: throw SystemError(code: code, operation: "open")
            }
        }
    }

    /// The number of processors online, at least 1. The corresponding C function is `sysconf`.
    public static func onlineProcessorCount() -> Int {
        max(1, sysSysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}

// MARK: - The main thread's run loop (MainThreadRunLoop)

// libdispatch's interface for a run loop that drains the main queue on the main thread, as swift-corelibs-foundation's
// RunLoop does. It is not in the Dispatch module's headers, but libdispatch exports both functions (and links
// statically into the executor). On Linux the handle is a nonblocking eventfd that libdispatch writes to whenever
// the main queue goes from empty to not empty.
@_silgen_name("_dispatch_get_main_queue_handle_4CF")
private func dispatchMainQueueHandle() -> Int32
@_silgen_name("_dispatch_main_queue_callback_4CF")
private func dispatchMainQueueDrain(_ message: UnsafeMutableRawPointer?)

extension Posix {
    /// The descriptor that becomes readable when the main queue has work. The corresponding C function is
    /// libdispatch's `_dispatch_get_main_queue_handle_4CF`.
    public static func mainQueueWakeupDescriptor() -> Int32 {
        dispatchMainQueueHandle()
    }

    /// Runs what the main queue holds, on the calling (main) thread. The corresponding C function is
    /// libdispatch's `_dispatch_main_queue_callback_4CF`.
    public static func drainMainQueue() {
        dispatchMainQueueDrain(nil)
    }

    /// Blocks, in the calling thread, every signal that arrives asynchronously (all but the ones a fault raises,
    /// SIGPIPE and SIGPROF), as `dispatchMain()` does for the main thread. Dispatch signal sources read signals
    /// that are pending for the process; a signal the main thread did not block would instead meet its
    /// disposition (SIG_IGN for the watched ones) there and be lost. The corresponding C function is
    /// `pthread_sigmask(SIG_BLOCK)`.
    public static func blockAsynchronousSignals() {
        var mask = sigset_t()
        sigfillset(&mask)
        for synchronous in [SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGBUS, SIGSEGV, SIGSYS, SIGPIPE, SIGPROF] {
            sigdelset(&mask, synchronous)
        }
        pthread_sigmask(SIG_BLOCK, &mask, nil)
    }

    /// Waits, blocking the calling thread, until `fd` is readable (or reports an error or hang-up). Retries on
    /// EINTR. For a thread whose only job is to wait, such as the main thread in `MainThreadRunLoop`. The
    /// corresponding C function is `poll` with no timeout.
    public static func waitUntilReadable(_ fd: Int32) {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while sysPoll(&entry, 1, -1) < 0 && errno == EINTR {}
    }

    /// Resets an eventfd's counter; nothing happens when it is already zero (the descriptor is nonblocking).
    /// The corresponding C function is `read` of 8 bytes.
    public static func resetEventCounter(_ fd: Int32) {
        var counter: UInt64 = 0
        while sysRead(fd, &counter, MemoryLayout<UInt64>.size) < 0 && errno == EINTR {}
    }
}
