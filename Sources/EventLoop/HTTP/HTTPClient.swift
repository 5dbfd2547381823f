/// An HTTP/1.1 client for one endpoint (the Docker engine, the Mesos agent, Sidecar) on the event loop.
///
/// Confined to the loop queue: call it on the loop; every callback runs there. Simple calls (`request`)
/// reuse the one idle keep-alive connection the client keeps, or open another when it is busy; each long
/// poll (`stream`) gets a connection of its own, so a never-ending response never blocks a simple call.
/// At most one idle connection is kept, and it is closed after `idleTimeout` unused: an executor talks to
/// each peer every few seconds at most, and hundreds of executors per host should not pin server sockets.
///
/// A request that was sent on a reused connection which the server had already closed (a keep-alive race:
/// the peer closed it just as the request left) is sent once more on a fresh connection if its method is
/// idempotent and nothing of the response arrived; the timeout still covers both attempts.
public final class HTTPClient: @unchecked Sendable {
    // @unchecked: every mutable property is only touched on the loop queue.

    public let endpoint: Endpoint
    public let loop: EventLoop
    /// The `Host` header sent with every request.
    public let hostHeader: String
    private let connectTimeout: Duration
    private let idleTimeout: Duration
    private let limits: HTTPLimits
    /// Set for an https peer: every connection runs TLS with this context.
    public let tls: TLSContext?
    private var idleConnection: HTTPConnection?
    private var idleTimer: ScheduledTimer?
    private var connections: [ObjectIdentifier: HTTPConnection] = [:]
    private var isClosed = false

    /// Body size `request` collects by default before failing with `.bodyTooLarge`.
    public static let defaultMaxBodyBytes = 4 << 20

    public init(
        endpoint: Endpoint,
        on loop: EventLoop,
        hostHeader: String? = nil,
        connectTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(30),
        limits: HTTPLimits = HTTPLimits(),
        tls: TLSContext? = nil
    ) {
        self.endpoint = endpoint
        self.loop = loop
        self.hostHeader = hostHeader ?? HTTPConnection.defaultHostHeader(for: endpoint)
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.limits = limits
        self.tls = tls
    }

    /// Open (or opening) connections: the idle one plus one per request or stream in flight.
    public var connectionCount: Int {
        loop.assertOnLoop()
        return connections.count
    }

    /// Sends `request` and collects its response, failing with `.bodyTooLarge` past `maxBodyBytes` and with
    /// `.timedOut` when the whole exchange (connecting included) takes longer than `timeout`. Any status is
    /// a success here; checking it is the caller's business. `completion` runs once, on the loop.
    @discardableResult
    public func request(
        _ request: HTTPRequest,
        timeout: Duration,
        maxBodyBytes: Int = HTTPClient.defaultMaxBodyBytes,
        completion: @escaping (Result<HTTPResponse, HTTPClientError>) -> Void
    ) -> HTTPClientTask {
        loop.assertOnLoop()
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        let task = HTTPClientTask(
            request: request, loop: loop, timeout: timeout, isStream: false, maxBodyBytes: maxBodyBytes,
            onHead: { head = $0 },
            onBody: { body += $0 },
            onEnd: { result in
                switch result {
                case .success:
                    // The decoder yields a head before `.end`, so `head` is always set here.
                    completion(.success(HTTPResponse(head: head ?? HTTPResponseHead(status: 0), body: body)))
                case .failure(let error):
                    completion(.failure(error))
                }
            })
        run(task, onFreshConnection: false)
        return task
    }

    /// Sends `request` on a connection of its own and hands out the response as it arrives: `onHead`, then
    /// `onBody` for every piece (delivered as soon as it is read, long before the response ends), then
    /// `onEnd` once, unless the task is cancelled first. `headTimeout` bounds connecting plus the wait for
    /// the head; after that the stream may run forever. Cancel the returned task to stop it.
    @discardableResult
    public func stream(
        _ request: HTTPRequest,
        headTimeout: Duration? = .seconds(30),
        onHead: @escaping (HTTPResponseHead) -> Void,
        onBody: @escaping ([UInt8]) -> Void,
        onEnd: @escaping (Result<Void, HTTPClientError>) -> Void
    ) -> HTTPClientTask {
        loop.assertOnLoop()
        let task = HTTPClientTask(
            request: request, loop: loop, timeout: headTimeout, isStream: true, maxBodyBytes: nil,
            onHead: onHead, onBody: onBody, onEnd: onEnd)
        run(task, onFreshConnection: true)
        return task
    }

    /// Closes every connection; requests and streams in flight end with `.cancelled`, later ones fail at
    /// once with `.cancelled`. Idempotent.
    public func close() {
        loop.assertOnLoop()
        isClosed = true
        idleTimer?.cancel()
        idleTimer = nil
        idleConnection = nil
        for connection in Array(connections.values) { connection.close() }
    }

    private func run(_ task: HTTPClientTask, onFreshConnection: Bool) {
        guard !isClosed else {
            task.fail(.cancelled, retryable: false)
            return
        }
        do {
            // Serialized before a connection is chosen, so an invalid request never opens one.
            task.wireBytes = try task.request.serialized(host: hostHeader)
        } catch {
            task.fail(error, retryable: false)
            return
        }
        task.retry = { [weak self] task in self?.run(task, onFreshConnection: true) }
        if !onFreshConnection, let idle = idleConnection {
            idleConnection = nil
            idleTimer?.cancel()
            idleTimer = nil
            idle.enqueue(task)
        } else {
            makeConnection().enqueue(task)
        }
    }

    private func makeConnection() -> HTTPConnection {
        let connection = HTTPConnection(
            endpoint: endpoint, on: loop, hostHeader: hostHeader, connectTimeout: connectTimeout, limits: limits,
            tls: tls)
        connections[ObjectIdentifier(connection)] = connection
        connection.onIdle = { [weak self] connection in self?.becameIdle(connection) }
        connection.onClose = { [weak self] connection in self?.closed(connection) }
        return connection
    }

    private func becameIdle(_ connection: HTTPConnection) {
        if idleConnection === connection { return }
        guard !isClosed, idleConnection == nil else {
            connection.close()  // one idle connection is all an executor needs
            return
        }
        idleConnection = connection
        idleTimer = loop.schedule(after: idleTimeout) { [weak self] in
            guard let self, self.idleConnection === connection else { return }
            self.idleConnection = nil
            self.idleTimer = nil
            connection.close()
        }
    }

    private func closed(_ connection: HTTPConnection) {
        connections[ObjectIdentifier(connection)] = nil
        if idleConnection === connection {
            idleConnection = nil
            idleTimer?.cancel()
            idleTimer = nil
        }
    }
}
