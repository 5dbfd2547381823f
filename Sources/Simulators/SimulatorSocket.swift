import Glibc

/// A failed system call in a simulator: which call, on what, and the errno it returned.
public struct SimulatorSocketError: Error, Equatable, CustomStringConvertible {
    /// The C function that failed, e.g. `bind`.
    public let operation: String
    /// What the call was working on, e.g. `127.0.0.1:0` or a socket path.
    public let target: String
    /// The `errno` value.
    public let code: Int32

    public var description: String {
        "The simulator's \(operation) on \(target) failed: \(String(cString: strerror(code))) (errno \(code))."
    }
}

/// The blocking socket calls the simulators need. Every socket is created close-on-exec, and every
/// send uses `MSG_NOSIGNAL`, because a peer that hangs up must never kill the test process with SIGPIPE.
enum SimulatorSocket {
    /// Listens on 127.0.0.1 with a kernel-chosen port. The listener is nonblocking: the accept thread
    /// polls first, and a connection reset between poll and accept must not block it.
    static func listenOnLoopback() throws(SimulatorSocketError) -> (descriptor: Int32, port: UInt16) {
        let target = "127.0.0.1:0"
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SimulatorSocketError(operation: "socket", target: target, code: errno) }
        var enable: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &enable, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw failure("bind", target, closing: descriptor) }
        try startListening(descriptor, target)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw failure("getsockname", target, closing: descriptor) }
        return (descriptor, UInt16(bigEndian: address.sin_port))
    }

    /// Listens on a Unix socket at `path`, replacing a stale socket file left by an earlier run.
    static func listenOnUnixPath(_ path: String) throws(SimulatorSocketError) -> Int32 {
        var address = sockaddr_un()
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let pathBytes = Array(path.utf8)
        guard !pathBytes.isEmpty, pathBytes.count < capacity else {
            throw SimulatorSocketError(operation: "bind", target: path, code: ENAMETOOLONG)
        }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SimulatorSocketError(operation: "socket", target: path, code: errno) }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        var status = stat()
        if lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFSOCK {
            unlink(path)
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw failure("bind", path, closing: descriptor) }
        try startListening(descriptor, path)
        return descriptor
    }

    private static func startListening(_ descriptor: Int32, _ target: String) throws(SimulatorSocketError) {
        guard listen(descriptor, 128) == 0 else { throw failure("listen", target, closing: descriptor) }
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0, fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw failure("fcntl", target, closing: descriptor)
        }
    }

    private static func failure(_ operation: String, _ target: String, closing descriptor: Int32)
        -> SimulatorSocketError
    {
        let error = SimulatorSocketError(operation: operation, target: target, code: errno)
        Glibc.close(descriptor)
        return error
    }

    /// A pipe whose read end becomes readable for good once anything is written: the server's stop signal.
    static func makePipe() throws(SimulatorSocketError) -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw SimulatorSocketError(operation: "pipe", target: "the stop signal", code: errno)
        }
        closeOnExec(ends[0])
        closeOnExec(ends[1])
        return (ends[0], ends[1])
    }

    /// Accepts one pending connection as a blocking socket, or nil when none is ready (or it was reset).
    static func accept(_ listener: Int32) -> Int32? {
        while true {
            // accept4 and pipe2 are GNU extensions the Glibc module does not export, hence fcntl.
            let descriptor = Glibc.accept(listener, nil, nil)
            if descriptor >= 0 {
                closeOnExec(descriptor)
                return descriptor
            }
            if errno != EINTR { return nil }
        }
    }

    private static func closeOnExec(_ descriptor: Int32) {
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
    }

    /// Blocks until one of `descriptors` is readable (or hung up); returns which ones are.
    static func waitUntilReadable(_ descriptors: [Int32], timeoutMilliseconds: Int32 = -1) -> [Bool] {
        var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        while poll(&entries, nfds_t(entries.count), timeoutMilliseconds) < 0 && errno == EINTR {}
        return entries.map { $0.revents != 0 }
    }

    /// Reads what is available into `chunk`; 0 means end of stream, -1 a failed connection.
    static func receive(_ descriptor: Int32, into chunk: inout [UInt8]) -> Int {
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count >= 0 || errno != EINTR { return count }
        }
    }

    /// Writes every byte, blocking as needed; false when the connection failed.
    static func sendAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let count = send(descriptor, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                sent += count
            }
            return true
        }
    }

    /// Makes the next `close` send a TCP reset instead of a graceful FIN.
    static func resetOnClose(_ descriptor: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
    }

    /// Ends both directions; a thread blocked reading or writing this socket wakes up.
    static func shutdownBoth(_ descriptor: Int32) {
        Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Sends FIN but keeps reading possible.
    static func shutdownWrite(_ descriptor: Int32) {
        Glibc.shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Reads and discards input until the peer closes or stays quiet for `quietMilliseconds`, at most
    /// `limit` bytes, so that a following close does not turn into a reset.
    static func drainUntilQuiet(_ descriptor: Int32, quietMilliseconds: Int32 = 250, limit: Int = 1 << 20) {
        var scratch = [UInt8](repeating: 0, count: 4096)
        var drained = 0
        while drained < limit, waitUntilReadable([descriptor], timeoutMilliseconds: quietMilliseconds)[0] {
            let count = receive(descriptor, into: &scratch)
            guard count > 0 else { return }
            drained += count
        }
    }

    static func close(_ descriptor: Int32) {
        // EINTR from close still releases the descriptor on Linux, so it must not be retried.
        Glibc.close(descriptor)
    }

    static func write(_ descriptor: Int32, byte: UInt8) {
        var value = byte
        _ = Glibc.write(descriptor, &value, 1)
    }

    static func removeFile(_ path: String) {
        unlink(path)
    }
}
