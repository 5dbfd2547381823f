/// Writes one response the way Sidecar's Go server frames it: a `Date` header always, `Content-Length`
/// for bodies up to 2048 bytes, and `Transfer-Encoding: chunked` (one chunk) above that, because Go's
/// net/http only buffers 2048 bytes before it must commit to a framing.
struct SidecarAnswer {
    /// Go's `bufferBeforeChunkingSize`.
    static let largestUnchunkedBody = 2048
    static let corsHeaders = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "GET")]

    let responder: HTTPResponder
    let date: SidecarTimestamp

    func send(_ status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        let fields = headers + [("Date", date.httpDate)]
        guard body.count > Self.largestUnchunkedBody else {
            responder.respond(status: status, headers: fields, body: body)
            return
        }
        let stream = responder.startChunkedStream(status: status, headers: fields)
        stream.send(body)
        stream.finish()
    }

    func send(_ status: Int, json body: [UInt8], cors: Bool = false) {
        send(status, headers: [("Content-Type", "application/json")] + (cors ? Self.corsHeaders : []), body: body)
    }

    /// Sidecar's `sendJsonError`: compact `{"message":…,"status":"error"}` (Go sorts the map's keys).
    func sendError(_ status: Int, _ message: String) {
        send(status, json: Array("{\"message\":\(GoJSON.quoted(message)),\"status\":\"error\"}".utf8))
    }

    /// gorilla/mux's default for a path no route matches (Go's `http.NotFound`).
    func sendNotFoundText() {
        send(
            404,
            headers: [("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff")],
            body: Array("404 page not found\n".utf8))
    }

    /// `count` bytes of printable text that no JSON parser accepts (it starts with `<`).
    static func garbage(count: Int) -> [UInt8] {
        // Doubled rather than built byte by byte: 10 MB a byte at a time took seconds in a debug build on a busy
        // machine (minutes under TSan), which the tests then waited for. Every length stays a multiple of the
        // pattern's, so the final prefix continues it.
        var bytes = Array("<not json> ".utf8)
        bytes.reserveCapacity(max(count, bytes.count))
        while bytes.count * 2 <= count { bytes += bytes }
        return Array((bytes + bytes.prefix(max(0, count - bytes.count))).prefix(max(0, count)))
    }
}
