import EventLoop

/// One HTTP/1.1 connection to the agent's executor API: requests go out in order, each response's parts
/// (head, body pieces, end) go to that request's handler as they are decoded.
///
/// The agent connection owns two of these (the SUBSCRIBE stream and the calls), rather than sharing a pooled HTTP
/// client, because it must notice either TCP connection dropping even while idle: the executor API defines a
/// disconnect as the event stream ending or failing or either connection closing, and the agent relies on the
/// executor resubscribing after one. `onFailure` fires once for any end other than `close()`: end of file, a socket
/// error, or a response that cannot be decoded. Confined to the event loop.
final class AgentChannel: @unchecked Sendable {
    typealias ResponseHandler = (HTTPResponsePart) -> Void

    private let socket: StreamSocket
    private let host: String
    private var decoder = HTTPResponseDecoder()
    private var received = ByteBuffer()
    /// Handlers of the requests sent and not fully answered, oldest first.
    private var handlers: [ResponseHandler] = []
    private var isClosed = false
    /// Why the channel ended, once, unless it was closed locally.
    var onFailure: ((String) -> Void)?

    private init(socket: StreamSocket, host: String) {
        self.socket = socket
        self.host = host
    }

    /// Connects to `endpoint`; `completion` runs on the loop.
    static func open(
        to endpoint: Endpoint, on loop: EventLoop, timeout: Duration,
        _ completion: @escaping @Sendable (Result<AgentChannel, SocketError>) -> Void
    ) {
        // The Host header of a Unix-socket peer is a placeholder: the path is not a host.
        let host: String
        if case .unix = endpoint {
            host = "localhost"
        } else {
            host = endpoint.description
        }
        StreamSocket.connect(to: endpoint, on: loop, timeout: timeout) { result in
            switch result {
            case .success(let socket):
                let channel = AgentChannel(socket: socket, host: host)
                socket.onData = { [weak channel] bytes in channel?.receive(bytes) }
                socket.onClose = { [weak channel] reason in channel?.socketClosed(reason) }
                completion(.success(channel))
            case .failure(let error):
                completion(.failure(error))
            }
        }
    }

    /// Sends `request`; `handler` gets its response's parts. A request that cannot be serialized fails the channel.
    func send(_ request: HTTPRequest, _ handler: @escaping ResponseHandler) {
        guard !isClosed else { return }
        do {
            let bytes = try request.serialized(host: host)
            handlers.append(handler)
            decoder.expectResponse(to: request.method)
            socket.write(bytes)
        } catch {
            fail("the request could not be built: \(error)")
        }
    }

    /// Closes the connection; no handler or `onFailure` runs afterwards.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        handlers = []
        socket.close()
    }

    private func receive(_ bytes: UnsafeRawBufferPointer) {
        guard !isClosed else { return }
        received.append(contentsOf: bytes)
        drain(atEOF: false)
    }

    private func socketClosed(_ reason: SocketCloseReason) {
        guard !isClosed else { return }
        switch reason {
        case .closedLocally:
            return
        case .eof:
            drain(atEOF: true)
            guard !isClosed else { return }
            fail(handlers.isEmpty ? "the agent closed the connection" : "the agent closed the connection mid-response")
        case .error(let error):
            fail("the connection failed: \(error)")
        }
    }

    /// Hands out every decodable part; stops as soon as a handler closes the channel.
    private func drain(atEOF: Bool) {
        while !isClosed {
            let part: HTTPResponsePart?
            do {
                part = atEOF ? try decoder.decodeAtEOF(&received) : try decoder.decode(&received)
            } catch {
                fail("the agent's response cannot be decoded: \(error)")
                return
            }
            guard let part else { return }
            guard let handler = handlers.first else {
                fail("the agent sent a response to no request")
                return
            }
            if case .end = part {
                handlers.removeFirst()
            }
            handler(part)
        }
    }

    private func fail(_ reason: String) {
        guard !isClosed else { return }
        let report = onFailure
        close()
        report?(reason)
    }
}
