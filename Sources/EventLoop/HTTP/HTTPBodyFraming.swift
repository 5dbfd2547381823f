/// How a response's body is delimited, decided from its head by the rules of RFC 9112 §6.3.
enum HTTPBodyFraming: Sendable, Equatable {
    /// Exactly this many bytes (0 for responses that cannot have a body).
    case length(Int)
    /// The chunked transfer coding.
    case chunked
    /// Everything until the peer closes the connection.
    case untilClose

    /// The framing of the response `head`, which answers a HEAD request when `respondingToHEAD` is true.
    ///
    /// - 101 Switching Protocols: the connection stops speaking HTTP after the head, so the rest of the
    ///   stream is handed out as body until close (a tunnel, as Docker's attach would use).
    /// - HEAD responses, 1xx, 204 and 304 never have a body, whatever their headers say (a HEAD response
    ///   carries the Content-Length the GET would have had).
    /// - Transfer-Encoding must be exactly `chunked`; any other coding is refused, as this client could not
    ///   decode it. Together with Content-Length it is refused too: RFC 9112 §6.3 says such a message
    ///   "ought to be handled as an error", and neither Go nor libprocess ever sends both.
    /// - Content-Length may repeat (as a list or several fields) only with identical values.
    /// - Anything else, in HTTP/1.0 and 1.1 alike, runs until the connection closes.
    init(head: HTTPResponseHead, respondingToHEAD: Bool) throws(HTTPClientError) {
        if head.status == 101 {
            self = .untilClose
            return
        }
        if respondingToHEAD || head.status < 200 || head.status == 204 || head.status == 304 {
            self = .length(0)
            return
        }
        if head.headers.contains("Transfer-Encoding") {
            guard !head.headers.contains("Content-Length") else { throw .conflictingFraming }
            let codings = head.headers.listElements(for: "Transfer-Encoding")
            guard codings.count == 1, codings[0].equalsIgnoringASCIICase("chunked") else {
                let value = head.headers.values(for: "Transfer-Encoding").joined(separator: ", ")
                throw .unsupportedTransferEncoding(ASCII.excerpt(value.utf8))
            }
            self = .chunked
        } else if head.headers.contains("Content-Length") {
            let lengths = head.headers.listElements(for: "Content-Length")
            guard let first = lengths.first, let length = ASCII.decimalNumber(first.utf8),
                lengths.allSatisfy({ $0 == first })
            else {
                let value = head.headers.values(for: "Content-Length").joined(separator: ", ")
                throw .invalidContentLength(ASCII.excerpt(value.utf8))
            }
            self = .length(length)
        } else {
            self = .untilClose
        }
    }
}
