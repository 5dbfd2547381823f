/// One HTTP/1.1 client connection: one socket, requests run one at a time in FIFO order, kept alive between
/// responses when the server allows it.
///
/// Confined to the loop queue. It connects on the first request. A request is written only after the
/// previous response ended (no pipelining: a peer's misframed response can then never be attributed to the
/// wrong request). The connection closes when a response says `Connection: close`, on any protocol or socket
/// error, when the running request is abandoned (timeout, cancel, body too large) mid-response, or on
/// `close()`; requests still queued then fail (as retryable: they were never sent).
public final class HTTPConnection: @unchecked Sendable {
    // @unchecked: every mutable property is only touched on the loop queue.

    private enum State {
        case initial
        case connecting
        case open(any ByteStream)
        case closed
    }

    public let endpoint: Endpoint
    public let loop: EventLoop
    /// The `Host` header sent with every request.
    public let hostHeader: String
    private let connectTimeout: Duration
    /// Set for https: every socket is wrapped in TLS, checked against the endpoint's host, before any request.
    private let tls: TLSContext?
    /// The TLS handshake in progress (state `.connecting`), so that closing the connection also stops it.
    private var handshake: TLSStream?
    private var state = State.initial
    private var queue: [HTTPClientTask] = []
    private var current: HTTPClientTask?
    private var decoder: HTTPResponseDecoder
    private var inbound = ByteBuffer()
    private var currentKeepAlive = true
    private var currentOnReusedConnection = false
    private var responseBytesArrived = false

    /// Responses completed on this connection; more than zero means the next request reuses it.
    public private(set) var completedResponses = 0
    /// Called on the loop when the connection has nothing to do and may serve another request.
    var onIdle: ((HTTPConnection) -> Void)?
    /// Called once on the loop when the connection has closed for good.
    var onClose: ((HTTPConnection) -> Void)?

    /// A connection to `endpoint` (not opened until the first request). `hostHeader` defaults to
    /// "host:port" for TCP and "localhost" for Unix sockets.
    public init(
        endpoint: Endpoint,
        on loop: EventLoop,
        hostHeader: String? = nil,
        connectTimeout: Duration = .seconds(10),
        limits: HTTPLimits = HTTPLimits(),
        tls: TLSContext? = nil
    ) {
        self.endpoint = endpoint
        self.loop = loop
        self.hostHeader = hostHeader ?? Self.defaultHostHeader(for: endpoint)
        self.connectTimeout = connectTimeout
        self.tls = tls
        self.decoder = HTTPResponseDecoder(limits: limits)
    }

    /// "host:port" ("[::1]:port" for IPv6) for TCP, "localhost" for a Unix socket (Docker ignores it).
    public static func defaultHostHeader(for endpoint: Endpoint) -> String {
        switch endpoint {
        case .tcp: return endpoint.description
        case .unix: return "localhost"
        }
    }

    /// True when the connection is usable and has no request running or queued.
    public var isIdle: Bool {
        if case .closed = state { return false }
        return current == nil && queue.isEmpty
    }

    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// Closes the connection; a request running or queued on it fails with `.cancelled`. Idempotent.
    public func close() {
        loop.assertOnLoop()
        shut(failing: .cancelled, retryable: false, queuedRetryable: false)
    }

    func enqueue(_ task: HTTPClientTask) {
        loop.assertOnLoop()
        guard !task.isFinished else { return }
        task.attempts += 1
        guard !isClosed else {
            task.fail(.connectionFailed(reason: "the connection to \(endpoint) is already closed"), retryable: true)
            return
        }
        if task.wireBytes.isEmpty {
            do {
                task.wireBytes = try task.request.serialized(host: hostHeader)
            } catch {
                task.fail(error, retryable: false)
                return
            }
        }
        task.connection = self
        queue.append(task)
        switch state {
        case .initial: connect()
        case .open: startNext()
        case .connecting, .closed: break
        }
    }

    /// A task gave up (timeout, cancel, body limit). Mid-response, the rest of that response would be read
    /// as the next one's, so the connection must go; a task still waiting just leaves the queue.
    func taskAbandoned(_ task: HTTPClientTask) {
        if current === task {
            current = nil
            shut(
                failing: .connectionFailed(reason: "an earlier request on the connection was abandoned"),
                retryable: true)
        } else {
            queue.removeAll { $0 === task }
            if isIdle, case .open = state { onIdle?(self) }
        }
    }

    private func connect() {
        state = .connecting
        StreamSocket.connect(to: endpoint, on: loop, timeout: connectTimeout) { [self] result in
            switch result {
            case .success(let socket):
                if let tls { startTLS(over: socket, context: tls) } else { connected(socket) }
            case .failure(let error):
                // Not retryable: a second attempt right away would most likely fail the same way.
                let failure = HTTPClientError.connectFailed(endpoint: endpoint.description, reason: error.reason)
                shut(failing: failure, retryable: false, queuedRetryable: false)
            }
        }
    }

    private func startTLS(over socket: StreamSocket, context: TLSContext) {
        handshake = TLSStream.startClient(over: socket, context: context, endpoint: endpoint) { [self] result in
            handshake = nil
            switch result {
            case .success(let stream): connected(stream)
            case .failure(let error):
                let failure = HTTPClientError.connectFailed(endpoint: endpoint.description, reason: error.message)
                shut(failing: failure, retryable: false, queuedRetryable: false)
            }
        }
    }

    private func connected(_ socket: any ByteStream) {
        guard case .connecting = state else {
            socket.close()  // closed while connecting
            return
        }
        state = .open(socket)
        socket.onData = { [self] bytes in
            inbound.append(contentsOf: bytes)
            if current != nil { responseBytesArrived = true }
            processInbound()
        }
        socket.onClose = { [self] reason in socketClosed(reason) }
        startNext()
        if isIdle { onIdle?(self) }
    }

    private func startNext() {
        guard case .open(let socket) = state, current == nil else { return }
        while !queue.isEmpty {
            let task = queue.removeFirst()
            guard !task.isFinished else { continue }
            current = task
            currentOnReusedConnection = completedResponses > 0
            currentKeepAlive = true
            responseBytesArrived = false
            decoder.expectResponse(to: task.request.method)
            socket.write(task.wireBytes)
            task.wireBytes = []
            return
        }
    }

    private func processInbound() {
        // Decode until the decoder needs bytes, not until the buffer is empty: a zero-length body's `.end`
        // (or a 204's) is produced from no bytes at all.
        while case .open = state {
            guard let task = current else {
                if !inbound.isEmpty {
                    // Bytes nobody asked for: the peer is confused and the stream cannot be trusted any more.
                    shut(
                        failing: .connectionFailed(reason: "the peer sent data with no request outstanding"),
                        retryable: true)
                }
                return
            }
            let part: HTTPResponsePart?
            do {
                part = try decoder.decode(&inbound)
            } catch {
                current = nil
                task.fail(error, retryable: false)
                shut(failing: error, retryable: false)
                return
            }
            guard let part else { return }
            deliver(part, to: task)
        }
    }

    private func deliver(_ part: HTTPResponsePart, to task: HTTPClientTask) {
        switch part {
        case .head(let head):
            currentKeepAlive = head.isKeepAlive
            task.receive(head)
        case .body(let bytes):
            task.receive(bytes)
        case .end:
            current = nil
            completedResponses += 1
            task.complete()
            guard !isClosed else { return }
            if !currentKeepAlive {
                shut(failing: .connectionClosedBeforeResponse, retryable: true)
            } else if !queue.isEmpty {
                startNext()
            } else if inbound.isEmpty {
                onIdle?(self)
            }
        }
    }

    private func socketClosed(_ reason: SocketCloseReason) {
        guard case .open = state else { return }
        state = .closed
        guard let task = current else {
            shut(failing: .connectionClosedBeforeResponse, retryable: true)
            return
        }
        var failure: HTTPClientError?
        switch reason {
        case .eof:
            // The peer's close may be what ends a close-delimited body: let the decoder finish.
            do {
                while current === task, let part = try decoder.decodeAtEOF(&inbound) {
                    deliver(part, to: task)
                }
                if current === task {
                    failure =
                        responseBytesArrived
                        ? .connectionClosedEarly(during: "the response") : .connectionClosedBeforeResponse
                }
            } catch {
                failure = error
            }
        case .error(let error):
            failure = .connectionFailed(reason: error.description)
        case .closedLocally:
            failure = .cancelled
        }
        if current === task, let failure {
            current = nil
            let retryable = !responseBytesArrived && currentOnReusedConnection && task.request.method.isIdempotent
            task.fail(failure, retryable: retryable)
        }
        shut(failing: failure ?? .connectionClosedBeforeResponse, retryable: true)
    }

    /// Closes the socket (if any) and fails what is left with `error`: the running task (retryable only when
    /// `retryable`, nothing of its response arrived and its method is idempotent) and the queued ones (never
    /// sent, so retryable unless `queuedRetryable` is false). Idempotent.
    private func shut(failing error: HTTPClientError, retryable: Bool, queuedRetryable: Bool = true) {
        if let stream = handshake {
            handshake = nil
            stream.close()
        }
        if case .open(let socket) = state {
            socket.onData = nil
            socket.onClose = nil
            socket.close()
        }
        state = .closed
        if let task = current {
            current = nil
            task.fail(error, retryable: retryable && !responseBytesArrived && task.request.method.isIdempotent)
        }
        let waiting = queue
        queue = []
        for task in waiting { task.fail(error, retryable: queuedRetryable) }
        onIdle = nil
        if let onClose {
            self.onClose = nil
            onClose(self)
        }
    }
}
