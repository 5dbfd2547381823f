/// One step of an HTTP response as the decoder produces it: the head, then body pieces, then the end.
public enum HTTPResponsePart: Sendable, Equatable {
    case head(HTTPResponseHead)
    /// Body bytes as they arrive, never empty. Pieces follow the network, not any structure of the body.
    case body([UInt8])
    case end
}

/// Incremental decoder of HTTP/1.1 responses on a client connection.
///
/// Feed it the bytes read from the socket; call `decode` until it returns nil (need more bytes), then read
/// again. Each response yields `.head`, any number of `.body`, then `.end`, after which the decoder starts
/// on the next response, so a keep-alive connection keeps one decoder (bytes of the next response may
/// already be in the buffer). On EOF call `decodeAtEOF` instead, until it returns nil. Interim 1xx responses
/// (100 Continue) are consumed silently. After a thrown error the connection's byte stream is unusable:
/// every later call throws the same error, and the connection must be closed.
///
/// Framing follows RFC 9112 §6.3 (see `HTTPBodyFraming`); bodies are never accumulated, so a never-ending
/// chunked stream (Mesos SUBSCRIBE, Docker logs) costs only what is in flight.
public struct HTTPResponseDecoder: Sendable {
    private enum Phase: Sendable {
        case statusLine
        /// The status line is parsed into `head`; its header lines are next.
        case headers(HTTPResponseHead)
        case fixedBody(remaining: Int)
        case chunkedBody
        case bodyUntilClose
        case failed(HTTPClientError)
    }

    public let limits: HTTPLimits
    private var phase = Phase.statusLine
    private var lines = HTTPLineScanner()
    private var fields: HTTPFieldParser
    private var chunked: ChunkedDecoder
    private var respondingToHEAD = false

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
        fields = HTTPFieldParser(limits: limits)
        chunked = ChunkedDecoder(limits: limits)
    }

    /// Says which method the next response answers; call it when sending each request. Only HEAD changes
    /// anything (its response has no body whatever its headers say). It applies to the next final response
    /// head the decoder completes, so it may be called while the previous response's body is still
    /// arriving, but not before that response's head has been decoded.
    public mutating func expectResponse(to method: HTTPMethod) {
        respondingToHEAD = method == .head
    }

    /// Returns the next part of the response, or nil when the buffer holds no complete part yet.
    public mutating func decode(_ buffer: inout ByteBuffer) throws(HTTPClientError) -> HTTPResponsePart? {
        do throws(HTTPClientError) {
            return try nextPart(&buffer)
        } catch {
            phase = .failed(error)
            throw error
        }
    }

    /// Like `decode`, for a connection the peer has closed: after the buffered parts, a body that runs until
    /// close gets its `.end`; EOF anywhere else inside a response throws `.connectionClosedEarly`. Returns
    /// nil once nothing is left and no response was in progress: a clean close between responses. (Whether
    /// a request was still outstanding, `.connectionClosedBeforeResponse`, only the client knows.)
    public mutating func decodeAtEOF(_ buffer: inout ByteBuffer) throws(HTTPClientError) -> HTTPResponsePart? {
        do throws(HTTPClientError) {
            if let part = try nextPart(&buffer) { return part }
            switch phase {
            case .statusLine where buffer.isEmpty:
                return nil
            case .statusLine:
                throw .connectionClosedEarly(during: "the status line")
            case .headers:
                throw .connectionClosedEarly(during: "the response headers")
            case .fixedBody(let remaining):
                throw .connectionClosedEarly(during: "the body, \(remaining) bytes short of its Content-Length")
            case .chunkedBody:
                throw .connectionClosedEarly(during: "the chunked body")
            case .bodyUntilClose:
                phase = .statusLine
                return .end
            case .failed(let error):
                throw error
            }
        } catch {
            phase = .failed(error)
            throw error
        }
    }

    private mutating func nextPart(_ buffer: inout ByteBuffer) throws(HTTPClientError) -> HTTPResponsePart? {
        while true {
            switch phase {
            case .failed(let error):
                throw error
            case .statusLine:
                guard let head = try parseStatusLine(&buffer) else { return nil }
                phase = .headers(head)
            case .headers(var head):
                guard let headers = try fields.parse(&buffer) else { return nil }
                fields = HTTPFieldParser(limits: limits)
                head.headers = headers
                if (100..<200).contains(head.status) && head.status != 101 {
                    // Interim response: the final one follows on the same connection.
                    phase = .statusLine
                    continue
                }
                let framing = try HTTPBodyFraming(head: head, respondingToHEAD: respondingToHEAD)
                respondingToHEAD = false
                switch framing {
                case .length(let length): phase = .fixedBody(remaining: length)
                case .chunked: phase = .chunkedBody
                case .untilClose: phase = .bodyUntilClose
                }
                return .head(head)
            case .fixedBody(let remaining):
                if remaining == 0 {
                    phase = .statusLine
                    return .end
                }
                guard !buffer.isEmpty else { return nil }
                let count = min(remaining, buffer.readableBytes)
                phase = .fixedBody(remaining: remaining - count)
                return .body(buffer.readBytes(count)!)
            case .chunkedBody:
                switch try chunked.decode(&buffer) {
                case nil:
                    return nil
                case .data(let bytes):
                    return .body(bytes)
                case .end:
                    phase = .statusLine
                    return .end
                }
            case .bodyUntilClose:
                guard !buffer.isEmpty else { return nil }
                return .body(buffer.readAll())
            }
        }
    }

    private mutating func parseStatusLine(_ buffer: inout ByteBuffer) throws(HTTPClientError) -> HTTPResponseHead? {
        switch lines.nextLine(in: buffer, maxLength: limits.maxHeadLineLength) {
        case .needMoreBytes:
            guard buffer.readableBytes <= limits.maxHeadSize else { throw .headTooLarge(limit: limits.maxHeadSize) }
            return nil
        case .tooLong:
            throw limits.tooLongLineError(lineStart: 0)
        case .line(let length, let consumed):
            guard consumed <= limits.maxHeadSize else { throw .headTooLarge(limit: limits.maxHeadSize) }
            let head = try HTTPResponseHead.parsingStatusLine(buffer.readableView.prefix(length))
            buffer.moveReaderIndex(forwardBy: consumed)
            fields = HTTPFieldParser(limits: limits, consumedBytes: consumed)
            return head
        }
    }
}
