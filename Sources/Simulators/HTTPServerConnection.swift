import EventLoop

/// One accepted connection of a `BlockingHTTPServer`: the thread that reads and parses its requests,
/// and the locking that lets any thread write answers to it.
///
/// The serving thread alone closes the socket, and only while holding `writeLock`, so a writer on
/// another thread can never write to a descriptor number the kernel has already handed to someone else.
final class HTTPServerConnection: @unchecked Sendable {
    /// How the serving thread should end the connection once an exchange has settled.
    enum Ending {
        case keepOpen
        case close
        case reset
    }

    let id: Int
    private let descriptor: Int32
    private let server: BlockingHTTPServer
    // Held for the whole of a (possibly blocking) send, which keeps answers from interleaving.
    private let writeLock = ConditionLock()
    /// Guards the socket's open state and every exchange's state; never held across a blocking call.
    let state = ConditionLock()
    private var isClosed = false
    private var writeFailed = false
    /// Set once the server stops; waits on `state` must give up when it is.
    private(set) var isStopping = false
    /// The serving thread's handle; read and written under the server's lock.
    var thread: JoinableThread?

    init(id: Int, descriptor: Int32, server: BlockingHTTPServer) {
        self.id = id
        self.descriptor = descriptor
        self.server = server
    }

    /// The serving thread's body: parse, hand each request to the handler, wait for its answer, repeat.
    func serve() {
        var ending = Ending.close
        defer {
            closeSocket(ending: ending)
            server.connectionFinished(self)
        }
        var parser = HTTPServerRequestParser(limits: server.limits)
        var buffer = ByteBuffer()
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let parsed: HTTPServerRequest?
            do throws(HTTPServerRequestParseError) {
                parsed = try parser.decode(&buffer)
            } catch {
                server.recordMalformed(error)
                reject(error)
                return
            }
            if var request = parsed {
                request.connectionID = id
                ending = exchange(request)
                guard ending == .keepOpen else { return }
                continue
            }
            // stop() shuts the socket down, which ends this blocking read with 0.
            let count = SimulatorSocket.receive(descriptor, into: &chunk)
            guard count > 0 else { return }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    private func exchange(_ request: HTTPServerRequest) -> Ending {
        server.record(request)
        let responder = HTTPResponder(request: request, connection: self)
        server.handler(request, responder)
        return responder.waitUntilSettled()
    }

    /// Answers a request that could not be parsed the way Go's net/http does (an HTTP/1.0 status line,
    /// plain text, no length) and closes.
    private func reject(_ error: HTTPServerRequestParseError) {
        let status = error.statusCode
        let reason = HTTPStatusReason.phrase(for: status)
        let text =
            "HTTP/1.0 \(status) \(reason)\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
            + "\(status) \(reason): \(error.description)"
        write(Array(text.utf8))
    }

    /// Writes every byte unless the connection is closed or broken; false when nothing more can be written.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        writeLock.lock()
        defer { writeLock.unlock() }
        guard state.withLock({ !isClosed && !writeFailed }) else { return false }
        if SimulatorSocket.sendAll(descriptor, bytes) { return true }
        state.withLock { writeFailed = true }
        return false
    }

    /// False once the socket is closed, broken, or being shut down by `stop()`.
    var isWritable: Bool { state.withLock { !isClosed && !writeFailed && !isStopping } }

    /// Called by `stop()`: wakes the serving thread and any writer blocked on this socket.
    func stopNow() {
        state.withLock {
            isStopping = true
            if !isClosed { SimulatorSocket.shutdownBoth(descriptor) }
            state.broadcast()
        }
    }

    private func closeSocket(ending: Ending) {
        if ending == .close && !state.withLock({ isStopping }) {
            // Like Go's closeWriteAndWait: send FIN first and let the client read the last answer,
            // since closing with unread input makes the kernel send a reset that can destroy it.
            SimulatorSocket.shutdownWrite(descriptor)
            SimulatorSocket.drainUntilQuiet(descriptor)
        }
        writeLock.lock()
        defer { writeLock.unlock() }
        state.withLock {
            if ending == .reset { SimulatorSocket.resetOnClose(descriptor) }
            SimulatorSocket.close(descriptor)
            isClosed = true
            state.broadcast()
        }
    }
}
