/// The answer side of one request on a `BlockingHTTPServer`.
///
/// Every method may be called from any thread, also after the handler has returned: the connection
/// waits until the exchange is settled (answered, stream finished, closed) before it reads the next
/// request, so a test can keep a responder and answer later. A handler that returns without settling
/// leaves the connection waiting until the server stops, which is what `stall()` makes explicit.
/// Calls that no longer apply (a second answer, a send after `finish()`) do nothing and return false.
public final class HTTPResponder: @unchecked Sendable {
    enum Exchange: Equatable {
        /// Nothing written yet.
        case pending
        /// Raw bytes written; more may follow until `finishRaw()` or a close.
        case raw
        case streaming
        case stalled
        case answered(keepAlive: Bool)
        case closed(reset: Bool)

        var isSettled: Bool {
            switch self {
            case .answered, .closed: true
            case .pending, .raw, .streaming, .stalled: false
            }
        }
    }

    /// The request being answered.
    public let request: HTTPServerRequest
    private let connection: HTTPServerConnection
    // Held across check, write and state change, so that a send racing a finish cannot land after
    // the terminating chunk.
    private let operation = ConditionLock()
    private var exchange = Exchange.pending

    init(request: HTTPServerRequest, connection: HTTPServerConnection) {
        self.request = request
        self.connection = connection
    }

    /// Answers with a complete response: adds `Content-Length` (unless `headers` already has one or the
    /// status forbids a body) and `Connection: close` when the client asked to close. The body is left
    /// out for HEAD requests. Headers are written in the order given.
    @discardableResult
    public func respond(
        status: Int = 200, reason: String? = nil, headers: [(String, String)] = [], body: [UInt8] = []
    ) -> Bool {
        operate(from: [.pending]) { _ in
            var fields = headers
            let bodiless = HTTPStatusReason.forbidsBody(status)
            if !bodiless && !Self.contains("Content-Length", in: fields) {
                fields.append(("Content-Length", String(body.count)))
            }
            let keepAlive = addConnectionClose(to: &fields)
            var bytes = Self.head(status: status, reason: reason, headers: fields)
            if !bodiless && request.method != "HEAD" { bytes += body }
            return written(bytes, then: .answered(keepAlive: keepAlive))
        }
    }

    /// `respond` with a UTF-8 text body.
    @discardableResult
    public func respond(status: Int = 200, reason: String? = nil, headers: [(String, String)] = [], body: String)
        -> Bool
    {
        respond(status: status, reason: reason, headers: headers, body: Array(body.utf8))
    }

    /// Writes a response head with `Transfer-Encoding: chunked`; the body follows through the stream's
    /// `send`, from any thread, until `finish()` or `abort()`.
    public func startChunkedStream(status: Int = 200, reason: String? = nil, headers: [(String, String)] = [])
        -> ChunkedStream
    {
        var fields = headers
        if !Self.contains("Transfer-Encoding", in: fields) { fields.append(("Transfer-Encoding", "chunked")) }
        let keepAlive = addConnectionClose(to: &fields)
        let started = operate(from: [.pending]) { _ in
            written(Self.head(status: status, reason: reason, headers: fields), then: .streaming)
        }
        return ChunkedStream(responder: self, keepAlive: keepAlive, isOpen: started)
    }

    /// Writes `bytes` verbatim, for scripted malformed answers; may be called repeatedly, also in the
    /// middle of a chunked stream. End a raw answer with `finishRaw()` or `closeWithoutAnswer()`.
    @discardableResult
    public func writeRaw(_ bytes: [UInt8]) -> Bool {
        operate(from: [.pending, .raw, .streaming]) { current in
            written(bytes, then: current == .streaming ? .streaming : .raw)
        }
    }

    /// `writeRaw` with the UTF-8 bytes of `text`.
    @discardableResult
    public func writeRaw(_ text: String) -> Bool { writeRaw(Array(text.utf8)) }

    /// Declares a raw answer complete; the connection goes on to the next request if the client allows.
    @discardableResult
    public func finishRaw() -> Bool {
        operate(from: [.raw]) { _ in (.answered(keepAlive: request.keepsConnectionAlive), true) }
    }

    /// Never answers: the connection stays open (and unread) until the server stops.
    public func stall() {
        operate(from: [.pending]) { _ in (.stalled, true) }
    }

    /// Closes the connection (TCP FIN) after whatever was written so far, e.g. with no answer at all.
    @discardableResult
    public func closeWithoutAnswer() -> Bool {
        operate(from: [.pending, .raw, .streaming, .stalled]) { _ in (.closed(reset: false), true) }
    }

    // MARK: - Used by ChunkedStream and the connection

    func sendChunk(_ bytes: [UInt8]) -> Bool {
        // An empty chunk would be the terminating one, so there is nothing to write.
        guard !bytes.isEmpty else { return operation.withLock { exchange == .streaming } }
        let size = Array(String(bytes.count, radix: 16).utf8)
        return operate(from: [.streaming]) { _ in
            written(size + [0x0D, 0x0A] + bytes + [0x0D, 0x0A], then: .streaming)
        }
    }

    func finishStream(keepAlive: Bool) -> Bool {
        operate(from: [.streaming]) { _ in
            written(Array("0\r\n\r\n".utf8), then: .answered(keepAlive: keepAlive))
        }
    }

    func abortStream() -> Bool {
        operate(from: [.streaming]) { _ in (.closed(reset: true), true) }
    }

    /// True while the stream may still be written: started, not ended, and its connection still usable.
    var isStreaming: Bool { operation.withLock { exchange == .streaming } && connection.isWritable }

    /// Blocks the serving thread until the exchange is settled or the server stops.
    func waitUntilSettled() -> HTTPServerConnection.Ending {
        connection.state.lock()
        defer { connection.state.unlock() }
        while !connection.isStopping {
            switch exchange {
            case .answered(let keepAlive): return keepAlive ? .keepOpen : .close
            case .closed(let reset): return reset ? .reset : .close
            case .pending, .raw, .streaming, .stalled: connection.state.wait()
            }
        }
        return .close
    }

    // MARK: - Helpers

    /// Runs `body` if the exchange is in one of `allowed` states and stores the state it returns, waking
    /// the serving thread. Returns false when the call did not apply or its write failed.
    @discardableResult
    private func operate(from allowed: [Exchange], _ body: (Exchange) -> (next: Exchange, succeeded: Bool))
        -> Bool
    {
        operation.lock()
        defer { operation.unlock() }
        let current = connection.state.withLock { exchange }
        guard allowed.contains(current) else { return false }
        let (next, succeeded) = body(current)
        connection.state.withLock {
            exchange = next
            connection.state.broadcast()
        }
        return succeeded
    }

    /// Writes `bytes`; the exchange moves to `next`, or to closed when the connection is gone.
    private func written(_ bytes: [UInt8], then next: Exchange) -> (next: Exchange, succeeded: Bool) {
        connection.write(bytes) ? (next, true) : (.closed(reset: false), false)
    }

    /// Adds `Connection: close` when the client will not keep the connection; returns whether it stays open.
    private func addConnectionClose(to fields: inout [(String, String)]) -> Bool {
        let answerCloses = fields.contains { $0.0.lowercased() == "connection" && $0.1.lowercased() == "close" }
        if !request.keepsConnectionAlive && !answerCloses { fields.append(("Connection", "close")) }
        return request.keepsConnectionAlive && !answerCloses
    }

    private static func contains(_ name: String, in fields: [(String, String)]) -> Bool {
        fields.contains { $0.0.lowercased() == name.lowercased() }
    }

    static func head(status: Int, reason: String?, headers: [(String, String)]) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(reason ?? HTTPStatusReason.phrase(for: status))\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }
}
