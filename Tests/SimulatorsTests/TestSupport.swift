import Dispatch
import Glibc
import Simulators
import Synchronization

/// A value shared between a handler (on a server thread) and the test.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    var value: Value {
        get { mutex.withLock { $0 } }
        set { mutex.withLock { $0 = newValue } }
    }
}

/// Runs `body` on a thread of its own and waits for it, so "from another thread" really is.
func onAnotherThread(_ body: @escaping @Sendable () -> Void) {
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        body()
        done.signal()
    }
    done.wait()
}

/// Waits up to `timeout` for `condition`, checking every 10 ms; for state that settles asynchronously.
func eventually(timeout: Duration = .seconds(60), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// Whether a fresh socket can bind 127.0.0.1:`port` (false while someone listens there).
func canBind(port: UInt16) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var enable: Int32 = 1
    setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &enable, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

/// A fresh private directory under /tmp for Unix socket paths (short enough for sun_path).
func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/sim-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return String(cString: path!)
}

func fileExists(_ path: String) -> Bool {
    access(path, F_OK) == 0
}

/// Starts a server with `handler`, runs `body`, and always stops the server.
func withServer(
    unixPath: String? = nil, _ handler: @escaping BlockingHTTPServer.Handler,
    _ body: (BlockingHTTPServer) throws -> Void
) throws {
    let server = try BlockingHTTPServer(unixPath: unixPath)
    server.handler = handler
    server.start()
    defer { server.stop() }
    try body(server)
}

/// Answers 200 with "METHOD PATH BODY", so tests can see what the server parsed.
let echoHandler: BlockingHTTPServer.Handler = { request, responder in
    responder.respond(
        status: 200, headers: [("Content-Type", "text/plain")],
        body: "\(request.method) \(request.path) \(request.bodyString)")
}

/// A started server answering with `handler`; the caller stops it (`defer { server.stop() }`).
func startedServer(_ handler: @escaping BlockingHTTPServer.Handler) throws -> BlockingHTTPServer {
    let server = try BlockingHTTPServer()
    server.handler = handler
    server.start()
    return server
}
