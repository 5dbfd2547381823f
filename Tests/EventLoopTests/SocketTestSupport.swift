// Blocking loopback peers for the socket, timer and HTTP client tests. They use plain Glibc calls on their own
// threads, never the EventLoop, so a bug in the loop cannot hide inside the test peer.
import Dispatch
import EventLoop
import Foundation
import Glibc

/// Thrown by the test helpers when a setup call fails.
struct TestSocketError: Error, CustomStringConvertible {
    let call: String
    let code: Int32
    var description: String { "\(call) failed: \(String(cString: strerror(code))) (errno \(code))" }
}

/// A listening socket on 127.0.0.1, ::1 or a Unix path, accepting on the calling thread.
final class TestListener: @unchecked Sendable {
    // @unchecked: immutable after init; the descriptor is used from one test thread at a time.
    let fd: Int32
    let port: UInt16
    let endpoint: Endpoint
    private let unixPath: String?

    /// A TCP listener on the IPv4 or IPv6 loopback with an ephemeral port.
    init(ipv6: Bool = false, backlog: Int32 = 16) throws {
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestSocketError(call: "socket", code: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound: Int32
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_addr = in6addr_loopback
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard bound == 0 else {
            let code = errno
            Glibc.close(fd)
            throw TestSocketError(call: "bind", code: code)
        }
        guard listen(fd, backlog) == 0 else { throw TestSocketError(call: "listen", code: errno) }
        self.fd = fd
        port = Self.localPort(fd)
        endpoint = .tcp(host: ipv6 ? "::1" : "127.0.0.1", port: port)
        unixPath = nil
    }

    /// A Unix socket listener at a fresh path in the temporary directory.
    init(unixBacklog backlog: Int32) throws {
        let path = NSTemporaryDirectory() + "el-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestSocketError(call: "socket", code: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw TestSocketError(call: "bind", code: errno) }
        guard listen(fd, backlog) == 0 else { throw TestSocketError(call: "listen", code: errno) }
        self.fd = fd
        port = 0
        endpoint = .unix(path: path)
        unixPath = path
    }

    /// Accepts one connection, waiting at most `timeout` seconds; nil once the listener is closed.
    ///
    /// Polls in short slices under `lock`, which `close()` takes too: a peer thread still waiting here after
    /// its test closed the listener must not go on to accept from whatever socket the kernel gives the same
    /// descriptor number next (another test's listener).
    func accept(timeout: Int32 = 60) -> TestConnection? {
        let deadline = DispatchTime.now() + .seconds(Int(timeout))
        while DispatchTime.now() < deadline {
            let accepted = lock.withLock { () -> TestConnection?? in
                guard !isClosed else { return .some(nil) }
                guard waitForReadiness(fd, events: Int16(POLLIN), milliseconds: 50) else { return nil }
                let client = Glibc.accept(fd, nil, nil)
                return .some(client >= 0 ? TestConnection(fd: client) : nil)
            }
            if let accepted { return accepted }
        }
        return nil
    }

    /// Closes once, never while `accept` uses the descriptor; see `TestConnection.close()` for why a second
    /// close must never happen.
    func close() {
        lock.withLock {
            guard !isClosed else { return }
            isClosed = true
            Glibc.close(fd)
            if let unixPath { unlink(unixPath) }
        }
    }

    private let lock = NSLock()
    private var isClosed = false  // guarded by `lock`

    static func localPort(_ fd: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return withUnsafeBytes(of: &storage) { raw in
            UInt16(bigEndian: raw.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        }
    }

    /// Whether this machine can listen on ::1 (some CI containers disable IPv6).
    static let ipv6LoopbackWorks: Bool = {
        guard let listener = try? TestListener(ipv6: true) else { return false }
        listener.close()
        return true
    }()
}

/// One accepted connection of a test peer, with blocking reads that give up after a timeout.
final class TestConnection: @unchecked Sendable {
    // @unchecked: used from one test thread at a time.
    let fd: Int32

    init(fd: Int32) {
        self.fd = fd
    }

    /// Reads whatever arrives next (nil on EOF, error or after `timeout` seconds of silence).
    func readSome(max: Int = 65536, timeout: Int32 = 60) -> [UInt8]? {
        guard waitForReadiness(fd, events: Int16(POLLIN), milliseconds: timeout * 1000) else { return nil }
        var buffer = [UInt8](repeating: 0, count: max)
        let count = Glibc.read(fd, &buffer, max)
        return count > 0 ? Array(buffer[..<count]) : nil
    }

    /// Reads exactly `count` bytes, or returns what arrived before EOF or a timeout.
    func read(count: Int, timeout: Int32 = 60) -> [UInt8] {
        var received: [UInt8] = []
        while received.count < count, let piece = readSome(max: min(65536, count - received.count), timeout: timeout) {
            received += piece
        }
        return received
    }

    /// Reads until the buffered text contains `marker` (e.g. the blank line ending an HTTP head).
    func read(until marker: String, timeout: Int32 = 60) -> String? {
        var received: [UInt8] = []
        let needle = Array(marker.utf8)
        while true {
            if let text = String(validating: received, as: UTF8.self), received.count >= needle.count,
                text.contains(marker)
            {
                return text
            }
            guard let piece = readSome(timeout: timeout) else { return nil }
            received += piece
        }
    }

    /// Writes all of `bytes`; false when the peer is gone.
    @discardableResult func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return false }
            offset += count
        }
        return true
    }

    @discardableResult func write(_ text: String) -> Bool {
        write(Array(text.utf8))
    }

    /// Closes with an RST instead of a FIN (SO_LINGER with a zero timeout).
    func reset() {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close()
    }

    /// Closes once; later calls do nothing. A second close(2) could hit a descriptor number the kernel has
    /// since given to another test's socket, closing it behind libdispatch's back (its source then never
    /// fires again, and neither does any later source on that number).
    func close() {
        let first = closed.withValue { closed in
            defer { closed = true }
            return !closed
        }
        if first { Glibc.close(fd) }
    }

    private let closed = Locked(false)
}

/// Polls `fd` until one of `events` (or an error) is reported, or `milliseconds` pass. Retries EINTR: the
/// signal tests make libdispatch's handler run on arbitrary threads, and poll is never restarted.
func waitForReadiness(_ fd: Int32, events: Int16, milliseconds: Int32) -> Bool {
    let deadline = DispatchTime.now() + .milliseconds(Int(milliseconds))
    while true {
        var descriptor = pollfd(fd: fd, events: events, revents: 0)
        let left = Int32(
            clamping: max(0, Int64(deadline.uptimeNanoseconds) - Int64(DispatchTime.now().uptimeNanoseconds))
                / 1_000_000)
        let result = poll(&descriptor, 1, left)
        if result == -1 && errno == EINTR { continue }
        return result == 1
    }
}

/// Runs `body` on a new thread (the test peer's), like a server would.
func onPeerThread(_ body: @escaping @Sendable () -> Void) {
    Thread.detachNewThread(body)
}

/// A thread-safe box for values collected by loop callbacks and read by the test thread.
final class Locked<Value>: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withValue<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }

    var current: Value { withValue { $0 } }
}

/// Polls `condition` every few milliseconds until it holds or `seconds` pass; true when it held.
func eventually(within seconds: Double = 60, _ condition: () -> Bool) -> Bool {
    let deadline = DispatchTime.now() + seconds
    while DispatchTime.now() < deadline {
        if condition() { return true }
        usleep(2000)
    }
    return condition()
}

/// Runs `body` on the loop and waits for it to finish, returning its result.
func onLoop<R: Sendable>(_ loop: EventLoop, _ body: @escaping @Sendable () -> R) -> R {
    let result = Locked<R?>(nil)
    let done = DispatchSemaphore(value: 0)
    loop.execute {
        let value = body()
        result.withValue { $0 = value }
        done.signal()
    }
    // A loop that does not run submitted work within 120 s is stalled for good: fail loudly, never hang.
    guard done.wait(timeout: .now() + 120) == .success else { fatalError("the event loop stalled") }
    return result.current!
}

/// Connects with `StreamSocket.connect` and waits for the outcome.
func connectAndWait(
    to endpoint: Endpoint,
    on loop: EventLoop,
    timeout: Duration = .seconds(60),
    configure: @escaping @Sendable (StreamSocket) -> Void = { _ in }
) -> Result<StreamSocket, SocketError> {
    let result = Locked<Result<StreamSocket, SocketError>?>(nil)
    let done = DispatchSemaphore(value: 0)
    StreamSocket.connect(to: endpoint, on: loop, timeout: timeout) { outcome in
        if case .success(let socket) = outcome { configure(socket) }
        result.withValue { $0 = outcome }
        done.signal()
    }
    guard done.wait(timeout: .now() + 120) == .success else { fatalError("connect never completed") }
    return result.current!
}
