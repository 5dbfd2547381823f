import Glibc

/// TLS over a connected `StreamSocket`: the socket's read source feeds ciphertext to a `TLSSession`, and what the
/// session wants sent goes out through the socket's queued writes, so a handshake or a record never blocks the loop.
///
/// Confined to the loop. Made by `startClient`, which hands it out only once the handshake (certificate checks
/// included) has completed. Decrypted bytes arrive in a buffer of the stream's own (the loop's shared read buffer
/// still holds the ciphertext being decrypted); it exists only for TLS connections.
public final class TLSStream: ByteStream, @unchecked Sendable {
    // @unchecked: every mutable property is only touched on the loop queue.

    private let socket: StreamSocket
    private let session: TLSSession
    public var onData: ((UnsafeRawBufferPointer) -> Void)?
    public var onClose: ((SocketCloseReason) -> Void)?
    private var handshakeCompletion: ((Result<TLSStream, TLSError>) -> Void)?
    private var plaintext = [UInt8](repeating: 0, count: 16 * 1024)
    /// The reason to report once the socket has closed, when the TLS layer closed it.
    private var closeReason: SocketCloseReason?
    private var isOpen = true

    private init(socket: StreamSocket, session: TLSSession) {
        self.socket = socket
        self.session = session
    }

    /// Runs the client handshake over `socket`; `completion` runs once on the loop with the established stream,
    /// or with why the handshake failed (the socket is closed then). Closing the returned-later stream, or
    /// `abandon` on the handle, stops a handshake in progress.
    @discardableResult
    public static func startClient(
        over socket: StreamSocket, session: TLSSession,
        completion: @escaping (Result<TLSStream, TLSError>) -> Void
    ) -> TLSStream {
        let stream = TLSStream(socket: socket, session: session)
        stream.handshakeCompletion = completion
        socket.onData = { [stream] ciphertext in stream.received(ciphertext) }
        socket.onClose = { [stream] reason in stream.socketClosed(reason) }
        stream.advanceHandshake()
        return stream
    }

    public func write(_ bytes: [UInt8]) {
        guard isOpen, handshakeCompletion == nil else { return }
        do {
            try session.write(bytes)
            flush()
        } catch {
            fail(error)
        }
    }

    /// Closes the connection (a handshake in progress is abandoned and its completion never runs);
    /// `onClose(.closedLocally)` follows. Idempotent.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        handshakeCompletion = nil
        socket.close()
    }

    /// `startClient` for a connection to `endpoint`, whose host (or "localhost" for a Unix socket) the certificate
    /// must name. Nil, with the failure delivered asynchronously, when no session can be made.
    public static func startClient(
        over socket: StreamSocket, context: TLSContext, endpoint: Endpoint,
        completion: @escaping (Result<TLSStream, TLSError>) -> Void
    ) -> TLSStream? {
        let host: String
        switch endpoint {
        case .tcp(let name, _): host = name
        case .unix: host = "localhost"
        }
        do {
            return startClient(over: socket, session: try context.makeSession(host: host), completion: completion)
        } catch {
            socket.close()
            let bound = LoopBound(completion, loop: socket.loop)
            socket.loop.execute { bound.value(.failure(error)) }
            return nil
        }
    }

    private func received(_ ciphertext: UnsafeRawBufferPointer) {
        session.receive(ciphertext)
        if handshakeCompletion != nil {
            advanceHandshake()
        } else {
            readAvailable()
        }
    }

    private func advanceHandshake() {
        let progress = session.handshake()
        flush()
        switch progress {
        case .needsMoreData:
            return
        case .complete:
            let completion = handshakeCompletion
            handshakeCompletion = nil
            completion?(.success(self))
            // Records that arrived with the last handshake flight (TLS 1.3 tickets, early data of the peer).
            if isOpen { readAvailable() }
        case .failed(let error):
            let completion = handshakeCompletion
            handshakeCompletion = nil
            isOpen = false
            socket.close()
            completion?(.failure(error))
        }
    }

    private func readAvailable() {
        while isOpen {
            let result = plaintext.withUnsafeMutableBytes { session.readPlaintext(into: $0) }
            switch result {
            case .bytes(let count):
                plaintext.withUnsafeBytes { onData?(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            case .needsMoreData:
                flush()  // a post-handshake message may want an answer
                return
            case .closed:
                closeReason = .eof
                isOpen = false
                socket.close()
            case .failed(let error):
                fail(error)
            }
        }
    }

    private func flush() {
        let bytes = session.takeOutgoing()
        if !bytes.isEmpty { socket.write(bytes) }
    }

    private func fail(_ error: TLSError) {
        guard isOpen else { return }
        // Reported as a failed read: the HTTP layer words it as "the connection failed: ...".
        closeReason = .error(SystemError(code: EPROTO, operation: "TLS (\(error.message))"))
        isOpen = false
        socket.close()
    }

    private func socketClosed(_ reason: SocketCloseReason) {
        if let completion = handshakeCompletion {
            handshakeCompletion = nil
            isOpen = false
            let peer = "the server at \(session.host)"
            let detail: String
            switch reason {
            case .eof: detail = "\(peer) closed the connection during the TLS handshake (is it a TLS server?)"
            case .error(let error): detail = "the connection to \(peer) failed during the TLS handshake: \(error)"
            case .closedLocally: detail = "the TLS handshake with \(peer) was abandoned"
            }
            completion(.failure(TLSError(.protocolFailure, detail)))
            return
        }
        isOpen = false
        let callback = onClose
        onData = nil
        onClose = nil
        callback?(closeReason ?? reason)
    }
}
