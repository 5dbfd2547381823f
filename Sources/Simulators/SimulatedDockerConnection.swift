import EventLoop

/// One client connection of the simulated Docker engine: decodes requests with the strict request parser (fed the
/// bytes in whatever splits they arrive) and serves them one at a time, as Go's net/http does: a long poll holds the
/// connection until it is answered. Bytes the parser rejects get Go's plain-text error and close the connection.
///
/// Confined to the engine's loop.
final class SimulatedDockerConnection: @unchecked Sendable {
    // @unchecked: touched on the engine's loop only.
    let id: Int
    private let socket: StreamSocket
    private let handler: (SimulatedDockerExchange) -> Void
    private var parser = HTTPServerRequestParser()
    private var buffer = ByteBuffer()
    private var current: SimulatedDockerExchange?
    /// The current request asked for `Connection: close` (or is HTTP/1.0 without keep-alive).
    private(set) var closesAfterAnswer = false
    private var closing = false
    /// Called once when the connection has closed.
    var onClose: ((SimulatedDockerConnection) -> Void)?

    init(id: Int, socket: StreamSocket, handler: @escaping (SimulatedDockerExchange) -> Void) {
        self.id = id
        self.socket = socket
        self.handler = handler
        socket.onData = { [self] bytes in received(bytes) }
        socket.onClose = { [self] _ in closed() }
    }

    var isOpen: Bool { socket.isOpen && !closing }

    func write(_ bytes: [UInt8]) {
        socket.write(bytes)
    }

    /// Closes at once, dropping unsent bytes (the engine is stopping).
    func close() {
        socket.close()
    }

    func exchangeFinished(_ exchange: SimulatedDockerExchange) {
        guard current === exchange else { return }
        current = nil
        if closesAfterAnswer {
            closeWhenWritten()
        } else {
            serveNext()
        }
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        guard !closing else { return }
        buffer.append(contentsOf: bytes)
        serveNext()
    }

    private func serveNext() {
        while current == nil && isOpen {
            let decoded: HTTPServerRequest?
            do {
                decoded = try parser.decode(&buffer)
            } catch {
                reject(error)
                return
            }
            guard var request = decoded else { return }
            request.connectionID = id
            // An HTTP/1.0 stream is ended by closing, so 1.0 connections serve one request.
            closesAfterAnswer = !request.keepsConnectionAlive || request.version == "HTTP/1.0"
            let exchange = SimulatedDockerExchange(request: request, connection: self)
            current = exchange
            handler(exchange)
        }
    }

    /// What Go's server writes for a request it cannot parse, before it closes the connection.
    private func reject(_ error: HTTPServerRequestParseError) {
        let reason = HTTPStatusReason.phrase(for: error.statusCode)
        let head = HTTPResponder.head(
            status: error.statusCode, reason: reason,
            headers: [("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close")])
        socket.write(head + Array("\(error.statusCode) \(reason)".utf8))
        closeWhenWritten()
    }

    /// Closes once the kernel has taken every byte: `StreamSocket.close` drops what is still queued.
    private func closeWhenWritten() {
        closing = true
        guard socket.isOpen else { return }
        guard socket.pendingWriteBytes > 0 else { return socket.close() }
        _ = socket.loop.schedule(after: .milliseconds(5)) { [self] in closeWhenWritten() }
    }

    private func closed() {
        closing = true
        let exchange = current
        current = nil
        exchange?.abandon()
        let callback = onClose
        onClose = nil
        callback?(self)
    }
}
