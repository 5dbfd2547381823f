/// A blocking HTTP/1.1 server for tests, the demo and the benchmarks: one accept thread and one thread
/// per connection, on 127.0.0.1 (kernel-chosen port) or a Unix socket.
///
/// It runs on plain threads, not on the project's event loop, so a bug in the loop cannot also hide in
/// the peer the loop is tested against. Requests are parsed as strictly as Go's net/http parses them
/// (the real Sidecar and Docker Engine are Go servers). Call `stop()` when done: it closes the listener
/// and every connection and joins every thread, so tests leak neither threads nor ports.
///
/// ```swift
/// let server = try BlockingHTTPServer()          // or BlockingHTTPServer(unixPath: "/tmp/x/engine.sock")
/// server.handler = { request, responder in
///     responder.respond(status: 200, headers: [("Content-Type", "text/plain")], body: "pong")
/// }
/// server.start()
/// defer { server.stop() }
/// // point the client at server.endpointString, then assert on server.requests
/// ```
public final class BlockingHTTPServer: @unchecked Sendable {
    /// Called on the connection's thread for every request; answer through the responder, now or later.
    public typealias Handler = @Sendable (HTTPServerRequest, HTTPResponder) -> Void

    private enum Lifecycle {
        case idle
        case running
        case stopped
    }

    /// The TCP port on 127.0.0.1, or 0 for a Unix socket server.
    public let port: UInt16
    /// The socket path when listening on a Unix socket.
    public let unixPath: String?
    public let limits: HTTPServerRequestParser.Limits
    private let listener: Int32
    private let stopSignal: (read: Int32, write: Int32)
    private let lock = ConditionLock()
    private var lifecycle = Lifecycle.idle
    private var currentHandler: Handler = { _, responder in responder.respond(status: 404) }
    private var acceptThread: JoinableThread?
    private var connections: [Int: HTTPServerConnection] = [:]
    // Threads of ended connections, joined by the accept thread (or stop) so they never pile up.
    private var endedThreads: [JoinableThread] = []
    private var nextConnectionID = 1
    private var log: [HTTPServerRequest] = []
    private var total = 0
    private var malformed: [HTTPServerRequestParseError] = []
    private var dropping = false
    private var logging = true
    private var accepted = 0
    private var connectionLimit = 1024

    /// Binds and listens at once (so `port` is known before `start()`); connections wait in the
    /// backlog until `start()`.
    public init(unixPath: String? = nil, limits: HTTPServerRequestParser.Limits = .init()) throws(SimulatorSocketError)
    {
        if let unixPath {
            listener = try SimulatorSocket.listenOnUnixPath(unixPath)
            port = 0
        } else {
            (listener, port) = try SimulatorSocket.listenOnLoopback()
        }
        self.unixPath = unixPath
        self.limits = limits
        do {
            stopSignal = try SimulatorSocket.makePipe()
        } catch {
            SimulatorSocket.close(listener)
            throw error
        }
    }

    deinit {
        // Only reachable when never started: running threads keep the server alive until stop().
        if lifecycle != .stopped { closeListener() }
    }

    /// `127.0.0.1:PORT` or `unix://PATH`.
    public var endpointString: String {
        if let unixPath { return "unix://\(unixPath)" }
        return "127.0.0.1:\(port)"
    }

    /// What answers requests; by default every request gets an empty 404. Replaceable at any time.
    public var handler: Handler {
        get { lock.withLock { currentHandler } }
        set { lock.withLock { currentHandler = newValue } }
    }

    /// Most connections served at once; beyond it new ones are closed on accept, so a client that leaks
    /// connections shows up as failures instead of an ever-growing pile of threads.
    public var maxOpenConnections: Int {
        get { lock.withLock { connectionLimit } }
        set { lock.withLock { connectionLimit = newValue } }
    }

    /// When true, each new connection is closed as soon as it is accepted, before a byte is read.
    public var dropsNewConnections: Bool {
        get { lock.withLock { dropping } }
        set { lock.withLock { dropping = newValue } }
    }

    /// When false, `requests` stops growing (`requestCount` still counts); for long benchmark runs.
    public var keepsRequestLog: Bool {
        get { lock.withLock { logging } }
        set { lock.withLock { logging = newValue } }
    }

    /// Every request received so far, in arrival order across connections.
    public var requests: [HTTPServerRequest] { lock.withLock { log } }

    /// How many requests have been received.
    public var requestCount: Int { lock.withLock { total } }

    /// Requests that could not be parsed; each was answered with an error status and its connection closed.
    public var malformedRequests: [HTTPServerRequestParseError] { lock.withLock { malformed } }

    /// How many connections have been accepted, including dropped ones (see `dropsNewConnections` and
    /// `maxOpenConnections`).
    public var acceptedConnectionCount: Int { lock.withLock { accepted } }

    /// How many connections are open right now.
    public var openConnectionCount: Int { lock.withLock { connections.count } }

    /// Waits until at least `count` requests have arrived; false if `timeout` passed first.
    public func waitForRequests(count: Int, timeout: Duration = .seconds(5)) -> Bool {
        lock.withLock { lock.wait(timeout: timeout) { total >= count } }
    }

    /// Starts accepting connections. Calling it again, or after `stop()`, does nothing.
    public func start() {
        lock.withLock {
            guard lifecycle == .idle else { return }
            lifecycle = .running
            acceptThread = JoinableThread.start(name: "http-accept") { self.acceptLoop() }
        }
    }

    /// Closes the listener and every connection, and joins every thread. Idempotent; callable from a
    /// handler (that connection's own thread then ends right after the handler returns).
    public func stop() {
        let snapshot: (open: [HTTPServerConnection], accepting: JoinableThread?)? = lock.withLock {
            guard lifecycle != .stopped else { return nil }
            lifecycle = .stopped
            return (Array(connections.values), acceptThread)
        }
        guard let (open, accepting) = snapshot else { return }
        SimulatorSocket.write(stopSignal.write, byte: 1)
        for connection in open { connection.stopNow() }
        accepting?.join()
        // The accept thread admits nothing once stopped, so `open` holds every connection there will be.
        for connection in open { lock.withLock { connection.thread }?.join() }
        let ended = lock.withLock {
            defer { endedThreads = [] }
            return endedThreads
        }
        for thread in ended { thread.join() }
        closeListener()
    }

    private func closeListener() {
        SimulatorSocket.close(listener)
        SimulatorSocket.close(stopSignal.read)
        SimulatorSocket.close(stopSignal.write)
        if let unixPath { SimulatorSocket.removeFile(unixPath) }
    }

    private func acceptLoop() {
        while true {
            let ready = SimulatorSocket.waitUntilReadable([listener, stopSignal.read])
            if ready[1] { return }
            guard ready[0], let descriptor = SimulatorSocket.accept(listener) else { continue }
            admit(descriptor)
        }
    }

    private func admit(_ descriptor: Int32) {
        let (ended, admitted): ([JoinableThread], Bool) = lock.withLock {
            let ended = endedThreads
            endedThreads = []
            accepted += 1
            guard lifecycle == .running && !dropping && connections.count < connectionLimit else {
                return (ended, false)
            }
            let connection = HTTPServerConnection(id: nextConnectionID, descriptor: descriptor, server: self)
            nextConnectionID += 1
            connections[connection.id] = connection
            // Stored under the lock, so connectionFinished (which needs it) cannot run before it is set.
            connection.thread = JoinableThread.start(name: "http-connection") { connection.serve() }
            return (ended, true)
        }
        if !admitted { SimulatorSocket.close(descriptor) }
        for thread in ended { thread.join() }
    }

    // MARK: - Called by connections

    func connectionFinished(_ connection: HTTPServerConnection) {
        lock.withLock {
            connections[connection.id] = nil
            if let thread = connection.thread { endedThreads.append(thread) }
        }
    }

    func record(_ request: HTTPServerRequest) {
        lock.withLock {
            total += 1
            if logging { log.append(request) }
            lock.broadcast()
        }
    }

    func recordMalformed(_ error: HTTPServerRequestParseError) {
        lock.withLock { malformed.append(error) }
    }
}
