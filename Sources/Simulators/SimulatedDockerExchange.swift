import EventLoop

/// The answer to one request of the simulated Docker engine: a whole response, or a chunked stream that stays open
/// (wait, logs, events, pull progress) until `finish()`. Every response carries the headers a 20.10 engine sends,
/// and the engine's framing: a small complete body gets `Content-Length`, a body over 4 KiB and every stream get
/// `Transfer-Encoding: chunked`, 204 and 304 neither. An HTTP/1.0 request gets Go's answer to one: an HTTP/1.0
/// status line, and a stream's body unframed, ended by closing the connection (1.0 has no chunked coding).
///
/// Confined to the engine's loop.
final class SimulatedDockerExchange {
    let request: HTTPServerRequest
    private weak var connection: SimulatedDockerConnection?
    /// True once the response is complete (or the connection is gone).
    private(set) var isDone = false
    private var isStreaming = false
    /// Called once when the connection closes while this exchange is still open: the engine forgets its waiter,
    /// follower or subscriber.
    var onAbandon: (() -> Void)?

    /// Go's net/http switches to chunked framing past its 4 KiB response buffer.
    static let largestLengthFramedBody = 4096

    init(request: HTTPServerRequest, connection: SimulatedDockerConnection) {
        self.request = request
        self.connection = connection
    }

    /// Whether bytes sent now still reach the client.
    var isOpen: Bool { !isDone && connection?.isOpen == true }

    /// A JSON answer, encoded as Go's `json.Encoder` does: the document and a newline.
    func respond(status: Int, json: JSONValue, chunked: Bool = false) {
        respond(status: status, contentType: "application/json", body: json.serialized() + [0x0A], chunked: chunked)
    }

    /// The engine's error shape: `{"message": ...}`.
    func respondError(status: Int, _ message: String) {
        respond(status: status, json: ["message": .string(message)])
    }

    /// A response without a body (204, 304) or with an empty one (`Content-Length: 0`).
    func respondEmpty(status: Int) {
        let length = status == 204 || status == 304 ? [] : [("Content-Length", "0")]
        send(head(status: status, fields: length))
        complete()
    }

    func respond(status: Int, contentType: String, body: [UInt8], chunked: Bool = false) {
        guard !isDone else { return }
        if chunked || body.count > Self.largestLengthFramedBody {
            startStream(status: status, contentType: contentType)
            sendChunk(body)
            finish()
        } else {
            send(
                head(status: status, fields: [("Content-Type", contentType), ("Content-Length", "\(body.count)")])
                    + body)
            complete()
        }
    }

    private var isHTTP10: Bool { request.version == "HTTP/1.0" }

    /// Sends the head of a chunked stream at once (a waiter sees it before the container exits).
    func startStream(status: Int = 200, contentType: String?) {
        guard !isDone, !isStreaming else { return }
        isStreaming = true
        var fields = isHTTP10 ? [] : [("Transfer-Encoding", "chunked")]
        if let contentType { fields.insert(("Content-Type", contentType), at: 0) }
        send(head(status: status, fields: fields))
    }

    /// One chunk of the stream; empty bytes are not sent (an empty chunk would end the body).
    func sendChunk(_ bytes: [UInt8]) {
        guard isStreaming, !isDone, !bytes.isEmpty else { return }
        if isHTTP10 { return send(bytes) }
        send(Array(String(bytes.count, radix: 16).utf8) + [0x0D, 0x0A] + bytes + [0x0D, 0x0A])
    }

    /// Ends the stream with the terminating chunk (for HTTP/1.0, by closing); the connection serves its next request.
    func finish() {
        guard isStreaming, !isDone else { return }
        if !isHTTP10 { send(Array("0\r\n\r\n".utf8)) }
        complete()
    }

    /// The connection closed under this exchange.
    func abandon() {
        guard !isDone else { return }
        isDone = true
        let callback = onAbandon
        onAbandon = nil
        callback?()
    }

    private func complete() {
        isDone = true
        onAbandon = nil
        connection?.exchangeFinished(self)
    }

    private func send(_ bytes: [UInt8]) {
        connection?.write(bytes)
    }

    private func head(status: Int, fields: [(String, String)]) -> [UInt8] {
        // Go writes header fields sorted by name.
        var all =
            fields + [
                ("Api-Version", SimulatedDockerEngine.apiVersion), ("Docker-Experimental", "false"),
                ("Ostype", "linux"),
                ("Server", SimulatedDockerEngine.serverHeader), ("Date", SidecarTimestamp.now().httpDate),
            ]
        if connection?.closesAfterAnswer == true { all.append(("Connection", "close")) }
        all.sort { $0.0 < $1.0 }
        let head = HTTPResponder.head(status: status, reason: nil, headers: all)
        return isHTTP10 ? Array("HTTP/1.0".utf8) + head.dropFirst(8) : head
    }
}
